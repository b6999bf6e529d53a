"""``start_login`` and ``complete_login`` (the callback) as sans-I/O flows."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

from ..errors import OAuthError, ScalekitError, TokenValidationError
from ..idp_login import IdpInitiatedLoginClaims
from ..options import AuthorizationUrlOptions
from .context import WebContext
from .effects import CallOnLogin, ExchangeCode, LoginTokens, StoreDelete, VerifyIdpLogin, WebFlow
from .errors import PermissionDenied
from .outcomes import Event, Reason, log_event
from .persistence import read_session, write_session
from .requests import CookieWrite, WebRequest, WebResponse
from .responses import error_page, login_url, redirect
from .return_to import safe_return_to
from .sealing import MAX_SEALED_LENGTH
from .session_data import SessionData, User, trim_profile
from .transactions import RETRY_STATE_PREFIX, Transaction, is_generated_state, is_valid_state

__all__ = ["LoginOptions", "complete_login_flow", "start_login_flow"]

log = logging.getLogger("scalekit_core.web")

_MAX_PARAM = 512
#: Callback parameters that must appear at most once: a second value is never resolved by
#: position (which one a proxy, a framework or the provider meant cannot be told).
_SINGLE_PARAMS = ("code", "state", "iss", "error", "error_description")


@dataclass(frozen=True)
class LoginOptions:
    """Routing of one login: explicit values win over the request's query parameters."""

    return_to: str | None = None
    organization_id: str | None = None
    connection_id: str | None = None
    login_hint: str | None = None
    prompt: str | None = None
    #: Seconds: the user must have authenticated at most this long ago (OIDC ``max_age``;
    #: the callback checks the ID token's ``auth_time``).
    max_age: int | None = None
    acr_values: str | None = None


#: The ``prompt`` values of OpenID Connect (and Scalekit's ``create`` for sign-up).
PROMPT_VALUES = frozenset({"none", "login", "consent", "select_account", "create"})
_ACR = re.compile(r"^[\x21-\x7e]+(?: [\x21-\x7e]+)*$")


class _BadLoginParameter(ValueError):
    pass


def parse_prompt(value: str | None) -> str | None:
    """``value`` when it is a space-separated list of OIDC prompt values, else ``ValueError``."""
    if value is None or value == "":
        return None
    words = value.split(" ")
    if len(value) > 100 or not all(word in PROMPT_VALUES for word in words):
        raise _BadLoginParameter(
            "prompt must be one or more of " + ", ".join(sorted(PROMPT_VALUES))
        )
    if "none" in words and len(words) > 1:
        raise _BadLoginParameter("prompt=none cannot be combined with other values")
    return value


