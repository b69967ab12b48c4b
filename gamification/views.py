from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from gamification import rules, selectors, services
from gamification.dashboard import dashboard_context, empty_context, leaderboard_context
from gamification.forms import LeaderboardForm
from quizzes.models import Category, QuizMode
from quizzes.services import QuizError, start_session


@require_safe
def dashboard(request):
    learner = request.learner
    context = dashboard_context(learner, timezone.now()) if learner else empty_context()
    if "review" in context:
        request.due_review_count = context["review"].due  # what the navigation shows too: counted once
    return render(request, "gamification/dashboard.html", context)


@require_safe
def help_page(request):
    levels = [(level, rules.xp_for_level(level)) for level in range(1, 11)]
    return render(request, "gamification/help.html", {
        "rules": rules,
        "levels": levels,
        "forget_percent": round(100 * (1 - rules.REVIEW_DESIRED_RETENTION)),
        "week_weight_2": round(rules.READINESS_WEEK_WEIGHT**2, 2),
        "due_count_cap": selectors.DUE_COUNT_CAP,
    })


def start_practice(request, **kwargs):
    """Start a practice quiz and go to its first question; a refusal goes back to the dashboard."""
    try:
        started = start_session(user=request.learner, mode=QuizMode.PRACTICE, **kwargs)
    except QuizError as error:
        messages.info(request, str(error))
        return redirect("dashboard")
    return redirect("quiz_question", started.session.pk, 1)


@require_POST
def weak_area_quiz(request, code):
    if not request.learner:
        return redirect("quiz_start")
    category = get_object_or_404(Category.objects.active(), code=code)
    return start_practice(request, category=category, count=rules.WEAK_AREA_QUIZ_SIZE)


@require_POST
@vary_on_headers("HX-Request")
def leaderboard_settings(request):
    learner = request.learner
    if not learner or learner.is_guest:
        return HttpResponseForbidden("Create an account to join the leaderboard.")
    form = LeaderboardForm(request.POST, learner=learner)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.set_leaderboard_name(user=learner, display_name=form.chosen_name)
        except IntegrityError:  # the same name taken by someone else a moment ago
            form.add_error("display_name", "Another learner already uses this name.")
    saved = not form.errors
    if saved and not request.htmx:
        messages.success(request, "Leaderboard settings saved.")
        return redirect(reverse("dashboard") + "#leaderboard")
    now = timezone.now()
    context = {**leaderboard_context(learner, now, None if saved else form), "leaderboard_saved": saved}
    status = 200 if saved else 422
    if not request.htmx:
        context = {**dashboard_context(learner, now), **context}
        return render(request, "gamification/dashboard.html", context, status=status)
    return render(request, "gamification/dashboard.html#leaderboard", context, status=status)
