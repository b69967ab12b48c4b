"""A small fixed-window rate limit on URL prefixes (settings.RATE_LIMITED_PATHS), counted in the
rate-limit cache (settings.RATE_LIMIT_CACHE): Redis with REDIS_URL, else PostgreSQL's database cache,
so every process and host shares the counters and the limit holds across them.

Login and sign-up are limited by django-allauth (ACCOUNT_RATE_LIMITS), which counts in the same cache
(certquiz.apps).
This covers what allauth does not see, the Buy Me a Coffee webhook. It runs before the view, so a
flood is refused before the signature is checked or the database touched."""

import functools
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """"120/m", "5/s", "1000/h" or "10/30s": N requests per period."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*", text or "")
        if not match:
            raise ImproperlyConfigured(f"A rate limit must look like 120/m, 5/s or 10/30s, not {text!r}")
        limit, count, unit = match.groups()
        return cls(limit=int(limit), seconds=int(count or 1) * PERIODS[unit])


def client_ip(request) -> str:
    """The client's address as allauth's limits see it (TRUSTED_PROXY_COUNT and
    TRUSTED_CLIENT_IP_HEADER settings; an IPv6 address as its /64, which one client can rotate
    through), so every limit keys on the same address behind a proxy."""
    from allauth.account.adapter import get_adapter
    from allauth.core.internal.ratelimit import truncate_ip

    try:
        return truncate_ip(get_adapter(request).get_client_ip(request))
    except Exception:  # noqa: BLE001 - no usable address: count it under one shared key
        return "unknown"


def hit(scope: str, key: str, rate: Rate, now: float | None = None) -> tuple[bool, int]:
    """Count one request; (allowed, seconds until the window ends). Atomic on Redis and in the
    database cache: `add` creates the window's counter once, `incr` increments it in one step."""
    cache = counters()
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    cache_key = f"rl:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this request opens the window again
        cache.add(cache_key, 1, timeout=rate.seconds + 1)
        count = 1
    retry_after = max(1, int((window + 1) * rate.seconds - now))
    return count <= rate.limit, retry_after


def take(scope: str, key: str, rate_text: str) -> tuple[bool, int]:
    """Count one use of `scope` by `key` against a rate like "20/h"; (allowed, seconds to wait).
    With the cache unreachable the use is allowed, as the middleware does."""
    try:
        return hit(scope, key, parse_rate(rate_text))
    except Exception as error:  # noqa: BLE001 - serve rather than refuse everyone
        logger.warning("Rate limit not checked (cache unavailable): %s", type(error).__name__)
        return True, 0


def give_back(scope: str, key: str, rate_text: str) -> None:
    """Undo one `take` of the current window (the use it counted did not happen)."""
    rate = parse_rate(rate_text)
    try:
        counters().decr(f"rl:{scope}:{key}:{int(time.time() // rate.seconds)}")
    except Exception:  # noqa: BLE001 - the window ended, or the cache is down: the count stays
        pass


def counters():
    return caches[settings.RATE_LIMIT_CACHE]


@functools.lru_cache(maxsize=32)
def parse_rate(text: str) -> Rate:
    return Rate.parse(text)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        for rate in [*getattr(settings, "RATE_LIMITED_PATHS", {}).values(), settings.GUEST_CREATION_RATE_LIMIT]:
            parse_rate(rate)  # a bad value stops the start, not a request

    def __call__(self, request):
        for prefix, rate in getattr(settings, "RATE_LIMITED_PATHS", {}).items():
            if request.path.startswith(prefix):
                refused = self.check(request, prefix, parse_rate(rate))
                if refused is not None:
                    return refused
                break
        return self.get_response(request)

    def check(self, request, prefix: str, rate: Rate):
        try:
            allowed, retry_after = hit(prefix, client_ip(request), rate)
        except Exception as error:  # noqa: BLE001 - the cache is down: serve rather than refuse everyone
            logger.warning("Rate limit not checked (cache unavailable): %s", type(error).__name__)
            return None
        if allowed:
            return None
        logger.warning("Rate limit reached on %s", prefix)
        response = JsonResponse({"error": "Too many requests. Please retry later."}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