def parse_max_age(value: str | int | None) -> int | None:
    """A non-negative whole number of seconds (``"300"`` or ``300``, at most 9 digits: about 31
    years), else ``ValueError``."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    raise _BadLoginParameter("max_age must be a non-negative whole number of seconds")


def parse_acr_values(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > _MAX_PARAM or not _ACR.match(value):
        raise _BadLoginParameter("acr_values must be space-separated printable values")
    return value


def _param(request: WebRequest, name: str) -> str | None:
    value = request.query.get(name)
    return value if value and len(value) <= _MAX_PARAM else None


def begin_login(
    ctx: WebContext,
    request: WebRequest,
    options: LoginOptions,
    *,
    state: str | None = None,
    extra_cookies: tuple[CookieWrite, ...] = (),
    switch_to: str | None = None,
) -> WebResponse:
    """Pure: a 302 to Scalekit's authorize URL and the sealed transaction cookie
    (``switch_to``: an organization switch, whose callback must yield that organization)."""
    settings = ctx.settings
    auth = ctx.client.create_authorization_request(
        settings.redirect_uri,
        AuthorizationUrlOptions(
            scopes=list(settings.scopes),
            state=state,
            organization_id=options.organization_id,
            connection_id=options.connection_id,
            login_hint=options.login_hint,
            prompt=options.prompt,
            extra_params=_step_up_params(options),
        ),
    )
    now = ctx.clock()
    transaction = Transaction(
        auth.state,
        auth.nonce,
        auth.code_verifier,
        safe_return_to(options.return_to),
        now,
        auth.redirect_uri,
        options.max_age,
        switch_to,
    )
    writes = ctx.transactions.write(request.cookies, transaction, now)
    return redirect(auth.url, [*extra_cookies, *writes])


def _step_up_params(options: LoginOptions) -> dict[str, str]:
    params = {"acr_values": options.acr_values} if options.acr_values else {}
    if options.max_age is not None:
        params["max_age"] = str(options.max_age)
    return params


def start_login_flow(
    ctx: WebContext, request: WebRequest, options: LoginOptions
) -> WebFlow[WebResponse]:
    repeated = request.repeated_query.intersection(("prompt", "max_age", "acr_values"))
    try:
        if repeated:
            raise _BadLoginParameter(f"{sorted(repeated)[0]} is repeated")
        prompt = parse_prompt(options.prompt or request.query.get("prompt"))
        max_age = parse_max_age(
            options.max_age if options.max_age is not None else request.query.get("max_age")
        )
        acr_values = parse_acr_values(options.acr_values or request.query.get("acr_values"))
    except _BadLoginParameter as exc:
        log.info("login refused: %s", exc)
        log_event(Event.SIGN_IN_FAILED, Reason.INVALID_REQUEST)
        return error_page(
            400,
            "Sign-in failed",
            f"The sign-in request is invalid: {exc}.",
            reason=Reason.INVALID_REQUEST,
        )
    merged = LoginOptions(
        return_to=options.return_to or _param(request, "return_to"),
        organization_id=options.organization_id or _param(request, "organization_id"),
        connection_id=options.connection_id or _param(request, "connection_id"),
        login_hint=options.login_hint or _param(request, "login_hint"),
        prompt=prompt,
        max_age=max_age,
        acr_values=acr_values,
    )
    idp_token = request.query.get("idp_initiated_login")
    if idp_token:
        try:
            claims: IdpInitiatedLoginClaims = yield VerifyIdpLogin(idp_token)
        except TokenValidationError as exc:
            log.info("IdP-initiated login refused: %s", exc.reason)
            log_event(Event.SIGN_IN_FAILED, Reason.ID_TOKEN_INVALID)
            return error_page(
                400,
                "Sign-in failed",
                "The sign-in link is invalid or has expired.",
                reason=Reason.ID_TOKEN_INVALID,
            )
        except ScalekitError as exc:
            log.warning("IdP-initiated login not verified: %s", type(exc).__name__)
            return _unavailable()
        merged = LoginOptions(
            return_to=safe_return_to(claims.relay_state, merged.return_to or "/"),
            organization_id=claims.organization_id or merged.organization_id,
            connection_id=claims.connection_id or merged.connection_id,
            login_hint=claims.login_hint or merged.login_hint,
            prompt=merged.prompt,
            max_age=merged.max_age,
            acr_values=merged.acr_values,
        )
    return begin_login(ctx, request, merged)


def _unavailable(cookies: tuple[CookieWrite, ...] = ()) -> WebResponse:
    log_event(Event.SIGN_IN_FAILED, Reason.PROVIDER_UNAVAILABLE, level=logging.WARNING)
    return error_page(
        503,
        "Sign-in is unavailable",
        "The identity provider could not be reached. Please try again in a moment.",
        cookies,
        headers={"Retry-After": "5"},
        reason=Reason.PROVIDER_UNAVAILABLE,
    )


def _failed(
    ctx: WebContext,
    message: str,
    cookies: tuple[CookieWrite, ...],
    reason: Reason,
    user: User | None = None,
) -> WebResponse:
    """400, with a way to start over, and the sign-in failure's log event."""
    log_event(Event.SIGN_IN_FAILED, reason, user)
    return error_page(
        400,
        "Sign-in failed",
        message,
        cookies,
        link=(login_url(ctx.settings, None), "Sign in again"),
        reason=reason,
    )


