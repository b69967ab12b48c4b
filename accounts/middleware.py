import zoneinfo

from django.db import DatabaseError
from django.utils import timezone

from accounts.guests import get_learner
from accounts.time_zones import browser_time_zone


class LearnerMiddleware:
    """Sets request.learner: the signed-in user or the session's guest, or None for a new visitor.
    The signed-in user is loaded anyway (TimeZoneMiddleware reads it); a guest costs one query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.learner = get_learner(request)
        except DatabaseError as error:
            request.learner = LearnerUnavailable(error)
        return self.get_response(request)


class LearnerUnavailable:
    """request.learner while the database is down: using it raises the database's error in the view,
    which then gets the outage page (certquiz.middleware.DatabaseUnavailableMiddleware) rather than
    a 404 for a learner who seems to be missing. Views that never use it (the health check, the
    payment webhook) answer as they would."""

    def __init__(self, error: DatabaseError):
        self.error = error

    def __bool__(self):
        raise self.error

    def __getattr__(self, name):
        raise self.error


class TimeZoneMiddleware:
    """Dates in the learner's own zone: the account's for a signed-in learner, the browser's (the
    `tz` cookie that static/js/timezone.js sets) for a guest or a visitor, else UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = zoneinfo.ZoneInfo(browser_time_zone(request) or "UTC")
        try:
            if request.user.is_authenticated:
                zone = request.user.tzinfo
        except DatabaseError:
            # The database is down: the view that follows fails too, and is answered with the
            # outage page (certquiz.middleware.DatabaseUnavailableMiddleware), which middleware
            # exceptions never reach.
            pass
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
