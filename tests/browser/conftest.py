"""Real Chromium through Playwright against pytest-django's live server.

Run alone: `.venv/bin/python -m pytest tests/browser -m browser -p no:xdist -q`."""

import os

import pytest
from playwright.sync_api import sync_playwright

from accounts.factories import UserFactory
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import QuestionType
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP

# Playwright's sync API runs an event loop in this thread; without this Django refuses ORM calls
# from the test body (the live server itself runs in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def viewport():
    """Desktop size; a test parametrizes `viewport` (e.g. with PHONE) to use another."""
    return DESKTOP


@pytest.fixture
def context(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page that fails the test on any uncaught JavaScript error."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def question_bank(transactional_db):
    """Six active CCNA / OSPF questions written in Markdown: four single-answer, two multiple-answer."""
    ccna = ExamFactory(code="CCNA", name="Cisco Certified Network Associate")
    ospf = CategoryFactory(code="OSPF", name="OSPF")
    author = UserFactory(username="author")
    texts = [
        "Which **OSPF** packet type discovers neighbours on a broadcast segment?",
        "R1 shows this output:\n\n```\nR1# show ip ospf neighbor\nNeighbor ID  Pri  State      Dead Time\n2.2.2.2      1    FULL/DR    00:00:33\n```\n\nWhat is R1's role?",
        "What is the default OSPF *hello* interval on an Ethernet link?",
        "Which command sets the router ID? For example `router-id 1.1.1.1` under `router ospf 1`.",
    ]
    multiple_texts = [
        "Which **two** conditions must match for an OSPF adjacency to form?\n\n- same area\n- same timers",
        "Select the **two** LSA types an ABR generates.",
    ]
    explanation = "OSPF uses *hello* packets; see `show ip ospf interface` for the timers."
    questions = [
        QuestionFactory(question_text=text, explanation=explanation, exams=[ccna], categories=[ospf], created_by=author)
        for text in texts
    ]
    questions += [
        QuestionFactory(
            question_text=text,
            explanation=explanation,
            type=QuestionType.MULTIPLE,
            options__count=5,
            options__correct=2,
            exams=[ccna],
            categories=[ospf],
            created_by=author,
        )
        for text in multiple_texts
    ]
    return questions
