"""``load``: who is making this request? Bearer token or session, refreshed when due."""

from __future__ import annotations

import logging
from dataclasses import replace

from ..claims import is_machine_token
from ..errors import ScalekitError, TokenValidationError
from ..tokens import TokenResponse
from ..validation import MAX_TIME
from .api_keys import api_key_of
from .context import WebContext
from .effects import (
    CheckRevoked,
    ConfirmLive,
    RefreshTokens,
    VerifyApiKey,
    VerifyBearer,
    VerifyRefreshed,
    WebFlow,
)
from .outcomes import Event, Reason, log_event
from .persistence import (
    StoredSession,
    clear_session,
    read_sealed,
    stored_session,
    write_session,
)
from .refresh import IN_PROGRESS, RefreshFailed
from .requests import LoadResult, WebRequest, cookie_source
from .revocation import session_key
from .session_data import Machine, SessionData, User, trim_profile, unverified_claims

__all__ = ["load_flow", "load_steps", "refreshed_session", "settled_load"]

log = logging.getLogger("scalekit_core.web")

_ANONYMOUS = LoadResult(None)


def refreshed_session(data: SessionData, tokens: TokenResponse, now: float) -> SessionData:
    """``data`` with the new tokens (a provider that does not rotate keeps the old ones),
    marked unverified until :func:`_verify_tokens` has checked them."""
    claims = unverified_claims(tokens.access_token) or {}
    exp = claims.get("exp")
    expires_at = (
        float(exp)
        if isinstance(exp, (int, float)) and not isinstance(exp, bool) and 0 <= exp <= MAX_TIME
        else now + tokens.expires_in
    )
    pending = {"access"} | ({"id"} if tokens.id_token else set())
    return replace(
        data,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token or data.refresh_token,
        id_token=tokens.id_token or data.id_token,
        expires_at=expires_at,
        last_seen=now,
        unverified=frozenset(pending),
    )


def _verify_tokens(
    data: SessionData, subject: str, issuer: object
) -> WebFlow[tuple[SessionData, str | None]]:
    """Check a session's unverified tokens like a login's: signatures, ``iss``, ``aud``
    (``azp``, ``at_hash`` for the ID token), and the session's own subject and issuer.

    ``(data, None)`` when they verify (``unverified`` cleared) or cannot be checked yet (the
    keys are unreachable: kept unverified, checked again on a later request); ``(data,
    reason)`` when one is verifiably wrong: the session must end.
    """
    id_token = data.id_token if "id" in data.unverified else None
    try:
        access, id_claims = yield VerifyRefreshed(data.access_token, id_token)
    except TokenValidationError as exc:
        return data, f"refreshed tokens rejected ({exc.reason})"
    except ScalekitError as exc:
        log.warning("refreshed tokens kept unverified, signing keys unavailable: %s", exc)
        return data, None
    for claims in (access, id_claims):
        if claims is None:
            continue
        if claims.get("sub") != subject:
            return data, "refreshed tokens belong to another subject"
        if issuer is not None and claims.get("iss") != issuer:
            return data, "refreshed tokens come from another issuer"
    if id_claims is not None:
        data = replace(data, profile={**data.profile, **trim_profile(id_claims)})
    return replace(data, unverified=frozenset()), None


#: The key of a bearer token's ``LoadResult`` beside its verified claims.
_BEARER_RESULT = "scalekit_core.web.load"


def _bearer_flow(ctx: WebContext, token: str) -> WebFlow[LoadResult]:
    # A token verified before, still honoured by the client's cache: its principal was built
    # then and kept beside the claims.
    extras = ctx.verified_extras(token)
    known: LoadResult | None = extras.get(_BEARER_RESULT) if extras is not None else None
    if known is not None:
        return known
    result = yield from _verified_bearer(token, ctx.client.config.client_id)
    if result.user is not None or result.machine is not None:
        extras = ctx.verified_extras(token)
        if extras is not None:
            extras[_BEARER_RESULT] = result
    return result


