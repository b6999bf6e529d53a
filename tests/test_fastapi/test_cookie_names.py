"""FastAPI and plain Starlette: ambiguous session cookies fail closed, https cookie names
carry ``__Host-``, and cookies the layer never wrote are never deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scalekit_core.testing import make_session_cookies
from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth

from ..cookie_cases import FOREIGN_COOKIES, duplicated, only_core_cookie_names
from .conftest import BASE, HTML, JSON, build_app, relative, set_cookie_names, sign_in
from .test_starlette import starlette_app

pytestmark = pytest.mark.anyio

#: Each app with a route that shows the user and one that requires one.
APPS: dict[str, tuple[Callable[[ScalekitAuth], Any], str, str]] = {
    "fastapi": (build_app, "/maybe", "/me"),
    "starlette": (starlette_app, "/", "/reports"),
}


def client_of(app: Any, base: str = BASE) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=base)


@pytest.mark.parametrize("kind", APPS)
async def test_ambiguous_session_cookies_fail_closed(env: dict[str, str], kind: str) -> None:
    build, show, protected = APPS[kind]
    auth = ScalekitAuth.from_env(env)
    [(name, value)] = make_session_cookies(auth.settings.session).items()
    async with auth.lifespan(), client_of(build(auth)) as http:
        signed_in = await http.get(show, headers={"cookie": f"{name}={value}"})
        assert "usr_test" in signed_in.text or "user@example.test" in signed_in.text
        for header in duplicated(name, value):
            response = await http.get(show, headers={"cookie": header})
            assert response.status_code == 200, header
            assert "usr_test" not in response.text and "user@example.test" not in response.text
            assert name in set_cookie_names(response)
            assert all("Max-Age=0" in h for h in response.headers.get_list("set-cookie"))
            denied = await http.get(protected, headers={**JSON, "cookie": header})
            assert denied.status_code == 401


@pytest.mark.parametrize("kind", APPS)
async def test_session_and_transaction_cookies_use_host_prefix_on_https(
    env: dict[str, str], scalekit_emulator: EmulatorHandle, kind: str
) -> None:
    build, show, _ = APPS[kind]
    https = "https://127.0.0.1:8000"
    auth = ScalekitAuth.from_env({**env, "SCALEKIT_APP_BASE_URL": https})
    async with auth.lifespan(), client_of(build(auth), https) as http:
        started = await http.get("/auth/login", headers=HTML)
        [txn] = started.headers.get_list("set-cookie")
        assert txn.startswith("__Host-scalekit_txn_") and "secure" in txn.lower()
        assert "Path=/" in txn and "domain" not in txn.lower()
        callback = await sign_in(scalekit_emulator, started.headers["location"], "alice@acme.test")
        done = await http.get(relative(callback), headers=HTML)
        assert done.status_code == 302 and "__Host-scalekit_session" in set_cookie_names(done)
        assert "alice" in (await http.get(show)).text
        out = await http.post("/auth/logout", headers={"origin": https})
        assert "__Host-scalekit_session" in set_cookie_names(out)
        assert "alice" not in (await http.get(show)).text


@pytest.mark.parametrize("kind", APPS)
async def test_unusual_cookie_names_are_never_deleted(env: dict[str, str], kind: str) -> None:
    build, show, protected = APPS[kind]
    auth = ScalekitAuth.from_env(env)
    cookie = {"cookie": FOREIGN_COOKIES}
    async with auth.lifespan(), client_of(build(auth)) as http:
        for response in (
            await http.get("/auth/login", headers={**HTML, **cookie}),
            await http.get("/auth/callback?code=abc&state=" + "s" * 32, headers={**HTML, **cookie}),
            await http.post("/auth/logout", headers={"origin": BASE, **cookie}),
            await http.get(protected, headers={**HTML, **cookie}),
            await http.get(protected, headers={**JSON, **cookie}),
            await http.get(show, headers=cookie),
        ):
            assert response.status_code in (200, 302, 401), response
            names = set_cookie_names(response)
            assert only_core_cookie_names(names), names
