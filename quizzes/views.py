from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from accounts.guests import GuestLimitReached, get_or_create_learner, give_back_guest_answer, take_guest_answer
from quizzes import selectors, services
from quizzes.forms import StartQuizForm
from quizzes.models import (
    DEFAULT_PASSING_SCORE,
    Bookmark,
    Category,
    Exam,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionOption,
    QuizMode,
    QuizSession,
)


def get_session_for_learner(request, session_id) -> QuizSession:
    """A learner reaches only their own sessions; anyone else's id is a 404."""
    learner = request.learner
    if not learner:
        raise Http404("No such quiz.")
    session = get_object_or_404(QuizSession.objects.select_related("exam", "category"), pk=session_id, user=learner)
    return services.expire_if_out_of_time(session)


def get_session_question_for_learner(request, session_id, number: int):
    """(session, its `number`-th question) in one query; another learner's session, or a number
    outside the quiz, is a 404."""
    learner = request.learner
    session_question = selectors.session_question_for_player(session_id, number, learner) if learner else None
    if session_question is None:
        raise Http404("No such question in this quiz.")
    session = services.expire_if_out_of_time(session_question.session)
    session_question.session = session
    return session, session_question


def question_url(session, number):
    return reverse("quiz_question", args=[session.pk, number])


def render_htmx_aware(request, template, context, partial, status=200):
    """Full page for a plain request, just the swapped partial for htmx (the view varies on HX-Request)."""
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context, status=status)


@require_safe
def home(request):
    learner = request.learner
    context = {
        "catalogue": selectors.catalogue_by_exam(learner),
        "unfinished": selectors.unfinished_sessions(learner),
    }
    return render(request, "quizzes/home.html", context)


@require_safe
def exam_detail(request, code):
    exam = get_object_or_404(Exam.objects.active(), code=code)
    learner = request.learner
    count = next((e.active_question_count for e in selectors.catalogue_exams(learner) if e.pk == exam.pk), 0)
    categories = [c for c in selectors.catalogue_categories(learner, exam=exam) if c.active_question_count]
    form = StartQuizForm(initial={"exam": exam, "count": 10, "mode": QuizMode.PRACTICE})
    blueprint = list(exam.blueprint.select_related("category"))
    return render(
        request,
        "quizzes/exam_detail.html",
        {
            "exam": exam,
            "question_count": count,
            "categories": categories,
            "blueprint": blueprint,
            **start_form_context(request, form),
        },
    )


@require_http_methods(["GET", "POST"])
def quiz_start(request):
    if request.method == "POST":
        form = StartQuizForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                learner = get_or_create_learner(request)
                started = services.start_session(
                    user=learner,
                    mode=data["mode"],
                    count=data["count"],
                    exam=data["exam"],
                    category=data["category"],
                    tags=data["tags"],
                    time_limit_minutes=data["time_limit_minutes"],
                )
            except (services.QuizError, GuestLimitReached) as error:
                form.add_error(None, str(error))
                status = 429 if isinstance(error, GuestLimitReached) else 422
            else:
                if started.shortened_by_daily_limit:
                    messages.info(
                        request,
                        f"You have {started.free_questions_left} free question{pluralize(started.free_questions_left)} "
                        f"left today, so the quiz has {started.session.question_count}. Premium has no daily limit.",
                    )
                elif started.shortfall:
                    messages.info(
                        request,
                        f"Only {started.session.question_count} questions match your filters "
                        f"(you asked for {started.requested}): the quiz starts with those.",
                    )
                return redirect("quiz_question", started.session.pk, 1)
        else:
            status = 422
    else:
        initial = {"count": 10, "mode": QuizMode.PRACTICE}
        for key in ("exam", "category", "mode", "tags"):
            if request.GET.get(key):
                initial[key] = request.GET[key]
        form = StartQuizForm(initial=initial)
        status = 200
    return render(request, "quizzes/start.html", start_form_context(request, form), status=status)


def start_form_context(request, form) -> dict:
    """The start form with the learner's free questions left today (None: no limit applies)."""
    learner = request.learner
    return {"form": form, "free_questions_left": services.free_questions_left(learner)}


