"""The Flask sample app (``sample_apps/flask_app``) with the test client against the emulator."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from sample_apps.flask_app import create_app
from scalekit_emulator import EmulatorHandle
from scalekit_flask.testing import login_as
from tests.processes import ROOT, free_port, start_process, wait_until

from .conftest import BASE_URL, COOKIE_SECRET, HTML, JSON, login, set_cookie_names


@pytest.fixture
def sample(scalekit_emulator: EmulatorHandle) -> Flask:
    return create_app(
        {
            **scalekit_emulator.env(),
            "APP_BASE_URL": BASE_URL,
            "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
            "TESTING": True,
        }
    )


@pytest.fixture
def browser(sample: Flask) -> FlaskClient:
    return sample.test_client()


def sign_in(client: FlaskClient, emulator: EmulatorHandle, email: str = "alice@acme.test") -> None:
    assert login(client, emulator, email=email, start="/login") == "/"


def session_id_of(client: FlaskClient) -> str:
    me = client.get("/api/me", headers=JSON).get_json()
    return str(me["session_id"])


def test_home_anonymous_and_signed_in(
    browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    page = browser.get("/").get_data(as_text=True)
    assert 'href="/login"' in page and "Sign in" in page and "Sign out" not in page
    for link in ("/dashboard", "/sessions", "/api/me", "/admin"):
        assert f'href="{link}"' in page
    sign_in(browser, scalekit_emulator)
    page = browser.get("/").get_data(as_text=True)
    assert "alice@acme.test" in page
    assert SIGN_OUT_FORM in page


def test_protected_page_redirects_and_comes_back(
    browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    response = browser.get("/dashboard", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?return_to=%2Fdashboard"
    assert login(browser, scalekit_emulator, start=response.headers["Location"]) == "/dashboard"


def test_dashboard_content(browser: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    sign_in(browser, scalekit_emulator)
    response = browser.get("/dashboard", headers=HTML)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<dd id="email">alice@acme.test</dd>' in page
    assert '<dd id="organization">org_acme</dd>' in page
    assert "admin" in page and "organization:settings" in page and "users:write" in page
    assert "UTC" in page  # the access token's expiry
    session_id = session_id_of(browser)
    assert '<dl id="session-details">' in page and session_id in page
    assert "active" in page
    assert '<button type="submit">Sign out</button>' in page


def test_dashboard_degrades_when_the_session_api_fails(
    browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    sign_in(browser, scalekit_emulator)
    scalekit_emulator.inject_fault("/api/v1/sessions/", status=403, count=5)
    response = browser.get("/dashboard", headers=HTML)
    assert response.status_code == 200
    assert "Session details unavailable." in response.get_data(as_text=True)


def test_user_values_are_escaped(browser: FlaskClient) -> None:
    login_as(browser, name="<script>alert(1)</script>", email="x@example.test", session_id="ses_x")
    page = browser.get("/dashboard", headers=HTML).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Session details unavailable." in page  # ses_x is unknown to Scalekit


def test_sessions_list_and_revoke_own(
    sample: Flask, browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    other = sample.test_client()
    sign_in(browser, scalekit_emulator)
    sign_in(other, scalekit_emulator)
    mine, theirs = session_id_of(browser), session_id_of(other)
    page = browser.get("/sessions", headers=HTML).get_data(as_text=True)
    for sid in (mine, theirs):
        assert f'action="/sessions/{sid}/revoke"><button type="submit">Revoke</button>' in page
    assert (
        '<form method="post" action="/sessions/revoke-all"><button type="submit">Sign out everywhere</button></form>'
        in page
    )
    response = browser.post(f"/sessions/{theirs}/revoke", headers={"Origin": BASE_URL})
    assert (response.status_code, response.headers["Location"]) == (303, "/sessions")
    record = scalekit_emulator.session(theirs)
    assert record is not None and record["status"] == "revoked"
    mine_record = scalekit_emulator.session(mine)
    assert mine_record is not None and mine_record["status"] == "active"


def test_refuses_to_revoke_someone_elses_session(
    sample: Flask, browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    bob = sample.test_client()
    sign_in(bob, scalekit_emulator, email="bob@acme.test")
    sign_in(browser, scalekit_emulator)
    bobs = session_id_of(bob)
    response = browser.post(f"/sessions/{bobs}/revoke", headers={"Origin": BASE_URL})
    assert response.status_code == 403
    assert "only revoke your own" in response.get_data(as_text=True)
    record = scalekit_emulator.session(bobs)
    assert record is not None and record["status"] == "active"
    assert browser.post("/sessions/ses_nope/revoke").status_code == 404


def test_cross_origin_revoke_is_refused(
    browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    sign_in(browser, scalekit_emulator)
    mine = session_id_of(browser)
    response = browser.post(f"/sessions/{mine}/revoke", headers={"Origin": "https://evil.test"})
    assert response.status_code == 403
    record = scalekit_emulator.session(mine)
    assert record is not None and record["status"] == "active"
    assert (
        browser.post("/sessions/revoke-all", headers={"Origin": "https://evil.test"}).status_code
        == 403
    )


def test_revoke_requires_sign_in(browser: FlaskClient) -> None:
    assert browser.post("/sessions/ses_1/revoke").status_code == 401
    assert browser.post("/sessions/revoke-all").status_code == 401


def test_sign_out_everywhere(
    sample: Flask, browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    other = sample.test_client()
    sign_in(browser, scalekit_emulator)
    sign_in(other, scalekit_emulator)
    mine, theirs = session_id_of(browser), session_id_of(other)
    response = browser.post("/sessions/revoke-all", headers={"Origin": BASE_URL})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(scalekit_emulator.url)
    assert "scalekit_session" in set_cookie_names(response)
    for sid in (mine, theirs):
        record = scalekit_emulator.session(sid)
        assert record is not None and record["status"] != "active"
    assert browser.get("/dashboard", headers=HTML).status_code == 302


def test_logout_ends_at_home(browser: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    sign_in(browser, scalekit_emulator)
    assert browser.get("/logout", headers=HTML).status_code == 405
    response = browser.post("/logout", headers={"Origin": BASE_URL})
    assert response.status_code == 302
    params = parse_qs(urlsplit(response.headers["Location"]).query)
    assert params["post_logout_redirect_uri"] == [BASE_URL + "/"]
    assert "Sign in" in browser.get("/").get_data(as_text=True)


def test_api_me(browser: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    for headers in (JSON, HTML):
        anonymous = browser.get("/api/me", headers=headers)
        assert anonymous.status_code == 401 and anonymous.is_json
    sign_in(browser, scalekit_emulator)
    me = browser.get("/api/me").get_json()
    assert (me["id"], me["email"], me["is_bearer"]) == ("usr_alice", "alice@acme.test", False)
    assert "access_token" not in me


def test_api_me_with_bearer_tokens(sample: Flask, scalekit_emulator: EmulatorHandle) -> None:
    client = sample.test_client()
    token = scalekit_emulator.mint_access_token("bob@acme.test")
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["is_bearer"] is True
    forged = client.get("/api/me", headers={"Authorization": f"Bearer {token[:-4]}AAAA"})
    assert forged.status_code == 401


SIGN_OUT_FORM = '<form class="inline" method="post" action="/logout"><button type="submit">Sign out</button></form>'


def test_admin_403_for_bob_200_for_alice(sample: Flask, scalekit_emulator: EmulatorHandle) -> None:
    bob = sample.test_client()
    sign_in(bob, scalekit_emulator, email="bob@acme.test")
    denied = bob.get("/admin", headers=HTML)
    assert denied.status_code == 403
    assert denied.headers["Content-Type"].startswith("text/html")
    page = denied.get_data(as_text=True)
    # The core's page, inside the sample's layout: nav, who is signed in, the sign-out form.
    assert "<h1>Access denied</h1>" in page
    main = page.split("<main>", 1)[1]
    assert "missing organization:settings" in main  # which permission is missing
    assert SIGN_OUT_FORM in page
    assert 'href="/sessions"' in page and "bob@acme.test" in page
    assert page.count("<html") == 1
    assert denied.headers["Cache-Control"] == "private, no-store"  # the core's headers are kept
    alice = sample.test_client()
    sign_in(alice, scalekit_emulator)
    allowed = alice.get("/admin", headers=HTML)
    assert allowed.status_code == 200 and "organization:settings" in allowed.get_data(as_text=True)


def test_core_error_pages_keep_the_layout_and_escape_the_core_text(
    browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    sign_in(browser, scalekit_emulator)
    # The core answers GET /logout with its own 405 page.
    refused = browser.get("/logout", headers=HTML)
    assert refused.status_code == 405 and refused.headers["Allow"] == "POST"
    assert SIGN_OUT_FORM in refused.get_data(as_text=True)
    # A callback with a made-up error: the core's text, escaped once, never markup.
    hostile = browser.get(
        "/auth/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E",
        headers=HTML,
    )
    assert hostile.status_code >= 400
    page = hostile.get_data(as_text=True)
    assert SIGN_OUT_FORM in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page and "&amp;lt;" not in page


def test_flask_error_pages_keep_the_layout(
    browser: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    sign_in(browser, scalekit_emulator)
    missing = browser.get("/no-such-page", headers=HTML)
    assert missing.status_code == 404 and "Not Found" in missing.get_data(as_text=True)
    assert SIGN_OUT_FORM in missing.get_data(as_text=True)
    wrong_method = browser.get("/sessions/revoke-all", headers=HTML)
    assert wrong_method.status_code == 405 and set(wrong_method.headers["Allow"].split(", ")) == {
        "POST",
        "OPTIONS",
    }
    assert SIGN_OUT_FORM in wrong_method.get_data(as_text=True)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"APP_BASE_URL": "https://app.test", "SCALEKIT_APP_BASE_URL": "https://sk.test"},
            "https://app.test",
        ),
        ({"SCALEKIT_APP_BASE_URL": "https://sk.test"}, "https://sk.test"),
        ({"PORT": "5123"}, "http://127.0.0.1:5123"),
        ({"APP_BASE_URL": "", "SCALEKIT_APP_BASE_URL": "https://sk.test"}, "https://sk.test"),
    ],
)
def test_app_base_url_precedence(
    scalekit_emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    expected: str,
) -> None:
    for name in ("APP_BASE_URL", "SCALEKIT_APP_BASE_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    app = create_app({**scalekit_emulator.env(), "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET})
    assert app.config["SCALEKIT_APP_BASE_URL"] == expected
    login_url = app.test_client().get("/login", headers=HTML).headers["Location"]
    redirect_uri = parse_qs(urlsplit(login_url).query)["redirect_uri"]
    assert redirect_uri == [expected + "/auth/callback"]


def test_config_app_base_url_beats_the_environment(
    scalekit_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_BASE_URL", "https://from-env.test")
    monkeypatch.setenv("SCALEKIT_APP_BASE_URL", "https://sk-from-env.test")
    base = {**scalekit_emulator.env(), "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET}
    app = create_app({**base, "SCALEKIT_APP_BASE_URL": "https://config.test"})
    assert app.config["SCALEKIT_APP_BASE_URL"] == "https://config.test"
    app = create_app(
        {**base, "APP_BASE_URL": "https://a.test", "SCALEKIT_APP_BASE_URL": "https://b.test"}
    )
    assert app.config["SCALEKIT_APP_BASE_URL"] == "https://a.test"


def test_generated_secret_when_none_is_set(
    scalekit_emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name in (
        "SCALEKIT_COOKIE_SECRET",
        "SECRET_KEY",
        "APP_BASE_URL",
        "SCALEKIT_APP_BASE_URL",
        "PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.WARNING, logger="flask_app"):
        app = create_app(scalekit_emulator.env())
    assert "SCALEKIT_COOKIE_SECRET is not set" in caplog.text
    assert len(app.config["SCALEKIT_COOKIE_SECRET"]) >= 32
    assert app.config["SCALEKIT_APP_BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["SCALEKIT_COOKIE_SECRET"] not in caplog.text


def test_run_py_serves_and_stops_on_sigterm(
    scalekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")},
        **scalekit_emulator.env(),
        "PORT": str(port),
        "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
    }
    env.pop("APP_BASE_URL", None)
    run_py = ROOT / "sample_apps" / "flask_app" / "run.py"
    process = start_process("flask_app", [sys.executable, str(run_py)], env, tmp_path, tmp_path)
    try:
        announced = f"Open http://127.0.0.1:{port}"
        wait_until(process, lambda: announced in process.output(), "announcing its URL")
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert home.status_code == 200 and "Sign in" in home.text
        login_page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login_page.status_code == 302
        assert login_page.headers["location"].startswith(scalekit_emulator.url)
        callback = f"http://127.0.0.1:{port}/auth/callback?code=c0de-SECRET&state=st4te-SECRET"
        assert httpx.get(callback, timeout=5).status_code < 500
        wait_until(process, lambda: "/auth/callback" in process.output(), "logging the callback")
    finally:
        code = process.stop(signal.SIGTERM)
    assert code == 0, process.output()
    # The callback's one-time code never reaches the access log.
    assert "c0de-SECRET" not in process.output() and "st4te-SECRET" not in process.output()
    assert "code=[redacted]&state=[redacted]" in process.output()


def test_run_py_names_port_when_the_port_is_in_use(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
        env["PORT"] = str(port)
        run_py = ROOT / "sample_apps" / "flask_app" / "run.py"
        process = start_process("flask_app", [sys.executable, str(run_py)], env, tmp_path, tmp_path)
        code = process.popen.wait(timeout=60)
    output = process.output()
    process.stop()
    assert code == 1, output
    assert f"Port {port} is already in use" in output and f"PORT={port + 1}" in output, output
    assert "Traceback" not in output, output
