"""Assemble the Starlette application around an `Emulator`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from . import (
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
        routes=[
            *oauth.routes,
            *controls.routes,
            # machine clients, tokens, passwordless, ...: before management's catch-all
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
