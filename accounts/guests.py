"""Try before signing up: a visitor's quizzes belong to a `guest` user bound to the browser session.

When the visitor signs up, the guest row itself becomes the account (AccountAdapter.new_user), so
everything that points at it stays. When the visitor logs in to an existing account instead, the
guest's work moves to that account and the guest is deleted (merge_guest_into)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal

from accounts.models import Role, User
from accounts.time_zones import DEFAULT_TIME_ZONE, browser_time_zone
from certquiz import ratelimit

GUEST_SESSION_KEY = "guest_user_id"


class GuestLimitReached(Exception):
    """Too many guests, or guest answers, from one client address; the message is for the visitor."""


# Sent inside merge_guest_into's transaction, before the guest is deleted, with `guest` and `user`:
# each app above accounts moves its own rows (quizzes: sessions, bookmarks, reports; gamification:
# badges and derived progress). Receivers run in INSTALLED_APPS order, so quizzes' rows have moved
# before gamification rebuilds progress from them.
guest_merged = Signal()


def get_session_guest(request):
    guest_id = request.session.get(GUEST_SESSION_KEY)
    if not guest_id:
        return None
    guest = get_user_model().objects.filter(pk=guest_id, role=Role.GUEST, is_active=True).first()
    if guest is None:
        request.session.pop(GUEST_SESSION_KEY, None)
    return guest


def get_learner(request):
    """The signed-in user, else the session's guest, else None."""
    if request.user.is_authenticated:
        return request.user
    return get_session_guest(request)


def get_or_create_learner(request):
    """Raises GuestLimitReached when the client's address made GUEST_CREATION_RATE_LIMIT guests
    already: dropping the cookie must not buy a fresh guest, with a fresh daily limit, every time."""
    learner = get_learner(request)
    if learner is None:
        address = ratelimit.client_ip(request)
        allowed, retry_after = ratelimit.take("guest-create", address, settings.GUEST_CREATION_RATE_LIMIT)
        if not allowed:
            raise GuestLimitReached(
                f"Too many guest sessions were started from your network. Sign up (it is free) or try again "
                f"in {wait_text(retry_after)}."
            )
        learner = get_user_model().objects.create_guest(time_zone=browser_time_zone(request) or DEFAULT_TIME_ZONE)
        request.session[GUEST_SESSION_KEY] = str(learner.pk)
        request.learner = learner
    return learner


def take_guest_answer(request) -> None:
    """Count one answer of a guest against the per-address daily limit (all guests from one address
    share it); raises GuestLimitReached over it. give_back_guest_answer undoes a refused answer."""
    if not settings.GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS:
        return
    allowed, retry_after = ratelimit.take("guest-answers", ratelimit.client_ip(request), guest_answers_rate())
    if not allowed:
        raise GuestLimitReached(
            f"Guests from your network have answered today's {settings.GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS} "
            f"free questions. Sign up (it is free) to keep practising, or come back in {wait_text(retry_after)}."
        )


def give_back_guest_answer(request) -> None:
    if not settings.GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS:
        return
    ratelimit.give_back("guest-answers", ratelimit.client_ip(request), guest_answers_rate())


def guest_answers_rate() -> str:
    return f"{settings.GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS}/24h"  # UTC days


def wait_text(seconds: int) -> str:
    if seconds >= 3600:
        hours = round(seconds / 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def forget_session_guest(request) -> None:
    request.session.pop(GUEST_SESSION_KEY, None)


@transaction.atomic
def merge_guest_into(*, guest: User, user: User) -> None:
    """Hand the guest's work to `user` (the guest_merged receivers move each app's rows), then
    delete the guest."""
    # The row lock makes a second, concurrent login with the same session find no guest left.
    guest = get_user_model().objects.select_for_update().filter(pk=guest.pk, role=Role.GUEST).first()
    if guest is None or guest.pk == user.pk:
        return
    guest_merged.send(sender=get_user_model(), guest=guest, user=user)
    guest.delete()


def merge_session_guest(request, user: User) -> None:
    """After `user` logged in: hand them the session's guest work, if any, and forget the guest."""
    guest = get_session_guest(request)
    if guest is not None and guest.pk != user.pk and not user.is_guest:
        merge_guest_into(guest=guest, user=user)
    forget_session_guest(request)


DELETE_BATCH_SIZE = 200


def idle_guests(*, idle_since):
    """Guests created before `idle_since` with no quiz activity since then. Guests who reported a
    problem are kept: a report protects its reporter (moving it elsewhere is a moderator's call)."""
    return (
        get_user_model()
        .objects.filter(role=Role.GUEST, created_at__lt=idle_since)
        .exclude(quiz_sessions__last_activity_at__gte=idle_since)
        .exclude(reports__isnull=False)
    )


def delete_idle_guests(*, idle_since, batch_size: int = DELETE_BATCH_SIZE) -> int:
    """Delete idle guests with their quizzes, bookmarks and progress, `batch_size` guests per
    transaction, so a large clean-up never holds long locks; returns how many were deleted."""
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(idle_guests(idle_since=idle_since).values_list("pk", flat=True)[:batch_size])
            if not batch:
                return deleted
            get_user_model().objects.filter(pk__in=batch, role=Role.GUEST).delete()
        deleted += len(batch)
