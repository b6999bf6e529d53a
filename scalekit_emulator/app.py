"""Assemble the Starlette application around an `Emulator`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from . import (
    admin_routes,
    auth_api,
    clients_api,
    controls,
    events_api,
    management,
    oauth,
    passwordless_api,
    tokens_api,
)
from .emulator import Emulator
from .middleware import EmulatorMiddleware


def create_app(emulator: Emulator) -> Starlette:
    """The ASGI app serving `emulator` (controls answer 404 unless it enables them)."""
    app = Starlette(
        # management.routes ends with the API's catch-all, so it comes last.
        routes=[
            *oauth.routes,
            *controls.routes,
            *admin_routes.routes,
            *clients_api.routes,
            *tokens_api.routes,
            *passwordless_api.routes,
            *auth_api.routes,
            *events_api.routes,
            *management.routes,
        ],
        middleware=[Middleware(EmulatorMiddleware, emulator=emulator)],
    )
    app.state.emulator = emulator
    return app
