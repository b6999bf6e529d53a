"""Fixtures for the real-browser tests: emulator and sample-app processes, Chromium.

Gating: with ``SCALEKIT_E2E=1`` these tests are mandatory (a missing Chromium or Playwright
fails them). Without it they are skipped when Chromium is not installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from .servers import APP_NAMES, AppProcess, EmulatorProcess

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = Path(os.environ.get("SCALEKIT_E2E_CHROMIUM", "/usr/bin/chromium"))
MANDATORY = os.environ.get("SCALEKIT_E2E", "") == "1"
ENABLE_HINT = (
    "install Chromium (`apt-get install chromium`, or point SCALEKIT_E2E_CHROMIUM at a "
    "Chromium binary) and set SCALEKIT_E2E=1 to make these tests mandatory"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> NoReturn:
    if MANDATORY:
        pytest.fail(f"SCALEKIT_E2E=1 but {reason}: {ENABLE_HINT}", pytrace=False)
    pytest.skip(f"end-to-end tests skipped, {reason}: {ENABLE_HINT}")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        _unavailable(f"Chromium was not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def emulator(playwright: Playwright) -> Iterator[EmulatorProcess]:
    # Depends on `playwright` so that a machine without Chromium skips before starting it.
    emulator = EmulatorProcess.start()
    yield emulator
    emulator.process.stop()


@pytest.fixture(scope="session", params=APP_NAMES)
def app(request: pytest.FixtureRequest, emulator: EmulatorProcess) -> Iterator[AppProcess]:
    """One sample app at a time, shared by that app's tests (pytest groups them by app)."""
    app = AppProcess.start(request.param, emulator)
    yield app
    app.process.stop()


@pytest.fixture
def fresh_emulator(emulator: EmulatorProcess) -> EmulatorProcess:
    """The emulator back at its seed: no sessions, SSO logins, counters or custom lifetimes."""
    emulator.reset()
    return emulator


@pytest.fixture
def context(browser: Browser, app: AppProcess) -> Iterator[BrowserContext]:
    """A new browser context (cookie jar) per test, failing fast instead of hanging."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.set_default_timeout(15_000)
    # The favicon request would be one more request carrying the session cookie: keep every
    # request the tests count one they made on purpose.
    context.route("**/favicon.ico", lambda route: route.abort())
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
