"""Assemble the Starlette application around an `Emulator`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from . import admin_routes, controls, management, oauth
from .emulator import Emulator
from .middleware import EmulatorMiddleware


def create_app(emulator: Emulator) -> Starlette:
    """The ASGI app serving `emulator` (controls answer 404 unless it enables them)."""
    app = Starlette(
        # management.routes ends with the API's catch-all, so it comes last.
        routes=[*oauth.routes, *controls.routes, *admin_routes.routes, *management.routes],
        middleware=[Middleware(EmulatorMiddleware, emulator=emulator)],
    )
    app.state.emulator = emulator
    return app
