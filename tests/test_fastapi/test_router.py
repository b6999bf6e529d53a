"""``app.include_router(auth.router)``: the login routes placed among the app's own."""

# No postponed annotations: FastAPI evaluates the endpoints' annotations, which use locals.

from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import Depends, FastAPI

from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth, User

from .conftest import BASE, HTML, JSON, asgi_client, login, set_cookie_names

pytestmark = pytest.mark.anyio


def routed_app(auth: ScalekitAuth) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app, routes=False)
    app.include_router(auth.router)

    @app.get("/me")
    async def me(user: Annotated[User, Depends(auth.require_user)]) -> dict[str, Any]:
        return user.to_dict()

    # Declared after the router: it would swallow the login routes if placed before them.
    @app.get("/{path:path}")
    async def catch_all(path: str) -> dict[str, str]:
        return {"page": path}

    return app


async def test_included_router_logs_in_and_out(
    auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    app = routed_app(auth)
    async with asgi_client(app) as http:
        anonymous = await http.get("/me", headers=HTML)
        assert anonymous.status_code == 302
        assert anonymous.headers["location"] == "/auth/login?return_to=%2Fme"
        assert (await http.get("/me", headers=JSON)).status_code == 401
        done = await login(http, scalekit_emulator, "/auth/login?return_to=/me")
        assert done.status_code == 302 and done.headers["location"] == "/me"
        assert (await http.get("/me", headers=JSON)).json()["email"] == "alice@acme.test"
        assert (await http.get("/elsewhere")).json() == {"page": "elsewhere"}
        assert (await http.get("/auth/logout", headers=HTML)).status_code == 405
        out = await http.post("/auth/logout", headers={"origin": BASE})
        assert out.status_code == 302
        assert parse_qs(urlsplit(out.headers["location"]).query)["post_logout_redirect_uri"] == [
            BASE + "/"
        ]
        assert "scalekit_session" in set_cookie_names(out)
        assert (await http.get("/me", headers=JSON)).status_code == 401
    assert not any(path.startswith("/auth/") for path in app.openapi()["paths"])


async def test_install_matches_the_apps_own_routes_first(
    auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)

    @app.get("/me")
    async def me(user: Annotated[User, Depends(auth.require_user)]) -> dict[str, Any]:
        return user.to_dict()

    session = auth.settings.session
    ours = [session.login_path, session.callback_path, session.logout_path]
    async with asgi_client(app) as http:
        assert (await http.get("/me", headers=JSON)).status_code == 401
        # Moved behind the app's routes on the first request, and still answering.
        paths = [getattr(route, "path", None) for route in app.router.routes]
        assert all(paths.index("/me") < paths.index(own) for own in ours)
        done = await login(http, scalekit_emulator, "/auth/login?return_to=/me")
        assert done.status_code == 302 and done.headers["location"] == "/me"
        assert (await http.get("/me", headers=JSON)).json()["email"] == "alice@acme.test"
