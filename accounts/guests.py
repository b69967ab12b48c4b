"""Try before signing up: a visitor's quizzes belong to a `guest` user bound to the browser session.

When the visitor signs up, the guest row itself becomes the account (AccountAdapter.new_user), so
everything that points at it stays. When the visitor logs in to an existing account instead, the
guest's work moves to that account and the guest is deleted (merge_guest_into)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal

from accounts.models import Role, User
from accounts.time_zones import DEFAULT_TIME_ZONE, browser_time_zone

GUEST_SESSION_KEY = "guest_user_id"

# Sent inside merge_guest_into's transaction, before the guest is deleted, with `guest` and `user`:
# apps above accounts (e.g. gamification's derived progress) fold the guest's rows into the user's.
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
    learner = get_learner(request)
    if learner is None:
        learner = get_user_model().objects.create_guest(time_zone=browser_time_zone(request) or DEFAULT_TIME_ZONE)
        request.session[GUEST_SESSION_KEY] = str(learner.pk)
    return learner


def forget_session_guest(request) -> None:
    request.session.pop(GUEST_SESSION_KEY, None)


@transaction.atomic
def merge_guest_into(*, guest: User, user: User) -> None:
    """Move the guest's quiz sessions, bookmarks and problem reports to `user`, then delete the guest.

    A bookmark the user already has is dropped rather than duplicated. Problem reports are moved
    because they protect their reporter from deletion."""
    from quizzes.models import Bookmark, ProblemReport, QuizSession

    # The row lock makes a second, concurrent login with the same session find no guest left.
    guest = get_user_model().objects.select_for_update().filter(pk=guest.pk, role=Role.GUEST).first()
    if guest is None or guest.pk == user.pk:
        return
    QuizSession.objects.filter(user=guest).update(user=user)
    already_bookmarked = Bookmark.objects.filter(user=user).values("question")
    Bookmark.objects.filter(user=guest).exclude(question__in=already_bookmarked).update(user=user)
    ProblemReport.objects.filter(reporter=guest).update(reporter=user)
    guest_merged.send(sender=get_user_model(), guest=guest, user=user)
    guest.delete()


def merge_session_guest(request, user: User) -> None:
    """After `user` logged in: hand them the session's guest work, if any, and forget the guest."""
    guest = get_session_guest(request)
    if guest is not None and guest.pk != user.pk and not user.is_guest:
        merge_guest_into(guest=guest, user=user)
    forget_session_guest(request)