def _verified_bearer(token: str, client_id: str) -> WebFlow[LoadResult]:
    try:
        claims = yield VerifyBearer(token)
    except TokenValidationError as exc:
        log.info("bearer token rejected: %s", exc.reason)
        return LoadResult(None)
    except ScalekitError as exc:
        log.warning("bearer token not checked, signing keys unavailable: %s", type(exc).__name__)
        return LoadResult(None)
    if is_machine_token(claims, client_id):
        return LoadResult(None, machine=Machine.from_claims(claims))
    return LoadResult(User.from_claims(claims, is_bearer=True))


def settled_load(ctx: WebContext, request: WebRequest) -> LoadResult | None:
    """The result of ``request`` when it takes no step of :func:`load_steps`, else ``None``:
    anonymous (no credential header, no session cookie: nothing to read), or a warm session
    whose ``Cookie`` header, repeated byte for byte, was read before and no lifetime check
    can decide otherwise yet (see ``WebContext.quiet_result``; a revocation still counts).
    Plain code, no generator: the managers call it before they start one."""
    if request.carries_credentials(ctx.credential_headers):
        return None  # a credential to check
    if not request.may_carry_cookie(ctx.settings.session_cookie):
        return _ANONYMOUS  # no session cookie either: nothing to read
    header = cookie_source(request.cookies)
    return ctx.quiet_result(header, ctx.clock()) if header else None


def load_flow(ctx: WebContext, request: WebRequest) -> WebFlow[LoadResult]:
    """The user of ``request`` (or ``None``) and the cookies to set on whatever response goes out."""
    settled = settled_load(ctx, request)
    if settled is not None:
        return settled
    return (yield from load_steps(ctx, request))


