"""``load``: who is making this request? Bearer token or session, refreshed when due."""

from __future__ import annotations

import logging
from dataclasses import replace

from ..errors import ScalekitError, TokenValidationError
from ..tokens import TokenResponse
from .context import WebContext
from .effects import RefreshTokens, VerifyBearer, WebFlow
from .persistence import StoredSession, clear_session, read_session, write_session
from .refresh import RefreshFailed
from .requests import CookieWrite, LoadResult, WebRequest
from .session_data import SessionData, User, unverified_claims

__all__ = ["load_flow", "refreshed_session"]

log = logging.getLogger("scalekit_core.web")


def refreshed_session(data: SessionData, tokens: TokenResponse, now: float) -> SessionData:
    """``data`` with the new tokens (a provider that does not rotate keeps the old ones)."""
    claims = unverified_claims(tokens.access_token) or {}
    exp = claims.get("exp")
    expires_at = float(exp) if isinstance(exp, (int, float)) else now + tokens.expires_in
    return replace(
        data,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token or data.refresh_token,
        id_token=tokens.id_token or data.id_token,
        expires_at=expires_at,
        last_seen=now,
    )


def _bearer_flow(token: str) -> WebFlow[LoadResult]:
    try:
        claims = yield VerifyBearer(token)
    except TokenValidationError as exc:
        log.info("bearer token rejected: %s", exc.reason)
        return LoadResult(None)
    except ScalekitError as exc:
        log.warning("bearer token not checked, signing keys unavailable: %s", type(exc).__name__)
        return LoadResult(None)
    return LoadResult(User.from_claims(claims, is_bearer=True))


def load_flow(ctx: WebContext, request: WebRequest) -> WebFlow[LoadResult]:
    """The user of ``request`` (or ``None``) and the cookies to set on whatever response goes out."""
    if request.authorization_ambiguous:
        log.info("ambiguous Authorization header refused")
        return LoadResult(None)
    token = request.bearer_token
    if token is not None:
        return (yield from _bearer_flow(token))
    cookies = request.cookies
    stored: StoredSession = yield from read_session(ctx, cookies)
    if not stored.present:
        return LoadResult(None)
    data = stored.data
    now = ctx.clock()

    def end(reason: str) -> WebFlow[LoadResult]:
        log.info("session ended: %s", reason)
        deletions = yield from clear_session(ctx, cookies, stored.session_id)
        return LoadResult(None, tuple(deletions))

    if data is None:
        return (yield from end("unreadable session cookie"))
    settings = ctx.settings
    if now - data.created_at >= settings.absolute_timeout:
        return (yield from end("absolute timeout"))
    if now - data.last_seen >= settings.idle_timeout:
        return (yield from end("idle timeout"))
    if data.user is None:
        return (yield from end("session without a subject"))

    if data.expires_at - now <= settings.refresh_buffer:
        if data.refresh_token is None:
            if now >= data.expires_at:
                return (yield from end("access token expired and no refresh token"))
        else:
            try:
                tokens = yield RefreshTokens(data.refresh_token)
            except RefreshFailed as exc:
                if exc.ends_session:
                    return (yield from end(f"refresh refused ({exc.reason})"))
                log.warning("session refresh failed: %s", exc.reason)
                if now >= data.expires_at:
                    return LoadResult(None)  # keep the cookies: the provider may come back
            else:
                data = refreshed_session(data, tokens, now)
                writes = yield from write_session(ctx, cookies, data, stored.session_id, now)
                return LoadResult(data.user, tuple(writes))

    # Rolling idle expiry: rewrite the session now and then, not on every request.
    writes_: list[CookieWrite] = []
    if now - data.last_seen >= min(60.0, settings.idle_timeout / 10):
        data = data.touched(now)
        writes_ = yield from write_session(ctx, cookies, data, stored.session_id, now)
    return LoadResult(data.user, tuple(writes_))