@require_safe
def quiz_resume(request, session_id):
    session = get_session_for_learner(request, session_id)
    if session.is_completed:
        return redirect("quiz_results", session.pk)
    return redirect("quiz_question", session.pk, session.current_index + 1)


def player_context(request, session, session_question, error=None, upgrade_prompt=False):
    learner = request.learner
    view = selectors.question_view(session, session_question, learner)
    # One reverse() for the whole navigation: the question URLs differ only in their last part.
    url_prefix = question_url(session, 1).removesuffix("1/")
    rows = selectors.exam_summary_rows(session, url_prefix)
    answered = sum(1 for row in rows if row["answered_at"])
    walk = request.GET.get("walk") if request.GET.get("walk") in EXAM_WALKS else ""
    return {
        "walk": walk,
        "current_number": view.number,
        "session": session,
        "view": view,
        "nav": rows,
        "previous_url": f"{url_prefix}{view.number - 1}/" if view.number > 1 else None,
        "next_url": f"{url_prefix}{view.number + 1}/" if view.number < session.question_count else None,
        "this_url": f"{url_prefix}{view.number}/",
        "answered_count": answered,
        "correct_so_far": sum(1 for row in rows if row["is_correct"]) if session.reveals_answers() else None,
        "reveal": session.reveals_answers() and session_question.is_answered,
        "can_answer": not session.is_completed and (session.is_exam or not session_question.is_answered),
        "is_last": view.number == session.question_count,
        "unanswered_count": session.question_count - answered,
        "flagged_count": sum(1 for row in rows if row["is_flagged"]),
        "error": error,
        "upgrade_prompt": upgrade_prompt,
        "seconds_left": seconds_left(session),
    }


@require_safe
@vary_on_headers("HX-Request")
def quiz_question(request, session_id, number):
    session, session_question = get_session_question_for_learner(request, session_id, number)
    if session.is_completed and session.is_exam:
        return results_after_end(request, session)
    if session.is_completed and not request.htmx:
        return redirect("quiz_results", session.pk)
    if session.is_paused:
        return render(request, "quizzes/paused.html", {"session": session})
    services.move_to(session=session, index=number - 1)
    return render_htmx_aware(
        request, "quizzes/player.html", player_context(request, session, session_question), "player"
    )


EXAM_WALKS = frozenset({"flagged", "unanswered"})  # review walks: Next goes to the next such question


def results_after_end(request, session):
    """Where an answer or a move on an ended exam goes: its results, saying why."""
    if not selectors.ended_by_time_limit(session):  # a time-out: the results page says so itself
        messages.warning(request, "This exam is already submitted: its answers can no longer change.")
    url = reverse("quiz_results", args=[session.pk])
    return HttpResponseClientRedirect(url, status=204) if request.htmx else redirect(url)


@require_POST
@vary_on_headers("HX-Request")
def quiz_exam_save(request, session_id, number):
    """An exam question's form: the choice is saved on every change (htmx) and with every way of
    leaving the question (its submit buttons, named by `go`), so nothing chosen is lost."""
    session, session_question = get_session_question_for_learner(request, session_id, number)
    if session.is_completed:
        return results_after_end(request, session)
    if not session.is_exam:
        return redirect(question_url(session, number))
    locked = not session_question.question.is_visible_to(request.learner)
    try:
        problem = None if locked else services.save_exam_choice(
            learner=request.learner, session=session, number=number, option_ids=request.POST.getlist("option")
        )
    except services.TimeUp:
        session.refresh_from_db()
        return results_after_end(request, session)
    go = request.POST.get("go", "")
    if request.htmx and not go:
        return render(request, "quizzes/player.html#save_status", {"problem": problem, **exam_nav_context(session, number)})
    if problem and not (go == "flag" and not request.POST.getlist("option")):
        messages.warning(request, problem)
    walk = request.POST.get("walk", "")
    return exam_move(request, session, session_question, go=go, walk=walk if walk in EXAM_WALKS else "")


