"""An organization's domains: they route sign-ins (``domain_hint``) to its connection."""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .emulator import Emulator
from .errors import ApiError, invalid_argument, not_found
from .management import _json_body, _org, endpoint
from .records import Domain
from .shapes import ENVIRONMENT_ID, rfc3339

DOMAIN_TYPES = ("ORGANIZATION_DOMAIN", "ALLOWED_EMAIL_DOMAIN")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def domain_json(domain: Domain) -> dict[str, Any]:
    return {
        "id": domain.id,
        "domain": domain.domain,
        "environment_id": ENVIRONMENT_ID,
        "organization_id": domain.organization_id,
        "txt_record_key": f"_scalekit-verification.{domain.domain}",
        "txt_record_secret": "sk-verify-" + domain.id.removeprefix("dom_"),
        "verification_status": domain.verification_status,
        "verification_method": "ADMIN",
        "domain_type": domain.domain_type,
        "create_time": rfc3339(domain.create_time),
        "update_time": rfc3339(domain.update_time),
    }


def _domain_type(value: object) -> str:
    if value in (None, "", "DOMAIN_TYPE_UNSPECIFIED"):
        return "ORGANIZATION_DOMAIN"
    if value not in DOMAIN_TYPES:
        raise invalid_argument(f"domain_type must be one of {', '.join(DOMAIN_TYPES)}")
    return str(value)


async def create_domain(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "domain")
    name = data.get("domain")
    if not isinstance(name, str) or not _DOMAIN.match(name.strip().lower()):
        raise invalid_argument("domain must be a domain name such as example.com")
    name = name.strip().lower()
    kind = _domain_type(data.get("domain_type"))
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        if any(d.domain == name for d in emu.state.domains.values()):
            raise ApiError(6, f"domain {name} already exists", "DOMAIN_ALREADY_EXISTS")
        now = emu.now()
        # Added through the API by the application itself, so taken as verified (ADMIN).
        domain = Domain(
            "dom_" + str(secrets.randbelow(10**17) + 10**16),
            org.id,
            name,
            kind,
            "VERIFIED",
            now,
            now,
        )
        emu.state.domains[domain.id] = domain
    return {"domain": domain_json(domain)}


def _find(emu: Emulator, request: Request) -> Domain:
    org = _org(emu, request.path_params["org_id"])
    domain = emu.state.domains.get(request.path_params["domain_id"])
    if domain is None or domain.organization_id != org.id:
        raise not_found("domain", request.path_params["domain_id"])
    return domain


async def get_domain(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"domain": domain_json(_find(emu, request))}


async def list_domains(request: Request, emu: Emulator) -> Any:
    wanted = request.query_params.get("domain_type")
    kind = _domain_type(wanted) if wanted else None
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        found = sorted(
            (
                d
                for d in emu.state.domains.values()
                if d.organization_id == org.id and (kind is None or d.domain_type == kind)
            ),
            key=lambda d: (d.create_time, d.id),
        )
    return {"domains": [domain_json(d) for d in found], "page_size": len(found), "page_number": 1}


async def delete_domain(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        del emu.state.domains[_find(emu, request).id]
    return {}


P = "/api/v1/organizations/{org_id}/domains"
routes = [
    Route(P, endpoint(create_domain), methods=["POST"]),
    Route(P, endpoint(list_domains), methods=["GET"]),
    Route(P + "/{domain_id}", endpoint(get_domain), methods=["GET"]),
    Route(P + "/{domain_id}", endpoint(delete_domain), methods=["DELETE"]),
]