def complete_login_flow(
    ctx: WebContext, request: WebRequest, *, call_on_login: bool
) -> WebFlow[WebResponse]:
    query = request.query
    repeated = request.repeated_query.intersection(_SINGLE_PARAMS)
    if repeated:
        log.info("callback refused: repeated parameters %s", sorted(repeated))
        return _failed(
            ctx,
            "The sign-in response is ambiguous: it repeats a parameter.",
            (),
            Reason.STATE_MISMATCH,
        )
    state = query.get("state")
    valid_state = is_valid_state(state)
    assert state is None or isinstance(state, str)
    txn_name = ctx.transactions.name(state) if state and is_generated_state(state) else None
    consumed = (ctx.jar.delete(txn_name),) if txn_name and txn_name in request.cookies else ()

    error = query.get("error")
    if error:
        description = query.get("error_description", "")
        log.info("authorization response carried error %r", error[:100])
        message = f"{error[:100]}: {description[:300]}" if description else error[:100]
        reason = Reason.ACCESS_DENIED if error == "access_denied" else Reason.PROVIDER_ERROR
        return _failed(
            ctx, f"The identity provider refused the sign-in ({message}).", consumed, reason
        )
    if not state:
        return _failed(
            ctx, "The sign-in response is missing its state.", consumed, Reason.STATE_MISMATCH
        )
    if not valid_state:
        return _failed(
            ctx,
            "The sign-in response does not belong to a sign-in started here (its state is "
            "not one this site issued).",
            consumed,
            Reason.STATE_MISMATCH,
        )

    transaction = ctx.transactions.read(request.cookies, state)
    now = ctx.clock()
    if transaction is None or ctx.transactions.is_expired(transaction, now):
        if state.startswith(RETRY_STATE_PREFIX):
            return _failed(
                ctx,
                "The sign-in could not be completed: this browser did not keep the login "
                "cookie. Please allow cookies for this site and try again.",
                consumed,
                Reason.TRANSACTION_EXPIRED,
            )
        log.info("login transaction missing or expired, restarting login once")
        return_to = transaction.return_to if transaction is not None else "/"
        return begin_login(
            ctx,
            request,
            LoginOptions(return_to=return_to),
            state=RETRY_STATE_PREFIX + secrets.token_urlsafe(24),
            extra_cookies=consumed,
        )

    issuer = query.get("iss")
    if issuer is not None and issuer != ctx.client.config.env_url:
        return _failed(
            ctx,
            "The sign-in response came from an unexpected issuer.",
            consumed,
            Reason.ISSUER_MISMATCH,
        )
    code = query.get("code")
    if not code or len(code) > 4096:
        return _failed(
            ctx,
            "The sign-in response is missing its authorization code.",
            consumed,
            Reason.CODE_MISSING,
        )
    # Consumed before the exchange: a replay of this URL with the same transaction cookie
    # (still in the browser, or copied) never reaches the token endpoint a second time.
    if not ctx.consumed.claim(state, now):
        log.info("callback replayed for a completed sign-in")
        return _failed(
            ctx,
            "This sign-in response was already used. Please sign in again.",
            consumed,
            Reason.STATE_MISMATCH,
        )

    try:
        tokens: LoginTokens = yield ExchangeCode(
            code, transaction.redirect_uri, transaction.code_verifier, transaction.nonce
        )
    except ScalekitError as exc:
        return _exchange_failure(ctx, exc, consumed)

    auth = tokens.auth
    if transaction.max_age is not None and not _recent_enough(
        ctx, auth.id_token_claims.get("auth_time"), transaction.max_age, now
    ):
        log.info("callback refused: auth_time missing or older than the requested max_age")
        return _failed(
            ctx,
            "The identity provider did not confirm a recent enough sign-in.",
            consumed,
            Reason.AUTH_TIME_TOO_OLD,
        )
    exp = tokens.access_claims.get("exp")
    data = SessionData(
        access_token=auth.access_token,
        expires_at=float(exp) if isinstance(exp, (int, float)) else now + auth.expires_in,
        created_at=now,
        last_seen=now,
        refresh_token=auth.refresh_token,
        id_token=auth.id_token,
        profile=trim_profile(auth.id_token_claims),
    )
    user = data.user
    if user is None:
        return _failed(
            ctx,
            "The identity provider did not name the signed-in user.",
            consumed,
            Reason.ID_TOKEN_INVALID,
        )
    if transaction.switch_to is not None and user.organization_id != transaction.switch_to:
        # The current session is kept: nothing changes unless the switch really happened.
        log.info("organization switch refused: the sign-in was for another organization")
        return _failed(
            ctx,
            "The sign-in did not reach the organization you asked for.",
            consumed,
            Reason.ORGANIZATION_MISMATCH,
            user,
        )
    if call_on_login:
        try:
            yield CallOnLogin(user, auth)
        except PermissionDenied as exc:
            log_event(Event.SIGN_IN_FAILED, Reason.ACCESS_DENIED, user)
            return error_page(
                403, "Access denied", exc.message, consumed, reason=Reason.ACCESS_DENIED
            )

    # A fresh session every login (no fixation): the previous server-side one is dropped.
    previous = yield from read_session(ctx, request.cookies)
    writes = yield from write_session(ctx, request.cookies, data, None, now)
    if previous.session_id is not None:
        yield StoreDelete(previous.session_id)
    if not ctx.server_side and sum(len(w.value) for w in writes) > MAX_SEALED_LENGTH:
        log.error("session too large for cookies; configure a server-side session store")
        return _failed(
            ctx,
            "The session is too large to be stored in cookies.",
            consumed,
            Reason.SESSION_TOO_LARGE,
            user,
        )
    log.info("login completed")
    log_event(Event.SIGN_IN, None, user)
    return redirect(transaction.return_to, [*consumed, *writes])


def _recent_enough(ctx: WebContext, auth_time: object, max_age: int, now: float) -> bool:
    """OIDC Core 3.1.2.1: with ``max_age`` asked, ``auth_time`` is required and must be at most
    ``max_age`` old (the client's clock leeway allowed, as for every other time claim)."""
    if isinstance(auth_time, bool) or not isinstance(auth_time, (int, float)):
        return False
    return now - auth_time <= max_age + ctx.client.config.leeway


def _exchange_failure(
    ctx: WebContext, exc: ScalekitError, consumed: tuple[CookieWrite, ...]
) -> WebResponse:
    if isinstance(exc, TokenValidationError):
        log.warning("ID token rejected at login: %s", exc.reason)
        return _failed(
            ctx,
            "The identity provider's answer could not be verified.",
            consumed,
            Reason.ID_TOKEN_INVALID,
        )
    if isinstance(exc, OAuthError) and (exc.status_code is None or exc.status_code < 500):
        log.info("code exchange refused: %s", exc.error)
        return _failed(
            ctx,
            f"The sign-in could not be completed ({exc.error[:100]}). Please try again.",
            consumed,
            Reason.CODE_EXCHANGE_FAILED,
        )
    log.warning("code exchange failed: %s", type(exc).__name__)
    return _unavailable(consumed)
