"""In Chromium: a learner without premium sees the upgrade prompt; a signed webhook arrives over
real HTTP; after a reload they have premium and their next quiz has the premium question.

Run alone like the other browser tests: `.venv/bin/python -m pytest -m browser -p no:xdist`."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from quizzes.factories import QuestionFactory
from quizzes.models import Exam, QuizSession
from tests.helpers.billing import URL, confirmed, membership, sign
from tests.billing.conftest import bmac_settings  # noqa: F401 - bmac_settings: autouse fixture
from tests.helpers.browser import assert_accessible, log_in, start_quiz

pytestmark = pytest.mark.browser

PREMIUM_TEXT = "Premium only: which LSA type does an ASBR originate?"


def post_signed_webhook(live_server, envelope) -> int:
    body = json.dumps(envelope).encode()
    request = urllib.request.Request(
        live_server.url + URL,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "x-signature-sha256": sign(body)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_a_learner_sees_the_upgrade_prompt_pays_and_gets_premium_questions(page, context, live_server, question_bank):
    exam = Exam.objects.get(code="CCNA")
    premium = QuestionFactory(question_text=PREMIUM_TEXT, exams=[exam], is_premium=True)
    learner = confirmed(UserFactory(username="alice", email="alice@example.com"))
    log_in(context, live_server, learner)

    page.goto("/billing/premium/")
    expect(page.get_by_text("Upgrade to premium")).to_be_visible()
    expect(page.locator("#plan .badge")).to_have_text("Free")
    expect(page.get_by_text("alice@example.com — ✓ confirmed")).to_be_visible()
    assert_accessible(page)

    # Another email to pay with: a confirmation link is mailed to it; until then it counts for nothing.
    page.get_by_label("Buy Me a Coffee email").fill("alice.pays@example.com")
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a confirmation link to alice.pays@example.com")
    expect(page.get_by_text("alice.pays@example.com — waiting for confirmation")).to_be_visible()
    assert_accessible(page)

    assert post_signed_webhook(live_server, membership("membership.started", learner.email)) == 200

    page.reload()
    expect(page.locator("#plan .badge")).to_have_text("Premium")
    expect(page.get_by_text("Upgrade to premium")).to_have_count(0)
    expect(page.get_by_text("Active (renews automatically)")).to_be_visible()

    start_quiz(page, count=len(question_bank) + 1)
    session = QuizSession.objects.get(user=learner)
    number = session.session_questions.get(question=premium).question_order + 1
    page.goto(f"/quiz/{session.pk}/q/{number}/")
    expect(page.get_by_text(PREMIUM_TEXT)).to_be_visible()
    expect(page.get_by_text("This is a premium question. Upgrade")).to_have_count(0)
