"""Every main page, as served, sends a Content-Security-Policy that allows only our own scripts and
styles, and contains nothing that policy would block: no inline script, no inline event handler,
no javascript: URL, no <style> block. htmx is configured for it (no eval, no injected styles)."""

import json
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.helpers.security import client_for
from tests.security.html_checks import executable_markup


def directives(response) -> dict:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_policy_holds(response, label):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], label
    assert policy["style-src"] == ["'self'"], label
    assert policy["default-src"] == ["'self'"], label
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], label
    assert policy["base-uri"] == ["'self'"], label
    found = executable_markup(response.content.decode())
    assert not found, f"{label}: {found[:3]}"


LEARNER_PAGES = {
    "home": lambda w: "/",
    "exam": lambda w: reverse("exam_detail", args=["CCNA"]),
    "start": lambda w: reverse("quiz_start"),
    "player": lambda w: reverse("quiz_question", args=[w.session.pk, 1]),
    "player, unanswered": lambda w: reverse("quiz_question", args=[w.session.pk, 2]),
    "results": lambda w: reverse("quiz_results", args=[w.finished.pk]),
    "not finished": lambda w: reverse("quiz_results", args=[w.session.pk]),
    "history": lambda w: reverse("history"),
    "bookmarks": lambda w: reverse("bookmarks"),
    "dashboard": lambda w: reverse("dashboard"),
    "dashboard help": lambda w: reverse("dashboard_help"),
    "premium": lambda w: reverse("premium"),
    "account": lambda w: reverse("account"),
    "report a problem": lambda w: reverse("report_problem", args=[w.question.pk]),
    "submit a question": lambda w: reverse("submit_question"),
    "my submissions": lambda w: reverse("my_submissions"),
    "my reports": lambda w: reverse("my_reports"),
    "change password": lambda w: reverse("account_change_password"),
}
VISITOR_PAGES = {
    "login": lambda w: reverse("account_login"),
    "signup": lambda w: reverse("account_signup"),
    "password reset": lambda w: reverse("account_reset_password"),
    "home": lambda w: "/",
    "dashboard": lambda w: reverse("dashboard"),
}
ADMIN_PAGES = {
    "admin index": lambda w: reverse("admin:index"),
    "questions": lambda w: reverse("admin:quizzes_question_changelist"),
    "question": lambda w: reverse("admin:quizzes_question_change", args=[w.question.pk]),
    "new question": lambda w: reverse("admin:quizzes_question_add"),
    "users": lambda w: reverse("admin:accounts_user_changelist"),
    "user": lambda w: reverse("admin:accounts_user_change", args=[w.users["learner"].pk]),
    "report queue": lambda w: reverse("admin:quizzes_problemreport_queue"),
    "report": lambda w: reverse("admin:quizzes_problemreport_change", args=[w.report.pk]),
    "webhook events": lambda w: reverse("admin:billing_webhookevent_changelist"),
    "import and export": lambda w: reverse("importexport:index"),
}


@pytest.mark.parametrize("persona,pages", [("learner", LEARNER_PAGES), ("anonymous", VISITOR_PAGES), ("admin", ADMIN_PAGES)])
def test_every_main_page_sends_the_policy_and_nothing_it_would_block(world, persona, pages):
    client = client_for(persona, world)
    for label, url in pages.items():
        response = client.get(url(world))
        assert response.status_code in (200, 409), (label, response.status_code)
        assert_policy_holds(response, f"{persona} {label}")


def test_htmx_fragments_carry_the_policy_too(world):
    client = client_for("learner", world)
    response = client.get(reverse("quiz_question", args=[world.session.pk, 2]), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert_policy_holds(response, "player fragment")


def test_htmx_is_configured_to_run_under_the_policy(world):
    html = client_for("learner", world).get("/").content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    assert config["allowEval"] is False  # no hx-on / eval: they would need 'unsafe-eval'
    assert config["includeIndicatorStyles"] is False  # htmx would inject a <style> element
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts


def test_the_database_outage_page_needs_nothing_the_policy_blocks():
    assert executable_markup(render_to_string("503.html")) == []


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<svg/onload=alert(2)>",
        '<a href=" JavaScript:alert(3)">x</a>',
        "<style>body{}</style>",
        '<iframe src="https://example.com"></iframe>',
    ],
)
def test_the_checker_finds_what_a_browser_would_run(html):
    assert executable_markup(html)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="/static/js/certquiz.js" defer></script>',
        '<script type="application/json" id="data">{"a": 1}</script>',
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        '<input value="&lt;img src=x onerror=alert(1)&gt;">',
        '<a href="/quiz/">javascript: the language</a>',
    ],
)
def test_the_checker_lets_inert_markup_be(html):
    assert executable_markup(html) == []
