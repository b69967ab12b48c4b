"""The dashboard's content for one learner: selectors plus charts, a fixed number of queries.

Queries (after the session and the user): progress, categories, the recent answers (readiness and
smart review), daily activity, badges, recent sessions, leaderboard profile, leaderboard: 8 whatever
the history and the bank, plus the summary of the older answers and the exam -> categories map when
they are not cached (gamification.history). Daily activity, readiness and review are cached (see
history_figures) until the learner's next final answer, so a dashboard seen again costs 6."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache

from gamification import charts, rules, selectors
from gamification.forms import LeaderboardForm
from gamification.models import Badge


@dataclass(frozen=True)
class LevelProgress:
    level: int
    experience: int
    into_level: int
    needed: int

    @property
    def to_next(self) -> int:
        return self.needed - self.into_level

    @classmethod
    def of(cls, progress) -> "LevelProgress":
        level, experience = progress.level, progress.experience
        floor, ceiling = rules.xp_for_level(level), rules.xp_for_level(level + 1)
        return cls(level, experience, max(0, min(experience - floor, ceiling - floor)), ceiling - floor)


def study_time_text(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def leaderboard_context(learner, now: datetime, form: LeaderboardForm | None = None) -> dict:
    profile = selectors.leaderboard_profile(learner) if learner else None
    if form is None:
        initial = {"show_me": profile is not None, "display_name": profile.display_name if profile else ""}
        form = LeaderboardForm(learner=learner, initial=initial)
    return {
        "leaderboard": selectors.weekly_leaderboard(learner, now),
        "leaderboard_week": selectors.week_start(now),
        "leaderboard_profile": profile,
        "leaderboard_form": form,
        "can_join_leaderboard": bool(learner) and not learner.is_guest,
    }


def empty_context() -> dict:
    """No learner yet, or no answer yet: what there is to earn."""
    return {"empty": True, "badges_to_earn": list(Badge.objects.all())}


HISTORY_CACHE_SECONDS = 300  # bounds what no key change notices (a quiz deleted), as for the catalogue


def history_key(learner, progress, today, version: str) -> str:
    """Changes with every final answer: the progress row's updated_at (set by its trigger in each
    answer's transaction) and its totals (which also move when answers share a transaction)."""
    premium = int(bool(getattr(learner, "has_premium", False)))
    return (
        f"dashboard:history:{learner.pk}:{progress.updated_at.timestamp()}:{progress.total_questions}:"
        f"{progress.experience}:{premium}:{learner.tzinfo}:{today.isoformat()}:{version}"
    )


def history_figures(learner, progress, now: datetime, today, tzinfo) -> dict:
    """Daily activity of the heat-map weeks, exam readiness and the smart review summary: the three
    queries that read the learner's history, cached per learner. The key holds the learner's day
    (activity and review depend on nothing else but the answers); readiness compares with the same
    time 1-4 weeks ago, so it is kept only until one of those moments passes an answer."""
    version = selectors.catalogue_version()
    key = history_key(learner, progress, today, version)
    figures = cache.get(key)
    if figures is not None and figures["computed_at"] <= now and (
        figures["readiness_until"] is None or now < figures["readiness_until"]
    ):
        return figures
    first_day = today - timedelta(days=today.weekday(), weeks=rules.HEATMAP_WEEKS - 1)
    history = selectors.load_history(learner, now, version, total=progress.total_questions)
    readiness, readiness_until = selectors.exam_readiness_until(learner, now, version, history)
    figures = {
        "computed_at": now,
        "activity": selectors.daily_activity(learner, first_day, today, tzinfo),
        "readiness": readiness,
        "readiness_until": readiness_until,
        "review": selectors.review_summary(learner, selectors.day_start(today + timedelta(days=1), tzinfo), history),
    }
    cache.set(key, figures, HISTORY_CACHE_SECONDS)
    return figures


def dashboard_context(learner, now: datetime) -> dict:
    progress = selectors.progress_of(learner)
    if progress is None or not progress.total_questions:
        return {
            **empty_context(),
            "time_zone": learner.tzinfo,
            "sessions": selectors.recent_sessions(learner),
            **leaderboard_context(learner, now),
        }
    tzinfo = learner.tzinfo
    today = now.astimezone(tzinfo).date()
    mastery = selectors.category_mastery(progress)
    history = history_figures(learner, progress, now, today, tzinfo)
    activity = history["activity"]
    badges = selectors.badge_statuses(learner, progress, mastery)
    return {
        "empty": False,
        "time_zone": tzinfo,
        "progress": progress,
        "level": LevelProgress.of(progress),
        "streak": rules.current_streak(progress.streak, progress.last_study_day, today),
        "studied_today": progress.last_study_day == today,
        "study_time": study_time_text(progress.study_time),
        "heat_map": charts.heat_map(activity, today),
        "accuracy_chart": charts.accuracy_chart(activity, today),
        "mastery": mastery,
        "mastery_chart": charts.mastery_chart([row for row in mastery if row.attempted]),
        "not_practised": [row for row in mastery if not row.attempted],
        "weak_areas": selectors.weak_areas(mastery),
        "mastery_threshold": rules.MASTERY_THRESHOLD,
        "review_intervals": ", ".join(map(str, rules.REVIEW_INTERVALS_DAYS)),
        "review": history["review"],
        "readiness": [(exam, charts.sparkline(exam.trend)) for exam in history["readiness"]],
        "sessions": selectors.recent_sessions(learner),
        "unlocked_badges": sorted((b for b in badges if b.unlocked_at), key=lambda b: b.unlocked_at, reverse=True),
        "locked_badges": [b for b in badges if not b.unlocked_at],
        **leaderboard_context(learner, now),
    }
