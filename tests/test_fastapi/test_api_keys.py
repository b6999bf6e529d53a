"""FastAPI and Starlette: Scalekit API keys (``SCALEKIT_API_KEYS``) are machines for
``auth.require_machine`` and ``get_machine``."""
# No postponed annotations: FastAPI evaluates the endpoints' annotations, which use locals.

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import pytest
from fastapi import Depends, FastAPI, Security
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scalekit_core.web import Machine, User
from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth, get_machine
from tests.api_key_cases import KEY_SCOPE, make_keys, validations

from .conftest import JSON, asgi_client

pytestmark = pytest.mark.anyio


@pytest.fixture
async def key_auth(env: dict[str, str]) -> AsyncIterator[ScalekitAuth]:
    auth = ScalekitAuth.from_env({**env, "SCALEKIT_API_KEYS": "true"})
    yield auth
    await auth.aclose()


def _app(auth: ScalekitAuth) -> FastAPI:
    app = FastAPI()
    auth.install(app)

    @app.get("/api/machine")
    async def machine(found: Annotated[Machine, Depends(auth.require_machine)]) -> Any:
        return {**found.to_dict(), "team": found.claims.get("team")}

    @app.get("/api/orders")
    async def orders(
        found: Annotated[Machine, Security(auth.require_machine, scopes=[KEY_SCOPE])],
    ) -> Any:
        return {"ok": True}

    @app.get("/api/me")
    async def me(user: Annotated[User, Depends(auth.require_user)]) -> Any:
        return user.to_dict()

    return app


async def test_api_key_is_a_machine_with_its_organization(
    key_auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    keys = await anyio.to_thread.run_sync(make_keys, scalekit_emulator)
    async with asgi_client(_app(key_auth)) as http:
        for headers in ({"x-api-key": keys.acme}, {"authorization": f"Bearer {keys.acme}"}):
            answer = await http.get("/api/machine", headers={**JSON, **headers})
            assert answer.status_code == 200, headers
            body = answer.json()
            assert body["organization_id"] == "org_acme" and body["team"] == "ops"
            assert body["client_id"] == keys.acme_token_id and body["scopes"] == [KEY_SCOPE]
            assert (await http.get("/api/orders", headers={**JSON, **headers})).status_code == 200
            assert (await http.get("/api/me", headers={**JSON, **headers})).status_code == 401
        globex = {**JSON, "x-api-key": keys.globex}
        assert (await http.get("/api/orders", headers=globex)).status_code == 403
        revoked = {**JSON, "x-api-key": keys.revoked}
        assert (await http.get("/api/machine", headers=revoked)).status_code == 401


async def test_concurrent_requests_share_one_validation(
    key_auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    keys = await anyio.to_thread.run_sync(make_keys, scalekit_emulator)
    before = validations(scalekit_emulator)
    statuses: list[int] = []
    async with asgi_client(_app(key_auth)) as http:

        async def call() -> None:
            answer = await http.get("/api/machine", headers={**JSON, "x-api-key": keys.acme})
            statuses.append(answer.status_code)

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(call)
    assert statuses == [200] * 20
    assert validations(scalekit_emulator) == before + 1


async def test_api_keys_are_off_unless_enabled(
    auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    keys = await anyio.to_thread.run_sync(make_keys, scalekit_emulator)
    before = validations(scalekit_emulator)
    async with asgi_client(_app(auth)) as http:
        answer = await http.get("/api/machine", headers={**JSON, "x-api-key": keys.acme})
    assert answer.status_code == 401 and validations(scalekit_emulator) == before


async def test_plain_starlette_sees_the_api_key_machine(
    key_auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    async def machine(request: Request) -> Response:
        found = get_machine(request)
        return JSONResponse({"organization_id": found.organization_id if found else None})

    app = Starlette(routes=[Route("/m", machine)], middleware=[key_auth.middleware()])
    keys = await anyio.to_thread.run_sync(make_keys, scalekit_emulator)
    async with asgi_client(app) as http:
        answer = await http.get("/m", headers={**JSON, "x-api-key": keys.acme})
        assert answer.json() == {"organization_id": "org_acme"}
        refused = await http.get("/m", headers={**JSON, "x-api-key": keys.revoked})
        assert refused.json() == {"organization_id": None}
