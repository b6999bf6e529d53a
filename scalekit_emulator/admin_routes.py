"""The administration API's routes (organization settings, memberships, connections, …)."""

from __future__ import annotations

from starlette.routing import Route


def admin_routes() -> list[Route]:
    from . import org_admin_api

    return [*org_admin_api.routes]
