"""FastAPI: user dependencies accept user tokens only; ``auth.require_machine`` accepts
machine clients only."""
# No postponed annotations: FastAPI evaluates the endpoints' annotations, which use locals.

from typing import Annotated, Any

import anyio
import httpx
import pytest
from fastapi import Depends, FastAPI, Security

from scalekit_core.web import Machine
from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth
from tests.token_cases import MACHINE_SCOPE, machine_token, refused_as_user

from .conftest import JSON, asgi_client, build_app

pytestmark = pytest.mark.anyio


def with_machine_routes(auth: ScalekitAuth) -> FastAPI:
    app = build_app(auth)

    @app.get("/api/machine")
    async def machine(client: Annotated[Machine, Depends(auth.require_machine)]) -> Any:
        return client.to_dict()

    @app.post("/api/events")
    async def events(
        client: Annotated[Machine, Security(auth.require_machine, scopes=[MACHINE_SCOPE])],
    ) -> Any:
        return {"ok": True}

    @app.post("/api/admin-events")
    async def admin_events(
        client: Annotated[Machine, Security(auth.require_machine, scopes=["admin:write"])],
    ) -> Any:
        return {"ok": True}

    @app.get("/api/globex-machine")
    async def globex(
        client: Annotated[Machine, Depends(auth.requires_machine(organization_id="org_globex"))],
    ) -> Any:
        return {"ok": True}

    return app


def bearer(token: str) -> dict[str, str]:
    return {**JSON, "authorization": f"Bearer {token}"}


async def test_confused_tokens_never_pass_user_dependencies(
    auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    tokens = await anyio.to_thread.run_sync(refused_as_user, scalekit_emulator)
    good = str(scalekit_emulator.issue_tokens()["access_token"])
    async with asgi_client(with_machine_routes(auth)) as http:
        assert (await http.get("/api/me", headers=bearer(good))).status_code == 200
        for name, token in tokens.items():
            for path in ("/me", "/api/me", "/scoped", "/admin"):
                response = await http.get(path, headers=bearer(token))
                assert response.status_code == 401, (name, path)
            maybe = await http.get("/maybe", headers=bearer(token))
            assert maybe.json() == {"user": None}


async def test_machine_dependency_accepts_machine_clients_only(
    auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    machine = await anyio.to_thread.run_sync(machine_token, scalekit_emulator)
    user = str(scalekit_emulator.issue_tokens()["access_token"])
    async with asgi_client(with_machine_routes(auth)) as http:
        answer = await http.get("/api/machine", headers=bearer(machine))
        assert answer.status_code == 200
        body = answer.json()
        assert body["kind"] == "machine" and body["client_id"] == scalekit_emulator.client_id
        assert (await http.post("/api/events", headers=bearer(machine))).status_code == 200
        assert (await http.post("/api/admin-events", headers=bearer(machine))).status_code == 403
        assert (await http.get("/api/globex-machine", headers=bearer(machine))).status_code == 403
        for headers in (bearer(user), JSON, {"accept": "text/html"}):
            response = await http.get("/api/machine", headers=headers)
            assert response.status_code == 401  # JSON for machines, never a login redirect
        schema = (await http.get("/openapi.json")).json()
        assert "ScalekitBearer" in schema["components"]["securitySchemes"]


async def test_slow_provider_does_not_hold_requests_with_a_valid_token(
    auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    from .conftest import login

    scalekit_emulator.set_token_lifetimes(access_token=30)  # refresh due at once, still valid
    app = with_machine_routes(auth)
    async with asgi_client(app) as http:
        await login(http, scalekit_emulator)
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
        scalekit_emulator.inject_fault("/oauth/token", delay=3.0)
        served: list[float] = []

        async def slow_refresh() -> None:
            await http.get("/me", headers={**JSON, "cookie": cookie})

        async with anyio.create_task_group() as group:
            group.start_soon(slow_refresh)
            await anyio.sleep(0.3)  # the refresh is in flight
            for _ in range(5):
                began = anyio.current_time()
                response = await http.get("/me", headers={**JSON, "cookie": cookie})
                assert response.status_code == 200
                served.append(anyio.current_time() - began)
    assert max(served) < 1.5
    assert scalekit_emulator.token_calls("refresh_token") == 1


async def test_refresh_during_a_jwks_outage_keeps_the_session(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    from .conftest import login, set_cookie_names

    scalekit_emulator.set_token_lifetimes(access_token=30)  # refresh due at once
    await login(client, scalekit_emulator)
    scalekit_emulator.rotate_keys()  # the refreshed tokens need keys not cached yet
    scalekit_emulator.inject_fault("/keys", status=503, count=5)
    refreshed = await client.get("/me", headers=JSON)
    assert refreshed.status_code == 200
    assert "scalekit_session" in set_cookie_names(refreshed)  # the rotated tokens are kept
    assert scalekit_emulator.token_calls("refresh_token") == 1
    assert (await client.get("/me", headers=JSON)).status_code == 200
    assert scalekit_emulator.token_calls("refresh_token") == 2  # with the rotated refresh token


async def test_refresh_for_another_subject_ends_the_session(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    from tests.token_cases import hand_refreshes_to

    from .conftest import login

    scalekit_emulator.set_token_lifetimes(access_token=30)  # refresh due at once
    await login(client, scalekit_emulator)
    hand_refreshes_to(scalekit_emulator, "usr_bob")
    assert (await client.get("/me", headers=JSON)).status_code == 401
    assert scalekit_emulator.token_calls("refresh_token") == 1
    assert (await client.get("/me", headers=JSON)).status_code == 401
