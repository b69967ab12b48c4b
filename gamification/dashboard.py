"""The dashboard's content for one learner: selectors plus charts, a fixed number of queries
whatever the learner's history (tests/gamification/test_dashboard_queries.py lists them)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

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
    first_day = today - timedelta(days=today.weekday(), weeks=rules.HEATMAP_WEEKS - 1)
    activity = selectors.daily_activity(learner, first_day, today)
    badges = selectors.badge_statuses(learner, progress, mastery)
    return {
        "empty": False,
        "time_zone": tzinfo,
        "progress": progress,
        "level": LevelProgress.of(progress),
        "streak": rules.current_streak(progress.streak, progress.last_study_day, today),
        "studied_today": progress.last_study_day == today,
        "heat_map": charts.heat_map(activity, today),
        "accuracy_chart": charts.accuracy_chart(activity, today),
        "mastery": mastery,
        "mastery_chart": charts.mastery_chart([row for row in mastery if row.attempted]),
        "not_practised": [row for row in mastery if not row.attempted],
        "weak_areas": selectors.weak_areas(mastery),
        "mastery_threshold": rules.MASTERY_THRESHOLD,
        "review": selectors.review_summary(learner, now),
        "readiness": [(row, charts.sparkline(row.trend)) for row in selectors.exam_readiness(learner)],
        "sessions": selectors.recent_sessions(learner),
        "unlocked_badges": sorted((b for b in badges if b.unlocked_at), key=lambda b: b.unlocked_at, reverse=True),
        "locked_badges": [b for b in badges if not b.unlocked_at],
        **leaderboard_context(learner, now),
    }
