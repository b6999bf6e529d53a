"""Ending a session ends it at once, in a real Chromium, for each sample app (cookie store):
"Revoke" on another browser's row of ``/sessions``, "Sign out everywhere", and a revocation
made at Scalekit (the emulator's management API, from outside the app) that reaches the app
through its webhook long before the access token would expire."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .servers import AppProcess, EmulatorProcess
from .test_sample_apps import ALICE, ALICE_ID, sign_in_at_dashboard

try:
    from playwright.sync_api import expect
except ImportError:  # the `playwright` fixture skips every test, or fails it with SCALEKIT_E2E=1
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.e2e

#: How long the signed-out check polls (a webhook arrives in milliseconds).
SIGN_OUT_DEADLINE = 10.0


@pytest.fixture
def other_context(browser: Browser, app: AppProcess) -> Iterator[BrowserContext]:
    """A second browser (its own cookie jar, its own Scalekit session)."""
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.route("**/favicon.ico", lambda route: route.abort())
    yield context
    context.close()


def _session_id(context: BrowserContext, app: AppProcess) -> str:
    me = context.request.get(f"{app.url}/api/me")
    assert me.status == 200, me.text()
    sid = me.json()["session_id"]
    assert isinstance(sid, str) and sid
    return sid


def _signed_out(context: BrowserContext, app: AppProcess) -> bool:
    """Both answers of a signed-out browser: 401 JSON for the API, a redirect to sign-in for a
    page (whose response clears the session cookie)."""
    api = context.request.get(f"{app.url}/api/me")
    if api.status != 401:
        return False
    assert api.json()["error"] == "unauthenticated"
    return True


def _time_to_signed_out(context: BrowserContext, app: AppProcess, started: float) -> float:
    deadline = started + SIGN_OUT_DEADLINE
    while not _signed_out(context, app):
        assert time.monotonic() < deadline, "the other browser is still signed in"
        time.sleep(0.02)
    return time.monotonic() - started


def _page_redirects_to_sign_in(context: BrowserContext, app: AppProcess) -> None:
    response = context.request.get(
        f"{app.url}/dashboard", headers={"accept": "text/html"}, max_redirects=0
    )
    assert response.status == 302 and response.headers["location"].startswith("/login")


def _two_browsers(
    page: Page, other_context: BrowserContext, app: AppProcess, emulator: EmulatorProcess
) -> Page:
    sign_in_at_dashboard(page, app, emulator, ALICE)
    other = other_context.new_page()
    sign_in_at_dashboard(other, app, emulator, ALICE)
    return other


def test_revoke_from_sessions_signs_the_other_browser_out(
    app: AppProcess,
    fresh_emulator: EmulatorProcess,
    page: Page,
    context: BrowserContext,
    other_context: BrowserContext,
) -> None:
    other = _two_browsers(page, other_context, app, fresh_emulator)
    theirs = _session_id(other_context, app)
    page.goto(f"{app.url}/sessions")
    row = page.locator("tr", has_text=theirs)
    expect(row.get_by_role("button", name="Revoke")).to_be_visible()
    started = time.monotonic()
    row.get_by_role("button", name="Revoke").click()
    expect(page).to_have_url(f"{app.url}/sessions")
    elapsed = _time_to_signed_out(other_context, app, started)
    print(f"\n{app.name}: Revoke click to the other browser signed out: {elapsed * 1000:.0f} ms")
    # The revoked session is gone from the list; this browser's own is still there.
    expect(page.locator("body")).not_to_contain_text(theirs)
    expect(page.locator("body")).to_contain_text(_session_id(context, app))
    _page_redirects_to_sign_in(other_context, app)
    # The refused requests cleared its session cookie.
    assert all(c["name"] != "scalekit_session" for c in other.context.cookies(f"{app.url}/"))


def test_sign_out_everywhere_signs_every_browser_out(
    app: AppProcess,
    fresh_emulator: EmulatorProcess,
    page: Page,
    context: BrowserContext,
    other_context: BrowserContext,
) -> None:
    _two_browsers(page, other_context, app, fresh_emulator)
    page.goto(f"{app.url}/sessions")
    started = time.monotonic()
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(f"{app.url}/")
    elapsed = _time_to_signed_out(other_context, app, started)
    print(
        f"\n{app.name}: Sign out everywhere click to the other browser signed out: "
        f"{elapsed * 1000:.0f} ms"
    )
    assert _signed_out(context, app)
    _page_redirects_to_sign_in(other_context, app)


def test_a_revocation_at_scalekit_reaches_the_app_by_webhook(
    app: AppProcess,
    fresh_emulator: EmulatorProcess,
    page: Page,
    context: BrowserContext,
) -> None:
    fresh_emulator.register_webhook(f"{app.url}/auth/webhooks", app.webhook_secret)
    sign_in_at_dashboard(page, app, fresh_emulator, ALICE)
    sid = _session_id(context, app)
    assert sid in fresh_emulator.session_ids_of(ALICE_ID)
    expires_at = context.request.get(f"{app.url}/api/me").json()["expires_at"]
    started = time.monotonic()
    with fresh_emulator.management() as client:  # from outside the app
        client.session.revoke_session(session_id=sid)
    elapsed = _time_to_signed_out(context, app, started)
    print(
        f"\n{app.name}: Scalekit-side revocation to signed out (webhook): {elapsed * 1000:.0f} ms"
    )
    assert time.time() < expires_at  # ended long before its access token would have
    (delivery,) = fresh_emulator.webhook_deliveries()
    assert delivery["type"] == "session.revoked" and delivery["statuses"] == [200]
    _page_redirects_to_sign_in(context, app)
