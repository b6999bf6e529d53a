"""Step-up sign-in in each sample app, in a real Chromium: ``/account`` asks for a sign-in of
the last 300 seconds (``require_recent_login``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .servers import AppProcess, EmulatorProcess
from .test_sample_apps import ALICE, expect_sign_in_page, pick_user, sign_in_at_dashboard

try:
    from playwright.sync_api import expect
except ImportError:  # the `playwright` fixture skips every test, or fails it with SCALEKIT_E2E=1
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def test_account_after_an_old_sign_in_signs_in_again_and_returns(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    emulator = fresh_emulator
    # A sign-in 400 s ago (the emulator's clock set back while it happens), with tokens that
    # are still valid now.
    emulator.set_access_token_lifetime(3600)
    emulator.set_clock_offset(-400)
    try:
        sign_in_at_dashboard(page, app, emulator, ALICE)
    finally:
        emulator.set_clock_offset(0)

    page.goto(f"{app.url}/account?tab=security")
    # The emulator shows its sign-in page again although its own session is still active.
    expect_sign_in_page(page, emulator)
    assert "prompt=login" in page.url and "max_age=300" in page.url
    pick_user(page, ALICE)
    expect(page).to_have_url(f"{app.url}/account?tab=security")
    expect(page.locator("#account")).to_contain_text(f"Account settings of {ALICE}")

    # Fresh now: the page opens without another sign-in.
    page.goto(f"{app.url}/account")
    expect(page).to_have_url(f"{app.url}/account")
    expect(page.locator("#account")).to_be_visible()


def test_account_right_after_sign_in_opens_directly(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    sign_in_at_dashboard(page, app, fresh_emulator, ALICE)
    page.goto(f"{app.url}/account")
    expect(page).to_have_url(f"{app.url}/account")
    expect(page.locator("#account")).to_contain_text(ALICE)
