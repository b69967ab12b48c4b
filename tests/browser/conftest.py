"""Real Chromium through Playwright against pytest-django's live server.

Run alone: `.venv/bin/python -m pytest tests/browser -m browser -p no:xdist -q`."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from accounts.factories import UserFactory
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import QuestionType

# Playwright's sync API runs an event loop in this thread; without this Django refuses ORM calls
# from the test body (the live server itself runs in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).parent / "screenshots"


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


def log_in(context, live_server, user) -> None:
    """Give the browser context a signed-in session cookie for `user` on the live server."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def start_quiz(page, *, count: int, mode: str = "Practice", time_limit_minutes: int | None = None) -> None:
    """Fill the start form on /quiz/start/ and land on question 1."""
    page.goto("/quiz/start/")
    page.get_by_label("Number of questions").fill(str(count))
    page.get_by_label(mode, exact=True).check()
    if time_limit_minutes is not None:
        page.get_by_label("Time limit (minutes)").fill(str(time_limit_minutes))
    page.get_by_role("button", name="Start quiz").click()
    expect(page.get_by_role("heading", name=f"Question 1 of {count}")).to_be_visible()


def answer_first_option(page) -> None:
    """Click the first option's label and check it (practice), or wait for it to be saved (exam)."""
    page.locator("#player label.option").first.click()
    check = page.get_by_role("button", name="Check answer")
    if check.count():
        check.click()
    else:
        expect(page.locator("#save-status")).to_contain_text("Saved")


def assert_accessible(page) -> None:
    """Fail listing every axe-core violation of impact serious or critical on the current page."""
    results = Axe().run(page)
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not problems, f"Accessibility violations on {page.url}:\n" + "\n".join(problems)


def save_screenshot(page, request, label: str) -> Path:
    """Save a full-page PNG as tests/browser/screenshots/<test>-<width>x<height>-<label>.png."""
    size = page.viewport_size
    name = request.node.originalname
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}-{label}.png"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
