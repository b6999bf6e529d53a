"""Fuzzing the Flask sample's login, callback, logout and protected routes in process: no 5xx
and no traceback in any log, whatever the query string, cookies, headers and method."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given

from sample_apps.flask_app import create_app
from scalekit_emulator import EmulatorHandle
from tests.fuzzing import FuzzRequest, TracebackWatcher, check, fuzz_settings, requests, tracebacks

from .conftest import BASE_URL, COOKIE_SECRET, login

__all__ = ["tracebacks"]


@pytest.fixture
def sample(scalekit_emulator: EmulatorHandle) -> Flask:
    app = create_app(
        {
            **scalekit_emulator.env(),
            "APP_BASE_URL": BASE_URL,
            "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
            "TESTING": True,
        }
    )
    return app


@pytest.fixture
def session_cookie(sample: Flask, scalekit_emulator: EmulatorHandle) -> str:
    browser = sample.test_client()
    login(browser, scalekit_emulator, start="/login")
    cookie = browser.get_cookie("scalekit_session")
    assert cookie is not None
    signed_in = FuzzRequest("GET", "/api/me", "", f"scalekit_session={cookie.value}", {})
    assert send(sample, signed_in) == 200  # the raw header reaches the app
    return cookie.value


def send(app: Flask, request: FuzzRequest) -> int:
    # Without a cookie jar: the raw Cookie header is sent as drawn, nothing carries over.
    client = app.test_client(use_cookies=False)
    headers = dict(request.headers)
    cookie = request.cookie_wsgi
    if cookie is not None:
        headers["Cookie"] = cookie
    response = client.open(request.target, method=request.method, headers=headers)
    return response.status_code


def test_fuzz_flask_routes_never_answer_5xx(
    sample: Flask, session_cookie: str, tracebacks: TracebackWatcher
) -> None:
    @fuzz_settings()
    @given(requests(session_cookie))
    def run(request: FuzzRequest) -> None:
        tracebacks.found.clear()  # an example that raised left its lines
        check(send(sample, request), request, tracebacks)

    run()
