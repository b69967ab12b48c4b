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
        except DatabaseError:
            # The database is down: the view fails too and gets the outage page (see TimeZoneMiddleware).
            request.learner = None
        return self.get_response(request)


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
