"""``SessionManager`` and ``AsyncSessionManager``: twins that run the same decision flows.

Every decision lives in the flows of ``login``, ``loading`` and ``logout``; the managers only
perform the effects those flows yield (token endpoint, JWKS, session store, the app's hook),
with blocking calls or with awaits. Adapters call one method per route::

    manager = SessionManager(ScalekitClient(...), SessionSettings(secrets=..., base_url=...))
    response = manager.start_login(web_request)        # GET  /auth/login
    response = manager.complete_login(web_request)     # GET  /auth/callback
    response = manager.logout(web_request)             # POST /auth/logout
    response = manager.switch_organization(web_request)  # GET /auth/switch-organization
    result = manager.load(web_request)                 # every request: result.user, result.cookies
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from ..client import AsyncScalekitClient, ScalekitClient
from ..drivers import run_async, run_sync
from ..errors import ConfigurationError, ScalekitError
from ..options import CodeAuthenticationOptions
from ..tokens import AuthenticationResponse, TokenResponse, refreshed_claims_flow
from ..validation import load_verifier
from ..webhook_events import WebhookHandlers
from .api_keys import ApiKeyCache
from .context import WebContext
from .effects import (
    CallOnLogin,
    CheckRevoked,
    ConfirmLive,
    Effect,
    ExchangeCode,
    LoginTokens,
    MemberOrganizations,
    RecordRevocation,
    RefreshTokens,
    StoreDelete,
    StoreGet,
    StoreSet,
    VerifyApiKey,
    VerifyBearer,
    VerifyIdpLogin,
    VerifyRefreshed,
    WebFlow,
)
from .errors import AuthenticationRequired, PermissionDenied, SessionStoreUnavailable
from .guards import require, require_machine, require_recent_login
from .liveness import LivenessChecks, aconfirm_live, confirm_live
from .loading import load_steps, settled_load
from .login import LoginOptions, complete_login_flow, start_login_flow
from .logout import end_session_flow, is_same_origin, logout_flow
from .outcomes import Event, Reason, log_event, reason_of
from .refresh import (
    AsyncRefreshCoordinator,
    AsyncSharedRefreshes,
    RefreshCoordinator,
    RefreshOutcomes,
    SharedRefreshes,
)
from .requests import CookieWrite, LoadResult, WebRequest, WebResponse
from .responses import (
    forbidden_response,
    is_browser_navigation,
    store_unavailable_response,
    unauthenticated_response,
)
from .revocation import DualRevocations, MemoryRevocations, Revocations
from .session_data import Machine, User, is_jwt
from .settings import SessionSettings
from .stores import CookieSessionStore, DualSessionStore, SealingStore, SessionStore
from .switching import member_organizations, switch_organization_flow
from .webhook_endpoint import ahandle_webhook, handle_webhook

__all__ = ["AsyncSessionManager", "OnLogin", "SessionManager"]

log = logging.getLogger("scalekit_core.web")

T = TypeVar("T")

#: ``on_login(user, auth)``: called after a successful login, before the session is created;
#: raise ``PermissionDenied`` to refuse the login (403 page). May be async for the async twin.
OnLogin = Callable[[User, AuthenticationResponse], Any]

#: Seconds between two log lines of one repeated session-store error (an outage fails every
#: request: the first failure is logged, then one line with a count per interval).
STORE_ERROR_LOG_INTERVAL = 10.0


class _RepeatedErrors:
    """Rate-limits identical error lines: the first, then at most one per ``interval`` with the
    number of repeats it stands for. Thread-safe; shared by the coroutines of one loop too."""

    def __init__(self, clock: Callable[[], float], interval: float) -> None:
        self._clock = clock
        self._interval = interval
        self._lock = threading.Lock()
        self._last: dict[str, tuple[float, int]] = {}  # message -> (logged at, suppressed)

    def repeats(self, message: str) -> int | None:
        """``None`` to stay silent; otherwise log now, saying how many lines were held back."""
        now = self._clock()
        with self._lock:
            last = self._last.get(message)
            if last is not None and now - last[0] < self._interval:
                self._last[message] = (last[0], last[1] + 1)
                return None
            if len(self._last) > 64:  # a handful of operations x causes; never unbounded
                self._last.clear()
            self._last[message] = (now, 0)
            return 0 if last is None else last[1]


def _direct_lookup(revocations: object) -> Callable[[str | None, str, float], bool] | None:
    """The record's ``is_revoked`` when it is the in-memory one (plain dict reads, never I/O):
    ``load`` calls it without a round trip through the driver. Other records (Redis) are
    asked through ``CheckRevoked``."""
    return revocations.is_revoked if isinstance(revocations, MemoryRevocations) else None


class _ManagerBase:
    """The pure half both twins share: settings, context and the no-I/O responses."""

    def __init__(
        self,
        client: ScalekitClient | AsyncScalekitClient,
        settings: SessionSettings,
        *,
        on_login: OnLogin | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.on_login = on_login
        # The client's clock by default, so token validation and session lifetimes agree.
        self.clock = clock or client._ctx.clock
        self._ctx = WebContext(settings, client, self.clock)
        self._outcomes = RefreshOutcomes(settings.refresh_result_ttl, self.clock)
        self._store_errors = _RepeatedErrors(self.clock, STORE_ERROR_LOG_INTERVAL)
        self.api_keys = ApiKeyCache(self.clock, ttl=settings.api_key_ttl)
        self._store: Any = settings.store if settings.store is not None else CookieSessionStore()
        if isinstance(self._store, SealingStore):
            self._store.bind_secrets(settings.secret_list)
        load_verifier()
        self._revocations: Any = settings.revocations
        self._ctx.revoked_now = _direct_lookup(self._revocations)
        #: The app's webhook handlers: ``@manager.webhook_handlers.on_event("...")``.
        self.webhook_handlers = WebhookHandlers()
        interval = settings.session_check_interval
        self._liveness = LivenessChecks(interval, self.clock) if interval else None

    @property
    def revocations(self) -> Any:
        """The revocation record (``Revocations``; the async twin's for the asyncio manager)."""
        return self._revocations

    def _revocation(self, kind: str, value: str) -> RecordRevocation | None:
        """The record of an ending made by id (cookie sessions only: a server-side store
        deletes the sessions themselves); and the revocation's log event either way."""
        user_id, sid = (value, None) if kind == "user" else (None, value)
        log_event(Event.REVOCATION, Reason.SESSION_REVOKED, user_id=user_id, sid=sid)
        if self._ctx.server_side:
            return None
        now = self.clock()
        until = now + self.settings.absolute_timeout
        if kind == "user":
            return RecordRevocation(None, value, now, until)
        return RecordRevocation(value, None, now, until)

    def _record(self, effect: RecordRevocation) -> Any:
        if effect.session_key is not None:
            return self._revocations.revoke_session(effect.session_key, effect.until)
        return self._revocations.revoke_user(effect.user_id, effect.before_time, effect.until)

    def store_unavailable(self, request: WebRequest, error: SessionStoreUnavailable) -> WebResponse:
        """503 (page or JSON by the browser-vs-API rule) and a log line without secrets: the
        first of an outage, then one per ``STORE_ERROR_LOG_INTERVAL`` with a count."""
        repeats = self._store_errors.repeats(str(error))
        if repeats is not None:
            log.error(
                "%s; answering 503 to %s %s%s",
                error,
                request.method,
                request.path[:200],
                f" (and {repeats} more like it since the last line)" if repeats else "",
            )
        return store_unavailable_response(request)

    def is_browser_navigation(self, request: WebRequest) -> bool:
        """The one browser-vs-API rule (302 to login vs 401 JSON; HTML vs JSON 403)."""
        return is_browser_navigation(request)

    def is_same_origin(self, request: WebRequest) -> bool:
        """``Origin`` (else ``Referer``) is the app's own: guard for state-changing POSTs."""
        return is_same_origin(self._ctx, request)

    def unauthenticated(
        self,
        request: WebRequest,
        cookies: Iterable[CookieWrite] = (),
        *,
        api: bool = False,
        max_age: int | None = None,
        reason: str | None = None,
    ) -> WebResponse:
        """302 to login with a safe return-to (navigation), else 401 JSON + WWW-Authenticate.

        ``api=True`` marks an API endpoint (e.g. ``/api/me``): 401 JSON even for a browser.
        ``max_age`` (from ``ReauthenticationRequired``): a forced sign-in and back, or 401
        ``insufficient_user_authentication``. ``reason``: ``LoadResult.reason`` (why the
        request's session gave no user), carried as the response's reason.
        """
        return unauthenticated_response(
            self.settings,
            request,
            cookies,
            api=api,
            max_age=max_age,
            reason=reason_of(reason) if reason else None,
        )

    def forbidden(
        self,
        request: WebRequest,
        reason: str | PermissionDenied = "forbidden",
        cookies: Iterable[CookieWrite] = (),
        *,
        api: bool = False,
    ) -> WebResponse:
        """403: an HTML page for a navigation or an HTML form post, else (or with
        ``api=True``) JSON."""
        return forbidden_response(request, reason, cookies, api=api)

    def require(
        self,
        user: User | None,
        *,
        scopes: Iterable[str] = (),
        permissions: Iterable[str] = (),
        roles: Iterable[str] = (),
        organization_id: str | None = None,
        api: bool = False,
        max_age: int | None = None,
    ) -> User:
        """The user, or ``AuthenticationRequired`` / ``PermissionDenied`` (``api=True``: from
        an API endpoint, answered with JSON only). ``max_age``: the user must also have
        signed in within that many seconds (``ReauthenticationRequired``)."""
        checked = require(
            user,
            scopes=scopes,
            permissions=permissions,
            roles=roles,
            organization_id=organization_id,
            api=api,
        )
        if max_age is not None:
            require_recent_login(checked, max_age, self.clock(), api=api)
        return checked

    def guard(
        self,
        request: WebRequest,
        user: User | None,
        *,
        scopes: Iterable[str] = (),
        permissions: Iterable[str] = (),
        roles: Iterable[str] = (),
        organization_id: str | None = None,
        api: bool = False,
        max_age: int | None = None,
        reason: str | None = None,
    ) -> WebResponse | None:
        """``None`` when ``user`` may go on, else the answer: a 302 to sign-in or 401
        (:meth:`unauthenticated`, with ``reason``: ``LoadResult.reason``), or a 403
        (:meth:`forbidden`). For adapters whose guards return a response rather than raise
        (decorators, mixins)."""
        try:
            self.require(
                user,
                scopes=scopes,
                permissions=permissions,
                roles=roles,
                organization_id=organization_id,
                api=api,
                max_age=max_age,
            )
        except AuthenticationRequired as exc:
            return self.unauthenticated(request, api=exc.api, max_age=exc.max_age, reason=reason)
        except PermissionDenied as exc:
            return self.forbidden(request, exc, api=exc.api)
        return None

    def require_machine(
        self,
        machine: Machine | None,
        *,
        scopes: Iterable[str] = (),
        organization_id: str | None = None,
    ) -> Machine:
        """The machine client (a client-credentials bearer token), or
        ``AuthenticationRequired`` / ``PermissionDenied`` (always API answers). Users never
        pass, machines never pass :meth:`require`."""
        return require_machine(machine, scopes=scopes, organization_id=organization_id)

    def guard_machine(
        self,
        request: WebRequest,
        machine: Machine | None,
        *,
        scopes: Iterable[str] = (),
        organization_id: str | None = None,
    ) -> WebResponse | None:
        """``None`` when the machine client may go on, else the 401 or 403 JSON answer (the
        machine twin of :meth:`guard`)."""
        try:
            self.require_machine(machine, scopes=scopes, organization_id=organization_id)
        except AuthenticationRequired:
            return self.unauthenticated(request, api=True)
        except PermissionDenied as exc:
            return self.forbidden(request, exc, api=True)
        return None


class SessionManager(_ManagerBase):
    """The blocking twin, for Flask and sync Django (uses a ``ScalekitClient``)."""

    def __init__(
        self,
        client: ScalekitClient,
        settings: SessionSettings,
        *,
        on_login: OnLogin | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not isinstance(client, ScalekitClient):
            raise ConfigurationError("SessionManager needs a ScalekitClient")
        store = settings.store
        if (
            store is not None
            and not isinstance(store, CookieSessionStore)
            and (not isinstance(store, SessionStore) or inspect.iscoroutinefunction(store.get))
        ):
            raise ConfigurationError("SessionManager needs a blocking SessionStore")
        if not isinstance(settings.revocations, Revocations) or inspect.iscoroutinefunction(
            settings.revocations.is_revoked
        ):
            raise ConfigurationError("SessionManager needs blocking Revocations")
        super().__init__(client, settings, on_login=on_login, clock=clock)
        self._sync_client = client
        shared = self._store if isinstance(self._store, SharedRefreshes) else None
        self._refresh = RefreshCoordinator(self._outcomes, shared)
        # Revocations made through this app's client end the local sessions too.
        client._ctx.revocation_listeners.append(self._end_by)

    def _end_by(self, kind: str, value: str) -> None:
        if kind == "user":
            self.end_user_sessions(value)
        else:
            self.end_scalekit_session(value)

    def start_login(
        self,
        request: WebRequest,
        *,
        return_to: str | None = None,
        organization_id: str | None = None,
        connection_id: str | None = None,
        login_hint: str | None = None,
        prompt: str | None = None,
        max_age: int | None = None,
        acr_values: str | None = None,
    ) -> WebResponse:
        """302 to Scalekit with a sealed transaction cookie (also handles IdP-initiated login).

        Explicit values win over the query's (``return_to``, ``organization_id``, ...,
        ``prompt``, ``max_age``, ``acr_values``); an invalid ``prompt`` or ``max_age`` is a
        400 page."""
        options = LoginOptions(
            return_to, organization_id, connection_id, login_hint, prompt, max_age, acr_values
        )
        return self._run(start_login_flow(self._ctx, request, options))

    def complete_login(self, request: WebRequest) -> WebResponse:
        """The callback: 302 to the return-to with the session, or a 400/503 page."""
        try:
            return self._run(
                complete_login_flow(self._ctx, request, call_on_login=self.on_login is not None)
            )
        except SessionStoreUnavailable as exc:
            return self.store_unavailable(request, exc)

    def load(self, request: WebRequest) -> LoadResult:
        """The request's user (bearer or session) and cookies to apply to the response.

        When ``result.response`` is set (the session store is down), send it instead.
        """
        settled = settled_load(self._ctx, request)
        if settled is not None:
            return settled
        try:
            return self._run(load_steps(self._ctx, request))
        except SessionStoreUnavailable as exc:
            return LoadResult(None, response=self.store_unavailable(request, exc))

    def logout(self, request: WebRequest) -> WebResponse:
        """POST only: clears the session and redirects to Scalekit's logout."""
        try:
            return self._run(logout_flow(self._ctx, request))
        except SessionStoreUnavailable as exc:
            return self.store_unavailable(request, exc)

    def switch_organization(self, request: WebRequest) -> WebResponse:
        """``GET ?organization_id=...``: a sign-in routed to that organization when the
        signed-in user is a member of it (users API), else 400/401/403; the callback then
        replaces the session."""
        try:
            return self._run(switch_organization_flow(self._ctx, request))
        except SessionStoreUnavailable as exc:
            return self.store_unavailable(request, exc)

    def end_session(self, request: WebRequest) -> tuple[CookieWrite, ...]:
        """End the request's session here, without Scalekit's logout page (for a framework's
        own sign-out): the cookie deletions to set on the response. With the session store
        down the cookies are still deleted (the stored session then ends at its expiry)."""
        try:
            return self._run(end_session_flow(self._ctx, request))
        except SessionStoreUnavailable:
            return self._run(end_session_flow(self._ctx, request, store_available=False))

    def end_user_sessions(self, user_id: str) -> int:
        """End every local session of ``user_id`` now (e.g. with "sign out everywhere"):
        each is refused on its next request, in every process sharing the revocation record.

        Server-side stores delete them (their count is returned). With the cookie store the
        sessions live in the browsers: the revocation record refuses every one issued until
        now (0 is returned). ``SessionStoreUnavailable`` when the store or record is down.
        Revocations made through this app's client (``revoke_all_user_sessions``) call it.
        """
        record = self._revocation("user", user_id)
        if record is not None:
            self._record(record)
            return 0
        return int(self._store.delete_user_sessions(user_id))

    def end_scalekit_session(self, scalekit_session_id: str) -> int:
        """End the local session of one (revoked) Scalekit session, as ``end_user_sessions``
        (``revoke_session`` made through this app's client calls it)."""
        record = self._revocation("session", scalekit_session_id)
        if record is not None:
            self._record(record)
            return 0
        return int(self._store.delete_by_scalekit_session(scalekit_session_id))

    def handle_webhook(self, request: WebRequest, body: bytes) -> WebResponse:
        """``POST {webhook_path}``: a Scalekit delivery (see ``webhook_endpoint``); ``body``
        read up to ``MAX_WEBHOOK_BYTES + 1`` bytes."""
        return handle_webhook(self, request, body)

    def close_store(self) -> None:
        """Close the connections of the session store and the revocation record (Redis), if
        they have any (the async twin closes its event loop's)."""
        for owner in (self._store, self._revocations):
            close = getattr(owner, "close", None)
            if close is not None:
                close()

    def _refresh_now(self, refresh_token: str) -> TokenResponse:
        # Only the token request runs under the single flight: the provider's answer is shared
        # as is, and each request verifies it (VerifyRefreshed), so a JWKS outage never turns
        # an accepted refresh (its refresh token already rotated) into a failed one.
        return self._sync_client.refresh_access_token(refresh_token)

    def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, CheckRevoked):  # every request of a cookie session
            return self._revocations.is_revoked(
                effect.session_key, effect.user_id, effect.issued_at
            )
        client = self._sync_client
        if isinstance(effect, ConfirmLive):
            assert self._liveness is not None
            return confirm_live(self, client, self._liveness, effect.session_id)
        if isinstance(effect, RecordRevocation):
            return self._record(effect)
        if isinstance(effect, StoreGet):
            return self._store.get(effect.session_id)
        if isinstance(effect, StoreSet):
            return self._store.set(
                effect.session_id, effect.data, ttl=effect.ttl, user_id=effect.user_id
            )
        if isinstance(effect, StoreDelete):
            return self._store.delete(effect.session_id)
        if isinstance(effect, RefreshTokens):
            token = effect.refresh_token
            return self._refresh.run(token, lambda: self._refresh_now(token), wait=effect.wait)
        if isinstance(effect, VerifyRefreshed):
            access = effect.access_token
            flow = refreshed_claims_flow(client._ctx, access, effect.id_token, is_jwt(access))
            return run_sync(flow, client._http)
        if isinstance(effect, VerifyBearer):
            return client.validate_access_token_and_get_claims(effect.token)
        if isinstance(effect, VerifyApiKey):
            key = effect.token
            return self.api_keys.resolve(key, lambda: client.tokens.validate_token(key))
        if isinstance(effect, ExchangeCode):
            auth = client.authenticate_with_code(
                effect.code,
                effect.redirect_uri,
                CodeAuthenticationOptions(code_verifier=effect.code_verifier, nonce=effect.nonce),
            )
            claims = (
                client.validate_access_token_and_get_claims(auth.access_token)
                if is_jwt(auth.access_token)
                else {}
            )
            return LoginTokens(auth, claims)
        if isinstance(effect, VerifyIdpLogin):
            return client.get_idp_initiated_login_claims(effect.token)
        if isinstance(effect, CallOnLogin):
            assert self.on_login is not None
            return self.on_login(effect.user, effect.auth)
        if isinstance(effect, MemberOrganizations):
            return member_organizations(client.users.get_user(effect.user_id))
        raise TypeError(f"unknown effect {effect!r}")

    def _run(self, flow: WebFlow[T]) -> T:
        try:
            effect = next(flow)
            while True:
                try:
                    result = self._perform(effect)
                except SessionStoreUnavailable:
                    flow.close()  # never offered to the flow: no decision may swallow it
                    raise
                except ScalekitError as exc:
                    effect = flow.throw(exc)
                else:
                    effect = flow.send(result)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


class AsyncSessionManager(_ManagerBase):
    """The asyncio twin, for FastAPI, Starlette and async Django (uses an ``AsyncScalekitClient``).

    The store may be a blocking ``SessionStore`` that never blocks (``MemorySessionStore``) or
    an ``AsyncSessionStore``.
    """

    def __init__(
        self,
        client: AsyncScalekitClient,
        settings: SessionSettings,
        *,
        on_login: OnLogin | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not isinstance(client, AsyncScalekitClient):
            raise ConfigurationError("AsyncSessionManager needs an AsyncScalekitClient")
        super().__init__(client, settings, on_login=on_login, clock=clock)
        self._async_client = client
        if isinstance(self._store, DualSessionStore):
            self._store = self._store.async_twin()
        if isinstance(self._revocations, DualRevocations):
            self._revocations = self._revocations.async_twin()
            self._ctx.revoked_now = _direct_lookup(self._revocations)
        shared = self._store if isinstance(self._store, AsyncSharedRefreshes) else None
        self._refresh = AsyncRefreshCoordinator(self._outcomes, shared)
        client._ctx.revocation_listeners.append(self._end_by)

    async def _end_by(self, kind: str, value: str) -> None:
        if kind == "user":
            await self.end_user_sessions(value)
        else:
            await self.end_scalekit_session(value)

    async def start_login(
        self,
        request: WebRequest,
        *,
        return_to: str | None = None,
        organization_id: str | None = None,
        connection_id: str | None = None,
        login_hint: str | None = None,
        prompt: str | None = None,
        max_age: int | None = None,
        acr_values: str | None = None,
    ) -> WebResponse:
        """302 to Scalekit with a sealed transaction cookie (also handles IdP-initiated login).

        Explicit values win over the query's (``return_to``, ``organization_id``, ...,
        ``prompt``, ``max_age``, ``acr_values``); an invalid ``prompt`` or ``max_age`` is a
        400 page."""
        options = LoginOptions(
            return_to, organization_id, connection_id, login_hint, prompt, max_age, acr_values
        )
        result: WebResponse = await self._run(start_login_flow(self._ctx, request, options))
        return result

    async def complete_login(self, request: WebRequest) -> WebResponse:
        """The callback: 302 to the return-to with the session, or a 400/503 page."""
        try:
            result: WebResponse = await self._run(
                complete_login_flow(self._ctx, request, call_on_login=self.on_login is not None)
            )
        except SessionStoreUnavailable as exc:
            return self.store_unavailable(request, exc)
        return result

    async def load(self, request: WebRequest) -> LoadResult:
        """The request's user (bearer or session) and cookies to apply to the response.

        When ``result.response`` is set (the session store is down), send it instead.
        """
        settled = settled_load(self._ctx, request)
        if settled is not None:
            return settled
        try:
            result: LoadResult = await self._run(load_steps(self._ctx, request))
        except SessionStoreUnavailable as exc:
            return LoadResult(None, response=self.store_unavailable(request, exc))
        return result

    async def logout(self, request: WebRequest) -> WebResponse:
        """POST only: clears the session and redirects to Scalekit's logout."""
        try:
            result: WebResponse = await self._run(logout_flow(self._ctx, request))
        except SessionStoreUnavailable as exc:
            return self.store_unavailable(request, exc)
        return result

    async def switch_organization(self, request: WebRequest) -> WebResponse:
        """The async twin of ``SessionManager.switch_organization``."""
        try:
            result: WebResponse = await self._run(switch_organization_flow(self._ctx, request))
        except SessionStoreUnavailable as exc:
            return self.store_unavailable(request, exc)
        return result

    async def end_session(self, request: WebRequest) -> tuple[CookieWrite, ...]:
        """End the request's session here, without Scalekit's logout page (see
        ``SessionManager``)."""
        try:
            result: tuple[CookieWrite, ...] = await self._run(end_session_flow(self._ctx, request))
        except SessionStoreUnavailable:
            result = await self._run(end_session_flow(self._ctx, request, store_available=False))
        return result

    async def end_user_sessions(self, user_id: str) -> int:
        """End every local session of ``user_id`` now (see ``SessionManager``)."""
        record = self._revocation("user", user_id)
        if record is not None:
            await self._settle(self._record(record))
            return 0
        return int(await self._settle(self._store.delete_user_sessions(user_id)))

    async def end_scalekit_session(self, scalekit_session_id: str) -> int:
        """End the local session of one (revoked) Scalekit session (see ``SessionManager``)."""
        record = self._revocation("session", scalekit_session_id)
        if record is not None:
            await self._settle(self._record(record))
            return 0
        return int(await self._settle(self._store.delete_by_scalekit_session(scalekit_session_id)))

    async def handle_webhook(self, request: WebRequest, body: bytes) -> WebResponse:
        """``POST {webhook_path}``: a Scalekit delivery (see ``SessionManager``)."""
        return await ahandle_webhook(self, request, body)

    async def close_store(self) -> None:
        """Close this event loop's connections of the session store and the revocation
        record (Redis), if they have any."""
        for owner in (self._store, self._revocations):
            close = getattr(owner, "aclose", None)
            if close is not None:
                await close()

    async def _refresh_now(self, refresh_token: str) -> TokenResponse:
        # See SessionManager._refresh_now: verification happens outside the single flight.
        return await self._async_client.refresh_access_token(refresh_token)

    @staticmethod
    async def _settle(value: Any) -> Any:
        return (await value) if inspect.isawaitable(value) else value

    async def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, CheckRevoked):  # every request of a cookie session
            return await self._settle(
                self._revocations.is_revoked(effect.session_key, effect.user_id, effect.issued_at)
            )
        client = self._async_client
        if isinstance(effect, ConfirmLive):
            assert self._liveness is not None
            return await aconfirm_live(self, client, self._liveness, effect.session_id)
        if isinstance(effect, RecordRevocation):
            return await self._settle(self._record(effect))
        if isinstance(effect, StoreGet):
            return await self._settle(self._store.get(effect.session_id))
        if isinstance(effect, StoreSet):
            return await self._settle(
                self._store.set(
                    effect.session_id, effect.data, ttl=effect.ttl, user_id=effect.user_id
                )
            )
        if isinstance(effect, StoreDelete):
            return await self._settle(self._store.delete(effect.session_id))
        if isinstance(effect, RefreshTokens):
            token = effect.refresh_token
            return await self._refresh.run(
                token, lambda: self._refresh_now(token), wait=effect.wait
            )
        if isinstance(effect, VerifyRefreshed):
            access = effect.access_token
            flow = refreshed_claims_flow(client._ctx, access, effect.id_token, is_jwt(access))
            return await run_async(flow, client._http)
        if isinstance(effect, VerifyBearer):
            return await client.validate_access_token_and_get_claims(effect.token)
        if isinstance(effect, VerifyApiKey):
            key = effect.token
            return await self.api_keys.aresolve(key, lambda: client.tokens.validate_token(key))
        if isinstance(effect, ExchangeCode):
            auth = await client.authenticate_with_code(
                effect.code,
                effect.redirect_uri,
                CodeAuthenticationOptions(code_verifier=effect.code_verifier, nonce=effect.nonce),
            )
            claims = (
                await client.validate_access_token_and_get_claims(auth.access_token)
                if is_jwt(auth.access_token)
                else {}
            )
            return LoginTokens(auth, claims)
        if isinstance(effect, VerifyIdpLogin):
            return await client.get_idp_initiated_login_claims(effect.token)
        if isinstance(effect, CallOnLogin):
            assert self.on_login is not None
            hook_result: Awaitable[Any] | Any = self.on_login(effect.user, effect.auth)
            return await self._settle(hook_result)
        if isinstance(effect, MemberOrganizations):
            return member_organizations(await client.users.get_user(effect.user_id))
        raise TypeError(f"unknown effect {effect!r}")

    async def _run(self, flow: WebFlow[T]) -> T:
        try:
            effect = next(flow)
            while True:
                try:
                    result = await self._perform(effect)
                except SessionStoreUnavailable:
                    flow.close()  # never offered to the flow: no decision may swallow it
                    raise
                except ScalekitError as exc:
                    effect = flow.throw(exc)
                else:
                    effect = flow.send(result)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
