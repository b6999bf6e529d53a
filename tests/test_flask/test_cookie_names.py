"""Flask: ambiguous session cookies fail closed, https cookie names carry ``__Host-``, and
cookies the layer never wrote are never deleted."""

from __future__ import annotations

from typing import Any

from flask import Flask

from scalekit_core.testing import make_session_cookies
from scalekit_emulator import EmulatorHandle
from scalekit_flask import state_of

from ..cookie_cases import FOREIGN_COOKIES_WSGI, duplicated, only_core_cookie_names
from .conftest import BASE_URL, HTML, build_app, path_of, set_cookie_names


def test_ambiguous_session_cookies_fail_closed(app: Flask) -> None:
    client = app.test_client(use_cookies=False)
    [(name, value)] = make_session_cookies(state_of(app).settings).items()
    signed_in = client.get("/", headers={"Cookie": f"{name}={value}"})
    assert signed_in.get_data(as_text=True) == "hello user@example.test"
    for header in duplicated(name, value):
        response = client.get("/", headers={"Cookie": header})
        assert response.get_data(as_text=True) == "hello anonymous", header
        assert name in set_cookie_names(response)
        assert all("Max-Age=0" in h for h in response.headers.getlist("Set-Cookie"))
        assert client.get("/private", headers={**HTML, "Cookie": header}).status_code == 302


def test_session_and_transaction_cookies_use_host_prefix_on_https(
    config: dict[str, Any], scalekit_emulator: EmulatorHandle
) -> None:
    https = "https://localhost"
    app, _ = build_app({**config, "SCALEKIT_APP_BASE_URL": https})
    client = app.test_client()
    started = client.get("/auth/login", headers=HTML, base_url=https)
    [txn] = started.headers.getlist("Set-Cookie")
    assert txn.startswith("__Host-scalekit_txn_") and "Secure" in txn and "Path=/" in txn
    assert "Domain" not in txn
    callback = scalekit_emulator.sign_in(started.headers["Location"], email="alice@acme.test")
    done = client.get(path_of(callback), headers=HTML, base_url=https)
    assert done.status_code == 302
    assert "__Host-scalekit_session" in set_cookie_names(done)
    page = client.get("/private", headers=HTML, base_url=https)
    assert page.get_data(as_text=True) == "private alice@acme.test"
    out = client.post("/auth/logout", headers={"Origin": https}, base_url=https)
    assert "__Host-scalekit_session" in set_cookie_names(out)
    assert client.get("/", base_url=https).get_data(as_text=True) == "hello anonymous"


def test_unusual_cookie_names_are_never_deleted(app: Flask) -> None:
    client = app.test_client(use_cookies=False)
    cookie = {"Cookie": FOREIGN_COOKIES_WSGI}
    for response in (
        client.get("/auth/login", headers={**HTML, **cookie}),
        client.get("/auth/callback?code=abc&state=" + "s" * 32, headers={**HTML, **cookie}),
        client.post("/auth/logout", headers={"Origin": BASE_URL, **cookie}),
        client.get("/private", headers={**HTML, **cookie}),
        client.get("/", headers=cookie),
    ):
        assert response.status_code == 302 or response.status_code == 200, response
        assert only_core_cookie_names(set_cookie_names(response)), set_cookie_names(response)