def exam_move(request, session, session_question, *, go: str, walk: str):
    """Where an exam question's submit button `go` leads, its choice saved: a neighbour, a number,
    the next question of a review walk, the same question flagged, the review screen, or home."""
    number = session_question.question_order + 1
    target = number
    if go == "previous":
        target = number - 1
    elif go == "next" and walk:
        target = services.exam_walk_next(session=session, number=number, walk=walk)
        if target is None:
            messages.info(request, f"No more {walk} questions after question {number}.")
            return redirect("quiz_review", session.pk)
    elif go == "next":
        target = number + 1
    elif go.isascii() and go.isdigit():
        target = int(go)
    elif go == "flag":
        services.toggle_flag(session=session, session_question=session_question)
    elif go == "review":
        return redirect("quiz_review", session.pk)
    elif go == "pause":
        services.set_paused(session=session, paused=True)
        messages.success(request, "Exam paused. Your answers are saved; resume it any time from the home page.")
        return redirect("home")
    if not 1 <= target <= session.question_count:
        target = number
    url = question_url(session, target)
    return redirect(f"{url}?walk={walk}" if walk else url)


def exam_nav_context(session, number):
    rows = selectors.exam_summary_rows(session, question_url(session, 1).removesuffix("1/"))
    answered = sum(1 for row in rows if row["is_answered"])
    return {
        "nav": rows,
        "current_number": number,
        "answered_count": answered,
        "unanswered_count": len(rows) - answered,
        "flagged_count": sum(1 for row in rows if row["is_flagged"]),
    }


@require_safe
def quiz_review(request, session_id):
    """The exam's summary before the final submit: every question's state, links back, the walks."""
    session = get_session_for_learner(request, session_id)
    if session.is_completed:
        return redirect("quiz_results", session.pk)
    if not session.is_exam:
        return redirect("quiz_question", session.pk, session.current_index + 1)
    url_prefix = question_url(session, 1).removesuffix("1/")
    rows = selectors.exam_summary_rows(session, url_prefix)
    first_flagged = next((row for row in rows if row["is_flagged"]), None)
    first_unanswered = next((row for row in rows if not row["is_answered"]), None)
    context = {
        "session": session,
        "rows": rows,
        "answered_count": sum(1 for row in rows if row["is_answered"]),
        "unanswered_count": sum(1 for row in rows if not row["is_answered"]),
        "flagged_count": sum(1 for row in rows if row["is_flagged"]),
        "first_flagged": first_flagged,
        "first_unanswered": first_unanswered,
        "seconds_left": seconds_left(session),
    }
    return render(request, "quizzes/exam_review.html", context)


def seconds_left(session):
    if session.deadline is None or session.is_completed:
        return None
    return max(0, int((session.deadline - timezone.now()).total_seconds()))


@require_POST
def exam_full_start(request, code):
    exam = get_object_or_404(Exam.objects.active(), code=code)
    try:
        learner = get_or_create_learner(request)
        full = services.start_full_exam(user=learner, exam=exam)
    except (services.QuizError, GuestLimitReached) as error:
        messages.warning(request, str(error))
        return redirect("exam_detail", exam.code)
    for shortfall in full.shortfalls:
        messages.info(
            request,
            f"The blueprint asks for {shortfall.wanted} {shortfall.category.name} questions; "
            f"only {shortfall.found} are available, so this exam has fewer.",
        )
    if full.started.shortened_by_daily_limit:
        messages.info(
            request,
            f"You have {full.started.free_questions_left} free questions left today, so this practice exam "
            f"has {full.session.question_count} of its {full.started.requested}, drawn by the same blueprint. "
            "Premium has no daily limit.",
        )
    elif full.started.shortfall:
        messages.info(
            request,
            f"This practice exam has {full.session.question_count} questions instead of "
            f"{full.started.requested}: the bank has too few yet.",
        )
    return redirect("quiz_question", full.session.pk, 1)


