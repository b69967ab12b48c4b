import zoneinfo
from functools import cache

DEFAULT_TIME_ZONE = "UTC"
# Set by static/js/timezone.js on every page from the browser's Intl API.
TIME_ZONE_COOKIE = "tz"


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def browser_time_zone(request) -> str | None:
    """The browser's IANA zone from its cookie, or None when missing or not a real zone name."""
    name = request.COOKIES.get(TIME_ZONE_COOKIE, "")
    return name if name in time_zone_names() else None
