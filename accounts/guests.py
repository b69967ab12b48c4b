"""Try before signing up: a visitor's quizzes belong to a `guest` user bound to the browser session."""

from django.contrib.auth import get_user_model

from accounts.models import Role

GUEST_SESSION_KEY = "guest_user_id"


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
        learner = get_user_model().objects.create_guest()
        request.session[GUEST_SESSION_KEY] = str(learner.pk)
    return learner
