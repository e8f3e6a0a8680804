"""Playwright driving Debian's Chromium against the live test server.

Every page fails its test on a browser console error or a Content-Security-Policy
violation. Screenshots go to test-output/screenshots/ so a person can look at them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def demo(transactional_db, settings):
    """The three demo municipalities, loaded as `make demo` does."""
    from pmp_portal.demo import load_demo_data

    settings.DEBUG = True
    load_demo_data()
    settings.DEBUG = False


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread; the ORM calls of
    # fixtures and assertions are still synchronous and safe. Only for these modules.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="lv-LV")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        # Chromium reports CSP violations and failed loads as console errors.
        if message.type == "error" or "Content-Security-Policy" in message.text:
            problems.append(f"console {message.type}: {message.text} @ {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()
    assert problems == [], "browser reported problems"


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, email: str, password: str) -> None:
    page.goto(f"{page.base_url}/login/")
    page.get_by_label("E-pasts").or_(page.get_by_label("E-mail")).fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def switch_language(page, code: str) -> None:
    page.locator(f".lang-switch button[value={code}]").click()
    page.wait_for_load_state()
