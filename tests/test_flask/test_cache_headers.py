"""Responses that write session cookies are never cacheable by a shared cache, and the
callback and error pages never leak their URL through ``Referer``."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response

from scalekit_emulator import EmulatorHandle
from scalekit_flask import Scalekit

from .conftest import HTML, finish_login, start_login


def _public_app(make_app: Callable[..., tuple[Flask, Scalekit]]) -> Flask:
    app = make_app()[0]

    @app.get("/cached")
    def cached() -> Response:
        response = Response("cacheable")
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    return app


def test_view_marked_public_is_private_when_session_cookies_are_written(
    make_app: Callable[..., tuple[Flask, Scalekit]],
) -> None:
    client = _public_app(make_app).test_client()
    client.set_cookie("scalekit_session", "not-a-sealed-session", domain="localhost")
    response = client.get("/cached", headers=HTML)
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie")  # the unreadable cookie is cleared
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Vary"] == "Accept-Encoding, Cookie"


def test_view_keeps_its_cache_headers_when_no_cookie_is_written(
    make_app: Callable[..., tuple[Flask, Scalekit]],
) -> None:
    response = _public_app(make_app).test_client().get("/cached", headers=HTML)
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert not response.headers.getlist("Set-Cookie")


def test_callback_response_is_private_and_sends_no_referrer(
    make_app: Callable[..., tuple[Flask, Scalekit]], scalekit_emulator: EmulatorHandle
) -> None:
    client = make_app()[0].test_client()
    callback = scalekit_emulator.sign_in(start_login(client), email="alice@acme.test")
    done = finish_login(client, callback)
    assert done.status_code == 302
    assert done.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in done.headers["Vary"]
    assert done.headers["Referrer-Policy"] == "no-referrer"


def test_callback_error_page_sends_no_referrer(
    make_app: Callable[..., tuple[Flask, Scalekit]],
) -> None:
    page = make_app()[0].test_client().get("/auth/callback?code=abc&state=x", headers=HTML)
    assert page.status_code == 400
    assert page.headers["Referrer-Policy"] == "no-referrer"