def load_steps(ctx: WebContext, request: WebRequest) -> WebFlow[LoadResult]:
    """:func:`load_flow` for a request :func:`settled_load` did not settle."""
    settings = ctx.settings
    if request.authorization_ambiguous:
        log.info("ambiguous Authorization header refused")
        return LoadResult(None)
    if settings.api_keys:
        api_key = api_key_of(request, settings.api_key_header)
        if api_key is not None:
            return LoadResult(None, machine=(yield VerifyApiKey(api_key)))
    token = request.bearer_token
    if token is not None:
        return (yield from _bearer_flow(ctx, token))
    cookies = request.cookies
    now = ctx.clock()
    header = cookie_source(cookies)
    # The cookie store reads without I/O: no generator for it.
    sealed = read_sealed(ctx, cookies)
    stored = (
        sealed if isinstance(sealed, StoredSession) else (yield from stored_session(ctx, sealed))
    )
    if not stored.present:
        return LoadResult(None)
    data = stored.data

    def end(
        why: str,
        reason: Reason,
        event: Event = Event.SESSION_ENDED,
        ended: User | None = None,
    ) -> WebFlow[LoadResult]:
        log.info("session ended: %s", why)
        log_event(event, reason, ended)
        deletions = yield from clear_session(ctx, cookies, stored.session_id)
        return LoadResult(None, tuple(deletions), reason=reason.value)

    if data is None:
        if stored.session_id is not None:
            # A valid signed id whose stored session is gone: ended elsewhere (a logout, a
            # revocation; an expiry would have ended the cookie as well).
            return (yield from end("stored session gone", Reason.SESSION_REVOKED))
        return (yield from end("unreadable session cookie", Reason.SESSION_INVALID))
    if now - data.created_at >= settings.absolute_timeout:
        return (yield from end("absolute timeout", Reason.SESSION_EXPIRED, ended=data.user))
    if now - data.last_seen >= settings.idle_timeout:
        return (yield from end("idle timeout", Reason.SESSION_EXPIRED, ended=data.user))
    user = data.user
    if user is None:
        return (yield from end("session without a subject", Reason.SESSION_INVALID))
    # A server-side store deletes the session itself whenever one ends; a cookie outlives
    # its session, so the revocation record decides (a replayed pre-logout cookie, a
    # revocation from another browser or from Scalekit).
    revocation = None
    if not ctx.server_side:
        revocation = (session_key(data), user.id, data.created_at)
        revoked_now = ctx.revoked_now
        revoked = (
            revoked_now(*revocation)
            if revoked_now is not None
            else (yield CheckRevoked(*revocation))
        )
        if revoked:
            return (yield from end("session revoked", Reason.SESSION_REVOKED, ended=user))
    live_sid = user.session_id if ctx.settings.session_check_interval else None
    if live_sid and not (yield ConfirmLive(live_sid)):
        return (yield from end("session ended at Scalekit", Reason.SESSION_REVOKED, ended=user))
    # Known before any refresh: refreshed tokens must keep them.
    subject = user.id
    issuer = user.claims.get("iss")

    if data.expires_at - now <= settings.refresh_buffer:
        if data.refresh_token is None:
            if now >= data.expires_at:
                return (
                    yield from end(
                        "access token expired and no refresh token",
                        Reason.SESSION_EXPIRED,
                        ended=user,
                    )
                )
        else:
            expired = now >= data.expires_at
            try:
                # Only a request whose token has expired waits for a refresh in flight.
                tokens = yield RefreshTokens(data.refresh_token, wait=expired)
            except RefreshFailed as exc:
                if exc.ends_session:
                    return (
                        yield from end(
                            f"refresh refused ({exc.reason})",
                            Reason.REFRESH_DENIED,
                            Event.REFRESH_FAILED,
                            user,
                        )
                    )
                if exc.reason != IN_PROGRESS:
                    log.warning("session refresh failed: %s", exc.reason)
                    log_event(
                        Event.REFRESH_FAILED, Reason.REFRESH_FAILED, user, level=logging.WARNING
                    )
                if expired:
                    # Keep the cookies: the provider may come back.
                    return LoadResult(None, reason=Reason.REFRESH_FAILED.value)
            else:
                data, ended = yield from _verify_tokens(
                    refreshed_session(data, tokens, now), subject, issuer
                )
                if ended is not None:
                    return (
                        yield from end(ended, Reason.SESSION_INVALID, Event.REFRESH_FAILED, user)
                    )
                writes = yield from write_session(ctx, cookies, data, stored.session_id, now)
                log_event(Event.REFRESH, None, data.user)
                return LoadResult(data.user, tuple(writes))

    if data.unverified:
        # A refresh accepted during a JWKS outage: check its tokens now the keys may be back.
        checked, ended = yield from _verify_tokens(data, subject, issuer)
        if ended is not None:
            return (yield from end(ended, Reason.SESSION_INVALID, ended=user))
        if not checked.unverified:
            data = checked.touched(now)
            writes = yield from write_session(ctx, cookies, data, stored.session_id, now)
            return LoadResult(data.user, tuple(writes))

    # Rolling idle expiry: rewrite the session now and then, not on every request.
    rewrite_every = min(60.0, settings.idle_timeout / 10)
    if now - data.last_seen >= rewrite_every:
        data = data.touched(now)
        writes = yield from write_session(ctx, cookies, data, stored.session_id, now)
        return LoadResult(data.user, tuple(writes))
    result = LoadResult(user)
    if header and revocation is not None and not live_sid and not data.unverified:
        # Nothing to do until the first lifetime check could fire (a millisecond early: the
        # full checks above decide at the edge); the revocation record is asked every time.
        until = (
            min(
                data.created_at + settings.absolute_timeout,
                data.last_seen + min(settings.idle_timeout, rewrite_every),
                data.expires_at - settings.refresh_buffer,
            )
            - 0.001
        )
        if until > now:
            ctx.remember_quiet(header, result, until, revocation)
    return result