@require_POST
@vary_on_headers("HX-Request")
def quiz_answer(request, session_id, number):
    learner = request.learner
    if learner is None:
        raise Http404("No such question in this quiz.")
    try:
        answered = answer_counting_guests(request, learner, session_id, number)
    except services.PremiumRequired as error:
        return HttpResponse(str(error), status=403)
    except services.QuizError as error:
        session, session_question = get_session_question_for_learner(request, session_id, number)
        if session.is_completed:
            messages.warning(request, str(error))
            url = reverse("quiz_results", args=[session.pk])
            return HttpResponseClientRedirect(url, status=204) if request.htmx else redirect(url)
        context = player_context(
            request,
            session,
            session_question,
            error=str(error),
            upgrade_prompt=isinstance(error, services.DailyLimitReached),
        )
        return render_htmx_aware(request, "quizzes/player.html", context, "player", status=422)
    session, session_question = answered.session, answered.session_question
    if not request.htmx:
        return redirect(question_url(session, number) + ("#feedback" if session.reveals_answers() else ""))
    response = render_htmx_aware(
        request, "quizzes/player.html", player_context(request, session, session_question), "player"
    )
    return push_url(response, question_url(session, number))


def answer_counting_guests(request, learner, session_id, number) -> services.RecordedAnswer:
    """services.answer_question; a guest's answer also counts against the daily limit that all guests
    of the client's address share (a refused answer is given back)."""
    def answer():
        return services.answer_question(
            learner=learner, session_id=session_id, number=number, option_ids=request.POST.getlist("option")
        )

    if not learner.is_guest:
        return answer()
    try:
        take_guest_answer(request)
    except GuestLimitReached as error:
        raise services.DailyLimitReached(str(error)) from None
    try:
        return answer()
    except services.QuizError:
        give_back_guest_answer(request)
        raise


@require_POST
@vary_on_headers("HX-Request")
def quiz_flag(request, session_id, number):
    session, session_question = get_session_question_for_learner(request, session_id, number)
    try:
        services.toggle_flag(session=session, session_question=session_question)
    except services.QuizError as error:
        messages.warning(request, str(error))
        url = reverse("quiz_results", args=[session.pk])
        return HttpResponseClientRedirect(url, status=204) if request.htmx else redirect(url)
    if not request.htmx:
        return redirect(question_url(session, number))
    return render_htmx_aware(
        request, "quizzes/player.html", player_context(request, session, session_question), "player"
    )


@require_POST
@vary_on_headers("HX-Request")
def quiz_finish(request, session_id):
    session = get_session_for_learner(request, session_id)
    services.finish_session(session=session)
    url = reverse("quiz_results", args=[session.pk])
    return HttpResponseClientRedirect(url, status=204) if request.htmx else redirect(url)


def quiz_discard(request, session_id):
    """GET asks for confirmation, POST discards (services.discard_session says what that keeps)."""
    session = get_session_for_learner(request, session_id)
    if session.is_completed:
        messages.info(request, "This quiz is finished: its results stay in My quizzes.")
        return redirect("quiz_results", session.pk)
    if request.method == "POST":
        if services.discard_session(session=session):
            messages.success(request, "Quiz discarded.")
        else:
            messages.success(request, "Quiz ended. The answers you gave still count towards your progress.")
        return redirect("history")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    answered = session.session_questions.filter(answered_at__isnull=False).count()
    return render(request, "quizzes/discard.html", {"session": session, "answered": answered})


@require_POST
@vary_on_headers("HX-Request")
def quiz_pause(request, session_id):
    session = get_session_for_learner(request, session_id)
    if session.is_completed:
        return redirect("quiz_results", session.pk)
    services.set_paused(session=session, paused=True)
    messages.success(request, "Quiz paused. Resume it any time from the home page.")
    url = reverse("home")
    return HttpResponseClientRedirect(url, status=204) if request.htmx else redirect(url)


@require_POST
def quiz_resume_paused(request, session_id):
    session = get_session_for_learner(request, session_id)
    if session.is_completed:
        return redirect("quiz_results", session.pk)
    services.set_paused(session=session, paused=False)
    return redirect("quiz_question", session.pk, session.current_index + 1)


