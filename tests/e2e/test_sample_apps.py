"""Each sample app in a real headless Chromium, against the emulator, both as real servers.

The `app` fixture is parametrized over the three apps; every test here runs once per app.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING

import pytest

from .servers import OUTPUT_DIR, REFRESH_BUFFER, AppProcess, EmulatorProcess

try:
    from playwright.sync_api import expect
except ImportError:  # the `playwright` fixture skips every test, or fails it with SCALEKIT_E2E=1
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.e2e

ALICE = "alice@acme.test"  # admin of org_acme, has organization:settings
BOB = "bob@acme.test"  # member of org_acme, lacks it
ALICE_ID = "usr_alice"
ORG = "org_acme"
SIGN_IN_HEADING = "Sign in to the Scalekit emulator"
# The apps refresh an access token REFRESH_BUFFER (1 s) before it expires. A token that lives
# 5 s is used as is for at least FRESH_FOR (3) s after it is issued (the emulator truncates the
# issue time to the second), and has surely expired ACCESS_TOKEN_LIFETIME s after any moment
# that follows its issue.
ACCESS_TOKEN_LIFETIME = 5
FRESH_FOR = ACCESS_TOKEN_LIFETIME - REFRESH_BUFFER - 1
MARGIN = 0.7


def expect_sign_in_page(page: Page, emulator: EmulatorProcess) -> None:
    """The emulator's own sign-in page is shown (the login was not skipped by its SSO)."""
    expect(page).to_have_url(re.compile(re.escape(f"{emulator.url}/oauth/authorize?")))
    expect(page.get_by_role("heading", name=SIGN_IN_HEADING)).to_be_visible()


def pick_user(page: Page, email: str) -> None:
    page.get_by_role("button", name=re.compile(re.escape(f"({email})"))).click()


def expect_dashboard_of(page: Page, app: AppProcess, email: str) -> None:
    expect(page).to_have_url(f"{app.url}/dashboard")
    body = page.locator("body")
    expect(body).to_contain_text(email)
    expect(body).to_contain_text(ORG)


def sign_in_at_dashboard(
    page: Page, app: AppProcess, emulator: EmulatorProcess, email: str
) -> None:
    """Anonymous /dashboard -> /login -> emulator sign-in page -> pick `email` -> /dashboard."""
    page.goto(f"{app.url}/dashboard")
    expect_sign_in_page(page, emulator)
    pick_user(page, email)
    expect_dashboard_of(page, app, email)


