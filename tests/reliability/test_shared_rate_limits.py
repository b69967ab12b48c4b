"""Without Redis, the rate-limit counters live in PostgreSQL (Django's database cache), so the
workers of one gunicorn share them: a limit is reached at its number, not at workers × number."""

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.reliability.harness import Browser

pytestmark = pytest.mark.slow

# Each access-log line: the worker's process id and the status.
ACCESS_LOG_FORMAT = "--access-logformat '%(p)s %(s)s %(U)s'"


def serving_workers(server, path: str) -> set[str]:
    return set(re.findall(rf"^<(\d+)> \d+ {re.escape(path)}$", server.output(), re.MULTILINE))


def in_one_window(seconds: int) -> None:
    """The webhook limit counts in fixed windows: start well inside one."""
    left = seconds - time.time() % seconds
    if left < 30:
        time.sleep(left + 0.5)


def test_two_workers_refuse_the_webhook_past_its_limit_not_past_twice_it(start_gunicorn, tmp_path):
    server = start_gunicorn(workers=2, WEBHOOK_RATE_LIMIT="10/h", GUNICORN_ACCESS_LOG="-",
                            GUNICORN_CMD_ARGS=ACCESS_LOG_FORMAT)
    in_one_window(3600)

    def post(_):
        # A connection of its own each time, several at once: both workers take requests.
        return requests.post(server.url + "/billing/webhooks/bmac/", data=b"{}", timeout=10,
                             headers={"Content-Type": "application/json", "Connection": "close"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, range(30)))

    assert statuses.count(401) == 10, statuses  # unsigned, so refused by the view: counted, not limited
    assert statuses.count(429) == 20, statuses
    assert len(serving_workers(server, "/billing/webhooks/bmac/")) == 2, server.output()


def test_two_workers_count_sign_ups_from_one_address_together(start_gunicorn):
    """allauth's limits count in the same shared store (certquiz.apps)."""
    server = start_gunicorn(workers=2, GUNICORN_ACCESS_LOG="-", GUNICORN_CMD_ARGS=ACCESS_LOG_FORMAT)
    browsers = [Browser(server.url) for _ in range(6)]
    for browser in browsers:
        browser.get("/accounts/signup/")  # its CSRF cookie

    def sign_up(n):
        # An incomplete form: refused with its errors (200), but a sign-up attempt all the same.
        return browsers[n % len(browsers)].post("/accounts/signup/", {"email": f"x{n}@example.com"},
                                                headers={"Connection": "close"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(sign_up, range(30)))

    # ACCOUNT_RATE_LIMITS["signup"]: 20 a minute per address, whichever worker counts them.
    assert statuses.count(200) == 20 and statuses.count(429) == 10, statuses
    assert len(serving_workers(server, "/accounts/signup/")) == 2, server.output()
