"""Learner pages of moderation: report a problem, my reports, submit a question, my submissions;
and the exhibit images questions show."""

import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from quizzes.moderation import services
from quizzes.moderation.forms import OptionFormSet, QuestionSubmissionForm, ReportProblemForm
from quizzes.models import ProblemReport, Question, ReportStatus

PARTIALS = "quizzes/moderation/partials.html"


def safe_next(request: HttpRequest, default: str) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return default


def get_reportable_question(user, question_id) -> Question:
    """Any question the learner can be shown in a quiz: not a pending submission, premium only with premium."""
    return get_object_or_404(Question.objects.visible_to(user), pk=question_id)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def report_problem(request: HttpRequest, question_id) -> HttpResponse:
    """The report dialog (htmx) or page: a second report on the same question edits the open one."""
    next_url = safe_next(request, default=reverse("my_reports"))
    if not request.user.is_authenticated:
        if request.htmx:
            return render(request, f"{PARTIALS}#login_dialog", {"next": next_url})
        return redirect_to_login(request.get_full_path())
    question = get_reportable_question(request.user, question_id)
    open_report = ProblemReport.objects.filter(
        question=question, reporter=request.user, status=ReportStatus.PENDING
    ).first()
    status = 200
    if request.method == "POST":
        form = ReportProblemForm(request.POST)
        if form.is_valid():
            report, created = services.report_problem(
                reporter=request.user,
                question=question,
                type=form.cleaned_data["type"],
                description=form.cleaned_data["description"],
            )
            if request.htmx:
                return render(request, f"{PARTIALS}#report_done", {"report": report, "created": created})
            messages.success(
                request,
                "Thank you: your report is saved." if created else "Thank you: your report is updated.",
            )
            return redirect(next_url)
        status = 422
    else:
        initial = {"type": open_report.type, "description": open_report.description} if open_report else {}
        form = ReportProblemForm(initial=initial)
    context = {
        "question": question,
        "form": form,
        "open_report": open_report,
        "next": next_url,
        "dialog": bool(request.htmx),
    }
    if request.htmx:
        partial = "report_body" if request.method == "POST" else "report_dialog"
        return render(request, f"{PARTIALS}#{partial}", context, status=status)
    return render(request, "quizzes/moderation/report.html", context, status=status)


@login_required
@require_safe
def my_reports(request: HttpRequest) -> HttpResponse:
    reports = ProblemReport.objects.filter(reporter=request.user).select_related("question").order_by("-created_at")
    page = Paginator(reports, 20).get_page(request.GET.get("page"))
    return render(request, "quizzes/moderation/my_reports.html", {"page": page})


@login_required
def submit_question(request: HttpRequest) -> HttpResponse:
    """Guests are sent to log in (or sign up) first: a submission is credited to an account."""
    if request.method == "POST":
        form = QuestionSubmissionForm(request.POST)
        formset = OptionFormSet(request.POST, prefix="options", question_type=request.POST.get("type"))
        form_valid, formset_valid = form.is_valid(), formset.is_valid()
        if form_valid and formset_valid:
            try:
                services.submit_question(author=request.user, options=formset.options, **form.cleaned_data)
            except services.ModerationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you: your question is waiting for review.")
                return redirect("my_submissions")
        status = 422
    else:
        form = QuestionSubmissionForm()
        formset = OptionFormSet(prefix="options")
        status = 200
    return render(request, "quizzes/moderation/submit.html", {"form": form, "formset": formset}, status=status)


@login_required
@require_safe
def my_submissions(request: HttpRequest) -> HttpResponse:
    questions = (
        Question.objects.filter(created_by=request.user, is_user_generated=True)
        .prefetch_related("exams")
        .order_by("-created_at")
    )
    page = Paginator(questions, 20).get_page(request.GET.get("page"))
    return render(request, "quizzes/moderation/my_submissions.html", {"page": page})


IMAGE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
}


@require_safe
def exhibit_image(request: HttpRequest, path: str) -> FileResponse:
    """Exhibit images stored by the admin (quizzes.moderation.services.change_images) under MEDIA_URL.

    Served by the app because it runs without a separate web server for media (scripts/run); the
    names are random, so a file never changes and may be cached for good."""
    name = posixpath.normpath(f"questions/{path}")
    extension = posixpath.splitext(name)[1].lower()
    if not name.startswith("questions/") or ".." in name.split("/") or extension not in IMAGE_TYPES:
        raise Http404("No such image.")
    try:
        file = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("No such image.") from None
    response = FileResponse(file, content_type=IMAGE_TYPES[extension])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
