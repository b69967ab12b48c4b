"""Helpers of the browser tests (plain functions and constants; the fixtures are in tests/browser/conftest.py)."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import expect

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
SCREENSHOTS = Path(__file__).resolve().parents[1] / "browser" / "screenshots"


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


def assert_accessible(page, impacts=("serious", "critical")) -> None:
    """Fail listing every axe-core violation of these impacts (None: of any impact) on the current page."""
    results = Axe().run(page)
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if impacts is None or violation["impact"] in impacts
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
