"""``logout``: POST only, same-origin only; clears every cookie the layer set."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from ..options import LogoutUrlOptions
from .context import WebContext
from .effects import RecordRevocation, WebFlow
from .outcomes import Event, Reason, log_event
from .persistence import StoredSession, clear_session, read_session
from .requests import CookieWrite, WebRequest, WebResponse
from .responses import error_page, redirect
from .revocation import session_key

__all__ = ["end_session_flow", "is_same_origin", "logout_flow", "record_ended"]

log = logging.getLogger("scalekit_core.web")


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_same_origin(ctx: WebContext, request: WebRequest) -> bool:
    """``Origin`` (or, without it, ``Referer``) must be the app's own origin.

    A request with neither and no ``Sec-Fetch-Site: cross-site`` is a non-browser client,
    which cannot be the victim of cross-site request forgery.
    """
    expected = ctx.settings.origin
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        return _origin_of(origin) == expected
    referer = request.headers.get("referer")
    if referer:
        return _origin_of(referer) == expected
    if origin == "null":
        return False
    return request.headers.get("sec-fetch-site", "same-origin").lower() in (
        "same-origin",
        "none",
    )


def record_ended(ctx: WebContext, stored: StoredSession) -> WebFlow[None]:
    """Record a cookie session as ended, so a copy of its cookie is refused from now on (a
    server-side store's session is deleted instead: its cookie then points at nothing)."""
    data = stored.data
    if ctx.server_side or data is None:
        return
    key = session_key(data)
    until = data.created_at + ctx.settings.absolute_timeout
    if key is not None and until > ctx.clock():
        yield RecordRevocation(key, data.user_id, ctx.clock(), until)


def logout_flow(ctx: WebContext, request: WebRequest) -> WebFlow[WebResponse]:
    if request.method != "POST":
        return error_page(
            405,
            "Method not allowed",
            "Sign out with a POST request.",
            headers={"Allow": "POST"},
            reason=Reason.METHOD_NOT_ALLOWED,
        )
    if not is_same_origin(ctx, request):
        log.info("cross-site logout refused")
        return error_page(
            403,
            "Forbidden",
            "Cross-site sign-out requests are refused.",
            reason=Reason.CROSS_SITE_REQUEST,
        )
    cookies = request.cookies
    stored = yield from read_session(ctx, cookies)
    id_token = stored.data.id_token if stored.data is not None else None
    yield from record_ended(ctx, stored)
    deletions = yield from clear_session(ctx, cookies, stored.session_id)
    deletions += ctx.jar.delete_all(sorted(ctx.transactions.names_in(cookies)))
    url = ctx.client.get_logout_url(
        LogoutUrlOptions(
            id_token_hint=id_token,
            post_logout_redirect_uri=ctx.settings.post_logout_redirect_uri,
        )
    )
    log.info("logout")
    log_event(Event.LOGOUT, None, stored.data.user if stored.data is not None else None)
    return redirect(url, deletions)


def end_session_flow(
    ctx: WebContext, request: WebRequest, *, store_available: bool = True
) -> WebFlow[tuple[CookieWrite, ...]]:
    """End the request's session in this app only: the stored session (when
    ``store_available``) and the deletions of every cookie the layer set, with no redirect to
    Scalekit's logout. For a framework's own sign-out (e.g. Django admin's "Log out"), whose
    response the framework renders itself."""
    cookies = request.cookies
    session_id = None
    user = None
    if store_available:
        stored = yield from read_session(ctx, cookies)
        session_id = stored.session_id
        user = stored.data.user if stored.data is not None else None
        yield from record_ended(ctx, stored)
    deletions = yield from clear_session(ctx, cookies, session_id)
    deletions += ctx.jar.delete_all(sorted(ctx.transactions.names_in(cookies)))
    log.info("session ended by the app's own sign-out")
    log_event(Event.LOGOUT, None, user)
    return tuple(deletions)
