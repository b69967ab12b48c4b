"""The database goes down under a running app, for real: gunicorn serves production settings from
a PostgreSQL of this test's own, which the test stops (pg_ctl stop -m fast) and starts again."""

import time

import pytest

from tests.reliability.harness import DEMO_LEARNER, Browser

pytestmark = pytest.mark.slow

FRIENDLY = "CertQuiz is back in a moment"


def assert_friendly_503(response, path):
    assert response.status_code == 503, (path, response.status_code, response.text[:500])
    assert response.headers["Retry-After"] == "30", path
    assert "Traceback" not in response.text and "OperationalError" not in response.text, path


def wait_until_served(browser, path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        response = browser.get(path)
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_with_the_database_down_pages_answer_a_friendly_503_and_service_resumes_without_restart(
    separate_postgres, app_database, start_gunicorn
):
    server = start_gunicorn()
    learner = Browser(server.url)
    home = learner.get("/")  # production settings on a real server: the security headers are there
    assert home.status_code == 200
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert home.headers["X-Frame-Options"] == "DENY" and home.headers["X-Content-Type-Options"] == "nosniff"
    assert learner.log_in(*DEMO_LEARNER).status_code == 302
    quiz = learner.start_quiz(count=3)
    assert learner.answer(quiz, 1).status_code == 302  # acknowledged
    second_option = learner.option_ids(quiz, 2)[0]
    visitor = Browser(server.url)

    separate_postgres.stop()
    try:
        pages = {path: learner.get(path) for path in ["/", f"{quiz}q/2/", "/dashboard/", "/quiz/history/", "/account/"]}
        visitor_home = visitor.get("/")
        pages["visitor /exams/CCNA/"] = visitor.get("/exams/CCNA/")
        answer = learner.post(f"{quiz}q/2/answer/", {"option": second_option})
        health = learner.get("/healthz")
        webhook = learner.session.post(
            server.url + "/billing/webhooks/bmac/", data=b"{}", headers={"x-signature-sha256": "00"}, timeout=10
        )
    finally:
        separate_postgres.start()

    for path, page in pages.items():
        assert_friendly_503(page, path)
        assert FRIENDLY in page.text, path
    assert_friendly_503(answer, "answer")
    # A visitor's home page may be served from the catalogue cache without the database.
    assert visitor_home.status_code in (200, 503), visitor_home.status_code
    if visitor_home.status_code == 503:
        assert_friendly_503(visitor_home, "visitor /")
    assert health.status_code == 503 and health.json() == {"db": "unavailable"}
    # A bad signature is refused before the database is needed.
    assert webhook.status_code == 401

    # Back without restarting gunicorn: the same master process, reconnecting on the next requests.
    assert server.process.poll() is None
    assert wait_until_served(learner, "/healthz").status_code == 200
    assert wait_until_served(learner, "/").status_code == 200
    assert learner.get("/healthz").json() == {"db": "ok"}
    results = learner.get(f"{quiz}q/1/")
    assert results.status_code == 200
    # The answer acknowledged before the outage is kept: question 1 shows it answered.
    with separate_postgres.connect(app_database.rsplit("/", 1)[1]) as connection:
        answered = connection.execute(
            "SELECT question_order FROM session_questions WHERE session_id = %s AND answered_at IS NOT NULL",
            [quiz.strip("/").split("/")[1]],
        ).fetchall()
    assert answered == [(0,)]
    # And the learner carries on where they were: the refused answer can be given now.
    assert learner.post(f"{quiz}q/2/answer/", {"option": second_option}).status_code == 302
