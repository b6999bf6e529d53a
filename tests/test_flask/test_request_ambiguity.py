"""Flask: ambiguous cookies, parameters and headers fail closed (shared checks)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from scalekit_emulator import EmulatorHandle
from scalekit_flask import Scalekit, current_user

from .. import request_ambiguity as checks
from ..request_ambiguity import Reply, Site

pytestmark = pytest.mark.anyio


def site_of(client: FlaskClient) -> Site:
    async def send(path: str, headers: list[tuple[str, str]]) -> Reply:
        response = client.get(path, headers=headers)
        return Reply(
            response.status_code,
            [(name.lower(), value) for name, value in response.headers.items()],
            response.get_data(as_text=True),
        )

    return Site(send, whoami="/whoami", api="/api/data")


@pytest.fixture
def site(make_app: Callable[..., tuple[Flask, Scalekit]]) -> Site:
    app, _ = make_app()

    @app.get("/whoami")
    def whoami() -> Response:
        response = Response(f"signed in: {current_user.email if current_user else 'anonymous'}")
        response.headers["Cache-Control"] = "public, max-age=600"
        response.headers["Vary"] = "Accept"
        return response

    return site_of(app.test_client(use_cookies=False))


async def test_repeated_session_cookies_are_anonymous_and_cleared(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_repeated_session_cookies_are_anonymous_and_cleared(site, scalekit_emulator)


async def test_unusual_cookie_names_never_cause_a_500(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_unusual_cookie_names_never_cause_a_500(site, scalekit_emulator)


async def test_repeated_callback_parameters_are_refused(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_repeated_callback_parameters_are_refused(site, scalekit_emulator)


async def test_repeated_authorization_headers_are_refused(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_repeated_authorization_headers_are_refused(
        site, scalekit_emulator, separate_lines=True
    )


async def test_session_writes_are_never_shared_cacheable(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_session_writes_are_never_shared_cacheable(site, scalekit_emulator)


async def test_callback_and_error_pages_send_no_referrer(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_callback_and_error_pages_send_no_referrer(site, scalekit_emulator)


async def test_bogus_state_says_what_happened(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_bogus_state_says_what_happened(site, scalekit_emulator)


async def test_non_ascii_return_to_is_percent_encoded(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_non_ascii_return_to_is_percent_encoded(site, scalekit_emulator)


async def test_long_return_to_keeps_the_cookie_header_small(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_long_return_to_keeps_the_cookie_header_small(site, scalekit_emulator)


async def test_replayed_callback_reaches_the_token_endpoint_once(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_replayed_callback_reaches_the_token_endpoint_once(site, scalekit_emulator)
