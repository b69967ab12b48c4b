"""Two app hosts: two gunicorn servers on different loopback ports against one database (and one
Redis when CERTQUIZ_TEST_REDIS_URL names one). Nothing a learner does is tied to one host."""

import hashlib
import hmac
import json
import os
import time
import uuid

import pytest

from tests.reliability.harness import DEMO_LEARNER, REDIS_URL_ENV, WEBHOOK_SECRET, Browser

pytestmark = pytest.mark.slow

needs_redis = pytest.mark.skipif(
    not os.environ.get(REDIS_URL_ENV),
    reason=f"rate limits are shared between hosts through Redis: set {REDIS_URL_ENV}=redis://host:6379/N",
)


def session_id(quiz_path: str) -> str:
    return quiz_path.strip("/").split("/")[1]


def test_a_learner_answers_on_one_host_and_continues_on_the_other_with_the_same_cookie(
    separate_postgres, app_database, start_gunicorn
):
    first, second = start_gunicorn(), start_gunicorn()
    on_first = Browser(first.url)
    assert on_first.log_in(*DEMO_LEARNER).status_code == 302
    quiz = on_first.start_quiz(count=3)
    assert on_first.answer(quiz, 1).status_code == 302

    on_second = on_first.on(second.url)  # the same cookies, another host
    assert on_second.get("/account/").status_code == 200  # still signed in there
    assert "your answer" in on_second.get(f"{quiz}q/1/").text.lower()  # sees the answer given on the first
    assert on_second.answer(quiz, 2).status_code == 302
    assert on_first.answer(quiz, 3).status_code == 302
    finish = on_second.post(f"{quiz}finish/")
    assert finish.status_code == 302 and finish.headers["Location"] == f"{quiz}results/"

    results = on_first.get(f"{quiz}results/")
    assert results.status_code == 200
    with separate_postgres.connect(app_database.rsplit("/", 1)[1]) as connection:
        rows = connection.execute(
            "SELECT count(*) FILTER (WHERE answered_at IS NOT NULL), count(*) FROM session_questions WHERE session_id = %s",
            [session_id(quiz)],
        ).fetchone()
        completed = connection.execute(
            "SELECT completed_at IS NOT NULL FROM quiz_sessions WHERE id = %s", [session_id(quiz)]
        ).fetchone()
    assert rows == (3, 3) and completed == (True,)


def signed_post(browser, body: bytes):
    signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return browser.session.post(
        browser.base_url + "/billing/webhooks/bmac/",
        data=body,
        headers={"Content-Type": "application/json", "x-signature-sha256": signature},
        timeout=10,
    )


@needs_redis
def test_the_webhook_rate_limit_is_shared_by_the_hosts(start_gunicorn):
    first, second = start_gunicorn(WEBHOOK_RATE_LIMIT="6/h"), start_gunicorn(WEBHOOK_RATE_LIMIT="6/h")
    hosts = [Browser(first.url, host="localhost"), Browser(second.url, host="localhost")]
    seconds_left = 3600 - time.time() % 3600  # the limit counts in fixed hours: stay inside one
    if seconds_left < 30:
        time.sleep(seconds_left + 0.5)
    statuses = []
    for n in range(8):
        body = json.dumps({"event_id": f"evt_{uuid.uuid4().hex}", "type": "extra_purchase.created",
                           "live_mode": True, "data": {}}).encode()
        statuses.append(signed_post(hosts[n % 2], body).status_code)
    # Six in the hour from this address, whichever host took them; then both refuse.
    assert statuses[:6] == [200] * 6 and statuses[6:] == [429, 429], statuses


@needs_redis
def test_failed_logins_count_across_hosts(start_gunicorn):
    first, second = start_gunicorn(), start_gunicorn()
    # One public name for both, as behind the reverse proxy (allauth keys the count by host and login).
    hosts = [Browser(first.url, host="localhost"), Browser(second.url, host="localhost")]
    username, password = DEMO_LEARNER
    for n in range(5):  # allauth: 5 failed logins per account in 5 minutes
        response = hosts[n % 2].log_in(username, f"wrong-{n}")
        assert response.status_code == 200 and "too many" not in response.text.lower()

    # The sixth, on either host and even with the right password, is refused.
    for host in hosts:
        refused = host.log_in(username, password)
        assert refused.status_code == 200, refused.status_code
        assert "Too many failed login attempts" in refused.text
