from django.utils.functional import SimpleLazyObject

from accounts.guests import get_learner


class LearnerMiddleware:
    """Sets request.learner: the signed-in user or the session's guest (None for a new visitor).
    Lazy, so pages that never ask cost no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.learner = SimpleLazyObject(lambda: get_learner(request))
        return self.get_response(request)
