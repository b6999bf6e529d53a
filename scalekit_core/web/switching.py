"""Organization switching: a new sign-in routed to another organization of the same user.

``GET <switch_organization_path>?organization_id=org_...`` starts a sign-in at Scalekit
routed to that organization, only when the management API lists the signed-in user as an
active member of it (never on the query alone); the callback then replaces the session, so
``user.organization_id``, roles and guards follow the new organization.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from ..errors import NotFoundError, ScalekitError
from ..management.models import User as DirectoryUser
from .context import WebContext
from .effects import MemberOrganizations, WebFlow
from .errors import PermissionDenied
from .loading import load_flow
from .login import LoginOptions, begin_login
from .outcomes import Event, Reason, log_event, reason_of
from .requests import WebRequest, WebResponse
from .responses import error_page, forbidden_response, redirect, unauthenticated_response
from .return_to import safe_return_to

__all__ = ["member_organizations", "switch_organization_flow"]

log = logging.getLogger("scalekit_core.web")

#: What an organization id may look like (``org_123...``): anything else is a 400.
_ORGANIZATION_ID = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")
#: Membership states that let a user sign in to an organization (absent: an active one).
_ACTIVE = frozenset({"", "active"})


def member_organizations(user: DirectoryUser) -> tuple[str, ...]:
    """The organizations ``user`` is an active member of, in the management API's order.

    >>> from scalekit_core.management.models import Membership
    >>> member_organizations(DirectoryUser("usr_1", memberships=(
    ...     Membership("org_a", "ACTIVE"), Membership("org_b", "PENDING_INVITE"))))
    ('org_a',)
    """
    return tuple(_active(user.memberships))


def _active(memberships: Iterable[object]) -> Iterable[str]:
    for member in memberships:
        organization_id = getattr(member, "organization_id", None)
        status = getattr(member, "membership_status", None) or ""
        if isinstance(organization_id, str) and status.lower() in _ACTIVE:
            yield organization_id


def _bad_request(message: str) -> WebResponse:
    return error_page(400, "Cannot switch organization", message, reason=Reason.INVALID_REQUEST)


def switch_organization_flow(ctx: WebContext, request: WebRequest) -> WebFlow[WebResponse]:
    """302 to Scalekit's sign-in for the asked organization, or 400 / 401 / 403 / 503."""
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        # A link on another site must not move a signed-in user to another organization
        # (with single sign-on the new sign-in may need no click at all).
        log.info("organization switch refused: cross-site request")
        return error_page(
            403,
            "Cannot switch organization",
            "Switch organization from this site's own pages.",
            reason=Reason.CROSS_SITE_REQUEST,
        )
    if request.repeated_query.intersection(("organization_id", "return_to")):
        return _bad_request("The request repeats a parameter.")
    organization_id = request.query.get("organization_id", "")
    if not _ORGANIZATION_ID.match(organization_id):
        return _bad_request("The request must name an organization (organization_id).")
    loaded = yield from load_flow(ctx, request)
    user = loaded.user
    if user is None or user.is_bearer:
        # A session is switched, never a bearer token: those are the client's own.
        reason = reason_of(loaded.reason) if loaded.reason else None
        return unauthenticated_response(ctx.settings, request, loaded.cookies, reason=reason)
    return_to = safe_return_to(request.query.get("return_to"), "/")
    if organization_id == user.organization_id:
        return redirect(return_to, loaded.cookies)
    try:
        organizations: tuple[str, ...] = yield MemberOrganizations(user.id)
    except NotFoundError:
        organizations = ()
    except ScalekitError as exc:
        log.warning("organization switch: memberships unavailable (%s)", type(exc).__name__)
        return error_page(
            503,
            "Cannot switch organization",
            "Your organizations could not be looked up. Please try again in a moment.",
            loaded.cookies,
            {"Retry-After": "5"},
            reason=Reason.PROVIDER_UNAVAILABLE,
        )
    if organization_id not in organizations:
        log.info("organization switch refused: not a member")
        log_event(Event.SIGN_IN_FAILED, Reason.NOT_A_MEMBER, user, organization_id=organization_id)
        denied = PermissionDenied(
            Reason.NOT_A_MEMBER.value, "You are not a member of that organization."
        )
        return forbidden_response(request, denied, loaded.cookies)
    options = LoginOptions(
        return_to=return_to, organization_id=organization_id, login_hint=user.email
    )
    return begin_login(
        ctx, request, options, extra_cookies=loaded.cookies, switch_to=organization_id
    )
