"""Shared browser fixtures: Playwright (sync API) driving Debian's chromium.

Use ``page`` with pytest-django's ``live_server`` and ``login(page, live_server, username,
password)``. Screenshots go to ``test-artifacts/`` (``screenshot(page, "name")``; a failing
test's page is saved automatically). Without chromium the tests skip locally and fail when
``MGTRADE_REQUIRE_SERVICES=1``.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

# live_server runs Django in a thread while Playwright's sync API owns an event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("MGTRADE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _skip_or_fail(message: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _skip_or_fail(f"chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        _skip_or_fail("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_server, username: str, password: str) -> None:
    """Sign in through the login form and wait until the app's layout is shown."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("nav.mainnav")


# ---------------------------------------------------------------- accessibility and CSP checks

# What fails a page (docs/accessibility.md): any violation of impact serious or critical, and
# any violation of a WCAG 2.1 A/AA rule whatever its impact.
WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}
FAILING_IMPACTS = {"serious", "critical"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT  # axe-core, bundled by the package

    return AXE_SCRIPT


def axe_violations(page, *, preload: bool = True) -> list[dict]:
    """Run axe-core on the page as it is now; the violations that fail a page.

    ``preload=False`` for pages whose stylesheets ``@import`` others (Django's admin): axe
    copies imported sheets into ``<style>`` elements to read them, which the CSP refuses and
    reports as the page's own violation."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_script())
    results = page.evaluate(
        "preload => axe.run(document, {resultTypes: ['violations'], preload: preload})", preload
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS or WCAG_TAGS & set(v["tags"])
    ]


def axe_version() -> str:
    return _axe_script()[:40].split("axe v", 1)[-1].split()[0]


class PageProblems:
    """Collects what a page reports in the console: CSP violations and script errors."""

    def __init__(self):
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"{page.url}: script error {error}"))

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" and (
            "Content Security Policy" in text or "Content-Security-Policy" in text
        ):
            self.items.append(f"{message.location.get('url', '')}: {text}")


def page_reflows(page) -> bool:
    """No horizontal scrolling of the page itself (WCAG 1.4.10); tables scroll in their region."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def storage_state_for(browser, live_server, username: str, password: str) -> dict:
    """Sign in once through the form and return the session as Playwright storage state."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, live_server, username, password)
    state = context.storage_state()
    context.close()
    return state