@require_safe
def quiz_results(request, session_id):
    session = get_session_for_learner(request, session_id)
    if not session.is_completed:
        return render(request, "quizzes/not_finished.html", {"session": session}, status=409)
    learner = request.learner
    views = selectors.review_views(session, learner)
    spent = selectors.time_per_question(session, [view.session_question for view in views])
    for view in views:
        view.time_spent = spent.get(view.session_question.question_order)
    wrong_only = request.GET.get("show") == "wrong"
    percentage = session.percentage
    passing_score = None
    if session.is_exam:
        passing_score = session.exam.passing_score if session.exam else DEFAULT_PASSING_SCORE
    context = {
        "session": session,
        "views": [view for view in views if not view.session_question.is_correct] if wrong_only else views,
        "wrong_only": wrong_only,
        "breakdown": selectors.blueprint_breakdown(session, selectors.category_breakdown(session)),
        "wrong_count": sum(1 for view in views if not view.session_question.is_correct),
        "answered_count": sum(1 for view in views if view.session_question.is_answered),
        "passing_score": passing_score,
        "passed": None if passing_score is None else (percentage or 0) >= passing_score,
        "time_up": selectors.ended_by_time_limit(session),
    }
    return render(request, "quizzes/results.html", context)


@require_POST
def quiz_retry_mistakes(request, session_id):
    session = get_session_for_learner(request, session_id)
    if not session.is_completed:
        return redirect("quiz_results", session.pk)
    try:
        started = services.retry_mistakes(session=session)
    except services.QuizError as error:
        messages.info(request, str(error))
        return redirect("quiz_results", session.pk)
    return redirect("quiz_question", started.session.pk, 1)


@require_safe
def history(request):
    learner = request.learner
    sessions = QuizSession.objects.none()
    if learner:
        sessions = (
            QuizSession.objects.filter(user=learner)
            .select_related("exam", "category")
            .annotate(answered_count=Count("session_questions", filter=Q(session_questions__answered_at__isnull=False)))
            .order_by("-started_at")
        )
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    return render(request, "quizzes/history.html", {"page": page})


@require_safe
def bookmarks(request):
    learner = request.learner
    exams = Exam.objects.active()
    categories = Category.objects.active()
    exam = exams.filter(code=request.GET.get("exam") or None).first()
    category = categories.filter(code=request.GET.get("category") or None).first()
    query = (request.GET.get("q") or "").strip()[:200]
    marks = Bookmark.objects.none()
    if learner:
        marks = (
            Bookmark.objects.filter(user=learner)
            .select_related("question")
            .prefetch_related(Prefetch("question__options", QuestionOption.objects.filter(is_correct=True)))
            .annotate(in_open_exam=Exists(
                selectors.open_exam_question_ids(learner).filter(question_id=OuterRef("question_id"))
            ))
            .order_by("-created_at")
        )
        if exam:
            marks = marks.filter(Exists(QuestionExam.objects.filter(question=OuterRef("question"), exam=exam)))
        if category:
            marks = marks.filter(
                Exists(QuestionCategory.objects.filter(question=OuterRef("question"), category=category))
            )
        if query:
            marks = marks.filter(question__question_text__icontains=query)
    page = Paginator(marks, 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "exams": exams,
        "categories": categories,
        "selected_exam": exam,
        "selected_category": category,
        "query": query,
    }
    return render(request, "quizzes/bookmarks.html", context)


@require_POST
@vary_on_headers("HX-Request")
def bookmark_toggle(request, question_id):
    try:
        learner = get_or_create_learner(request)
    except GuestLimitReached as error:
        return HttpResponse(str(error), status=429)
    question = get_object_or_404(
        Question.objects.visible_to(learner), pk=question_id
    )
    is_bookmarked = services.toggle_bookmark(user=learner, question=question)
    if request.htmx:
        return render(
            request,
            "quizzes/partials.html#bookmark_button",
            {"question": question, "is_bookmarked": is_bookmarked, "next": request.POST.get("next", "")},
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("bookmarks")
    messages.success(request, "Bookmarked." if is_bookmarked else "Bookmark removed.")
    return redirect(next_url)
