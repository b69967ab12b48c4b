"""Writes other than the answer's progress (gamification.progress): the guest merge and the
leaderboard opt-in."""

from django.db import transaction

from gamification import progress
from gamification.models import LeaderboardProfile, UserBadge


@transaction.atomic
def merge_guest_progress(*, guest, user) -> None:
    """The guest's quizzes now belong to `user`: keep the guest's badges and rebuild the progress."""
    UserBadge.objects.bulk_create(
        [UserBadge(user=user, badge_id=badge_id, unlocked_at=unlocked_at)
         for badge_id, unlocked_at in UserBadge.objects.filter(user=guest).values_list("badge_id", "unlocked_at")],
        ignore_conflicts=True,
    )
    progress.rebuild(user=user)


def set_leaderboard_name(*, user, display_name: str | None) -> LeaderboardProfile | None:
    """Join the weekly leaderboard under `display_name`, change it, or leave (None)."""
    if not display_name:
        LeaderboardProfile.objects.filter(user=user).delete()
        return None
    profile, _ = LeaderboardProfile.objects.update_or_create(user=user, defaults={"display_name": display_name})
    return profile
