"""The administration API's routes: organization settings and memberships, connections,
domains, directories, roles and permissions (``management.routes`` ends with the catch-all,
so these go before it)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import connections_api, directories_api, domains_api, org_admin_api, roles_api

routes: list[BaseRoute] = [
    *org_admin_api.routes,
    *connections_api.routes,
    *domains_api.routes,
    *directories_api.routes,
    *roles_api.routes,
]
