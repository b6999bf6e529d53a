"""The emulator's step-up behaviour: ``max_age`` and ``prompt=login`` re-show the sign-in
page even with its own session, and the new sign-in carries a fresh ``auth_time``."""

from __future__ import annotations

import httpx
import jwt

from scalekit_emulator import EmulatorHandle

from .conftest import authorize_url, query_of


def _auth_time(emu: EmulatorHandle, browser: httpx.Client, url: str) -> int:
    final = emu.sign_in(url, "bob@acme.test", client=browser)
    code = query_of(final)["code"]
    with emu.emulator.lock:
        record = emu.emulator.state.codes[code]
    return int(record.auth_time)


def test_max_age_older_than_the_sso_login_shows_the_page_again(
    scalekit_emulator: EmulatorHandle,
) -> None:
    emu = scalekit_emulator
    with httpx.Client() as browser:
        first = _auth_time(emu, browser, authorize_url(emu))
        emu.set_clock_offset(120)
        try:
            recent_enough = browser.get(authorize_url(emu, max_age="600"), follow_redirects=False)
            assert recent_enough.is_redirect and "code=" in recent_enough.headers["location"]
            too_old = browser.get(authorize_url(emu, max_age="60"), follow_redirects=False)
            assert too_old.status_code == 200 and "Sign in" in too_old.text
            assert 'name="max_age" value="60"' in too_old.text  # carried through the form
            fresh = _auth_time(emu, browser, authorize_url(emu, max_age="60"))
            assert fresh >= first + 120
            forced = browser.get(authorize_url(emu, prompt="login"), follow_redirects=False)
            assert forced.status_code == 200
        finally:
            emu.set_clock_offset(0)


def test_fresh_auth_time_reaches_the_id_token(scalekit_emulator: EmulatorHandle) -> None:
    emu = scalekit_emulator
    tokens = emu.issue_tokens("bob@acme.test")
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert abs(claims["auth_time"] - emu.emulator.now()) < 5


def test_malformed_max_age_goes_back_as_invalid_request(
    scalekit_emulator: EmulatorHandle,
) -> None:
    final = scalekit_emulator.sign_in(authorize_url(scalekit_emulator, max_age="-1", state="s9"))
    query = query_of(final)
    assert query["error"] == "invalid_request" and query["state"] == "s9"


def test_a_user_of_two_organizations_gets_the_roles_of_the_one_signed_in_to(
    scalekit_emulator: EmulatorHandle,
) -> None:
    emu = scalekit_emulator
    acme = jwt.decode(
        emu.emulator.issue_tokens("dana@acme.test", organization_id="org_acme")["access_token"],
        options={"verify_signature": False},
    )
    globex = jwt.decode(
        emu.emulator.issue_tokens("dana@acme.test", organization_id="org_globex")["access_token"],
        options={"verify_signature": False},
    )
    assert (acme["oid"], acme["roles"], acme["permissions"]) == (
        "org_acme",
        ["member"],
        ["users:read"],
    )
    assert (globex["oid"], globex["roles"]) == ("org_globex", ["admin"])
    assert "organization:settings" in globex["permissions"]