def wait_until_monotonic(deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def only_session_of(emulator: EmulatorProcess, user_id: str) -> str:
    sessions = emulator.session_ids_of(user_id)
    assert len(sessions) == 1, f"expected one Scalekit session for {user_id}, got {sessions}"
    return sessions[0]


def test_app_announces_its_url(app: AppProcess) -> None:
    assert f"Open {app.url}" in app.process.output()


def test_sign_in_from_a_protected_page_returns_to_it(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    sign_in_at_dashboard(page, app, fresh_emulator, ALICE)

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT_DIR / f"{app.name}-dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000

    # Reloading keeps the session: the cookie was set, not just the one page rendered.
    page.reload()
    expect_dashboard_of(page, app, ALICE)


def test_expired_access_token_refreshes_once_then_revoked_session_signs_out(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    emulator = fresh_emulator
    emulator.set_access_token_lifetime(ACCESS_TOKEN_LIFETIME)
    sign_in_at_dashboard(page, app, emulator, ALICE)
    # The token was issued before this point, so it has expired ACCESS_TOKEN_LIFETIME s later.
    signed_in_at = time.monotonic()
    assert emulator.refresh_count() == 0, "a fresh access token must not be refreshed"

    wait_until_monotonic(signed_in_at + ACCESS_TOKEN_LIFETIME + MARGIN)
    # The new token is issued after this point...
    reloading_at = time.monotonic()
    page.goto(f"{app.url}/dashboard")
    expect_dashboard_of(page, app, ALICE)
    # ...and before this one.
    refreshed_at = time.monotonic()
    assert emulator.refresh_count() == 1, "expected exactly one refresh of the expired token"

    # /sessions lists the session with a Revoke form whose action names it.
    session_id = only_session_of(emulator, ALICE_ID)
    page.goto(f"{app.url}/sessions")
    expect(page).to_have_url(f"{app.url}/sessions")
    revoke_form = page.locator(f'form[action*="{session_id}"]')
    expect(revoke_form).to_have_count(1)
    expect(page.get_by_role("button", name="Sign out everywhere")).to_be_visible()
    # Otherwise a second refresh would be right, and the count below wrong.
    assert time.monotonic() < reloading_at + FRESH_FOR, (
        "too slow: the new token left its fresh time"
    )
    assert emulator.refresh_count() == 1, "the refreshed token must not refresh again"

    with page.expect_response(lambda r: r.request.method == "POST" and session_id in r.url):
        revoke_form.get_by_role("button", name="Revoke", exact=True).click()
    assert emulator.session_status(session_id) == "revoked"

    # The app still holds tokens; once they expire, the refresh fails and ends the session.
    wait_until_monotonic(refreshed_at + ACCESS_TOKEN_LIFETIME + MARGIN)
    page.goto(f"{app.url}/dashboard")
    expect_sign_in_page(page, emulator)


def test_two_tabs_signing_in_at_once_both_end_signed_in(
    context: BrowserContext, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    tabs = [context.new_page(), context.new_page()]
    # Both tabs start a login before either finishes: two login transactions at once.
    for tab in tabs:
        tab.goto(f"{app.url}/dashboard")
    for tab in tabs:
        expect_sign_in_page(tab, fresh_emulator)
    for tab in tabs:
        pick_user(tab, ALICE)
    for tab in tabs:
        expect_dashboard_of(tab, app, ALICE)
    for tab in tabs:
        tab.reload()
        expect_dashboard_of(tab, app, ALICE)


def test_sign_out_ends_the_app_and_the_scalekit_session(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    emulator = fresh_emulator
    sign_in_at_dashboard(page, app, emulator, ALICE)
    session_id = only_session_of(emulator, ALICE_ID)
    assert emulator.session_status(session_id) == "active"

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(f"{app.url}/")
    assert emulator.session_status(session_id) == "logout"

    # Signed out of the app, and of the emulator's SSO: the sign-in page is shown again.
    page.goto(f"{app.url}/dashboard")
    expect_sign_in_page(page, emulator)


def test_api_me_anonymous_is_401_json(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    page.goto(f"{app.url}/")
    result = page.evaluate(
        """async () => {
            const r = await fetch('/api/me', {headers: {Accept: 'application/json'}});
            return {status: r.status, type: r.headers.get('content-type'), body: await r.text()};
        }"""
    )
    assert result["status"] == 401
    assert "application/json" in result["type"]
    assert isinstance(json.loads(result["body"]), dict)
    # Typed into the address bar: still 401 JSON, never a redirect to the sign-in page.
    response = page.goto(f"{app.url}/api/me")
    assert response is not None and response.status == 401
    assert page.url == f"{app.url}/api/me"
    assert "application/json" in response.headers["content-type"]


def test_api_me_signed_in_is_the_users_json(
    page: Page, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    sign_in_at_dashboard(page, app, fresh_emulator, ALICE)
    result = page.evaluate(
        """async () => {
            const r = await fetch('/api/me', {headers: {Accept: 'application/json'}});
            return {status: r.status, body: await r.text()};
        }"""
    )
    assert result["status"] == 200
    assert ALICE in result["body"]
    assert isinstance(json.loads(result["body"]), dict)


def test_admin_needs_the_permission(
    context: BrowserContext, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    bob = context.new_page()
    sign_in_at_dashboard(bob, app, fresh_emulator, BOB)
    response = bob.goto(f"{app.url}/admin")
    assert response is not None
    assert response.status == 403
    assert "text/html" in response.headers.get("content-type", "")

    # Alice in her own browser context (the emulator's SSO cookie belongs to bob's).
    browser = context.browser
    assert browser is not None
    alice_context = browser.new_context()
    try:
        alice = alice_context.new_page()
        sign_in_at_dashboard(alice, app, fresh_emulator, ALICE)
        response = alice.goto(f"{app.url}/admin")
        assert response is not None
        assert response.status == 200
        expect(alice).to_have_url(f"{app.url}/admin")
    finally:
        alice_context.close()


def test_sign_out_everywhere_ends_every_session_of_the_user(
    context: BrowserContext, app: AppProcess, fresh_emulator: EmulatorProcess
) -> None:
    emulator = fresh_emulator
    browser = context.browser
    assert browser is not None
    # A second browser (its own cookies) holds a second session of the same user.
    other_context = browser.new_context()
    try:
        sign_in_at_dashboard(other_context.new_page(), app, emulator, ALICE)
    finally:
        other_context.close()
    page = context.new_page()
    sign_in_at_dashboard(page, app, emulator, ALICE)
    sessions = emulator.session_ids_of(ALICE_ID)
    assert len(sessions) == 2

    page.goto(f"{app.url}/sessions")
    for session_id in sessions:
        expect(page.locator(f'form[action*="{session_id}"]')).to_have_count(1)
    page.get_by_role("button", name="Sign out everywhere", exact=True).click()
    expect(page).to_have_url(f"{app.url}/")
    statuses = {session_id: emulator.session_status(session_id) for session_id in sessions}
    assert set(statuses.values()) <= {"revoked", "logout"}, statuses

    page.goto(f"{app.url}/dashboard")
    expect_sign_in_page(page, emulator)
