"""Fuzzing the Django sample's login, callback, logout and protected routes in process (the
test client, WSGI): no 5xx and no traceback in any log, whatever the query string, cookies,
headers and method.

``django.security`` is left out of the traceback check: a ``Host`` outside ``ALLOWED_HOSTS`` is
answered 400 by Django itself, which records it there with the exception, by design."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from hypothesis import given

from scalekit_emulator import EmulatorHandle
from tests.fuzzing import FuzzRequest, TracebackWatcher, check, fuzz_settings, requests

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracebacks() -> Iterator[TracebackWatcher]:
    watcher = TracebackWatcher(ignore=("django.security",))
    root = logging.getLogger()
    root.addHandler(watcher)
    try:
        yield watcher
    finally:
        root.removeHandler(watcher)


def send(request: FuzzRequest) -> int:
    extra = {
        "HTTP_" + name.upper().replace("-", "_"): value for name, value in request.headers.items()
    }
    cookie = request.cookie_wsgi
    if cookie is not None:
        extra["HTTP_COOKIE"] = cookie
    response = Client().generic(request.method, request.target, **extra)
    return int(response.status_code)


def test_fuzz_django_routes_never_answer_5xx(
    scalekit: EmulatorHandle, tracebacks: TracebackWatcher
) -> None:
    browser = Client()
    done = sign_in(browser, scalekit)
    assert done.status_code == 302
    session_cookie = browser.cookies["scalekit_session"].value
    signed_in = FuzzRequest("GET", "/api/me", "", f"scalekit_session={session_cookie}", {})
    assert send(signed_in) == 200

    @fuzz_settings()
    @given(requests(session_cookie))
    def run(request: FuzzRequest) -> None:
        tracebacks.found.clear()  # an example that raised left its lines
        check(send(request), request, tracebacks)

    run()
