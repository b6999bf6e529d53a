"""Django under WSGI (``Client``) and ASGI (``AsyncClient``): ambiguous cookies, parameters
and headers fail closed (shared checks). Logins pass Django's ``next``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http.cookies import Morsel, SimpleCookie
from typing import Any

import anyio
import pytest
from django.test import AsyncClient, Client

from scalekit_emulator import EmulatorHandle

from .. import request_ambiguity as checks
from ..request_ambiguity import Reply, Site

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _joined(headers: list[tuple[str, str]]) -> dict[str, str]:
    """One value per name, as WSGI servers and Django's ASGI handler join repeated headers."""
    joined: dict[str, str] = {}
    for name, value in headers:
        glue = "; " if name == "cookie" else ", "
        joined[name] = joined[name] + glue + value if name in joined else value
    return joined


def _reply(response: Any) -> Reply:
    headers = [(name.lower(), value) for name, value in response.items()]
    headers += [("set-cookie", morsel.OutputString()) for morsel in response.cookies.values()]
    return Reply(response.status_code, headers, response.content.decode())


@pytest.fixture(params=["wsgi", "asgi"])
async def site(
    request: pytest.FixtureRequest, async_scalekit: EmulatorHandle
) -> AsyncIterator[Site]:
    if request.param == "wsgi":
        client = Client()

        async def send(path: str, headers: list[tuple[str, str]]) -> Reply:
            client.cookies = SimpleCookie()
            meta = {
                "HTTP_" + name.upper().replace("-", "_"): value
                for name, value in _joined(headers).items()
            }
            response = await anyio.to_thread.run_sync(lambda: client.get(path, **meta))
            return _reply(response)

    else:
        aclient = AsyncClient()

        async def send(path: str, headers: list[tuple[str, str]]) -> Reply:
            joined = _joined(headers)
            aclient.cookies = SimpleCookie()
            raw = joined.get("cookie", "")
            if raw.isascii():
                # The client always adds its own ``cookie`` header, which Django's ASGI
                # handler would join to ours with ","; carry the raw header in it instead.
                joined.pop("cookie", None)
                if raw:
                    carrier = Morsel()
                    carrier.set("t", "1", "1; " + raw)
                    aclient.cookies["t"] = carrier
            return _reply(await aclient.get(path, headers=joined))

    yield Site(send, whoami="/t/whoami", api="/api/me", login="/login", return_to="next")


async def test_repeated_session_cookies_are_anonymous_and_cleared(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_repeated_session_cookies_are_anonymous_and_cleared(site, async_scalekit)


async def test_unusual_cookie_names_never_cause_a_500(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_unusual_cookie_names_never_cause_a_500(site, async_scalekit)


async def test_repeated_callback_parameters_are_refused(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_repeated_callback_parameters_are_refused(site, async_scalekit)


async def test_repeated_authorization_headers_are_refused(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_repeated_authorization_headers_are_refused(
        site, async_scalekit, separate_lines=False
    )


async def test_session_writes_are_never_shared_cacheable(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_session_writes_are_never_shared_cacheable(site, async_scalekit)


async def test_callback_and_error_pages_send_no_referrer(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_callback_and_error_pages_send_no_referrer(site, async_scalekit)


async def test_bogus_state_says_what_happened(site: Site, async_scalekit: EmulatorHandle) -> None:
    await checks.check_bogus_state_says_what_happened(site, async_scalekit)


async def test_non_ascii_return_to_is_percent_encoded(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_non_ascii_return_to_is_percent_encoded(site, async_scalekit)


async def test_long_return_to_keeps_the_cookie_header_small(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_long_return_to_keeps_the_cookie_header_small(site, async_scalekit)


async def test_replayed_callback_reaches_the_token_endpoint_once(
    site: Site, async_scalekit: EmulatorHandle
) -> None:
    await checks.check_replayed_callback_reaches_the_token_endpoint_once(site, async_scalekit)
