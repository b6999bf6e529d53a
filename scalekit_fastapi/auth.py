"""``ScalekitAuth``: routes, dependencies, middleware and error handlers for FastAPI/Starlette."""

# No ``from __future__ import annotations``: FastAPI reads the annotations of the
# dependencies below at runtime.

import inspect
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Route

from scalekit_core import AsyncScalekitClient
from scalekit_core.web import (
    AsyncSessionManager,
    AuthenticationRequired,
    IntegrationSettings,
    Machine,
    OnLogin,
    PermissionDenied,
    User,
    WebResponse,
    settings_from_mapping,
)
from scalekit_core.web.outcomes import reason_of
from scalekit_core.web.webhook_endpoint import MAX_WEBHOOK_BYTES

from .middleware import REASON_KEY, ScalekitMiddleware, get_machine, get_user
from .translate import apply_cookies, to_response, web_request

__all__ = ["ErrorRenderer", "MachineDependency", "ScalekitAuth", "UserDependency"]

#: ``render_error(request, response)``: a branded page for the core's HTML error responses
#: (callback failures, 403, 503). May be async. The core's cookies are applied afterwards.
ErrorRenderer = Callable[[Request, WebResponse], "Response | Awaitable[Response]"]
UserDependency = Callable[..., Awaitable[User]]
MachineDependency = Callable[..., Awaitable[Machine]]

SCHEME_NAME = "ScalekitBearer"


class _UserGuard(SecurityBase):
    """A user dependency that is also the OpenAPI security scheme, so ``/docs`` shows the lock
    and accepts a bearer token, and FastAPI resolves one dependency per request, not three.

    The user itself was loaded by the middleware (session cookie or bearer token); this only
    asks the core whether it may pass.
    """

    def __init__(
        self,
        auth: "ScalekitAuth",
        *,
        optional: bool = False,
        api: bool = False,
        permissions: tuple[str, ...] = (),
        roles: tuple[str, ...] = (),
        organization_id: str | None = None,
        max_age: int | None = None,
    ) -> None:
        self.model = HTTPBearerModel(
            description="A Scalekit access token (the browser session cookie works too)."
        )
        self.scheme_name = SCHEME_NAME
        self._auth = auth
        self._optional = optional
        self._api = api
        self._permissions = permissions
        self._roles = roles
        self._organization_id = organization_id
        self._max_age = max_age

    async def __call__(self, request: Request, security_scopes: SecurityScopes) -> User | None:
        if self._optional:
            return get_user(request)
        return self._auth.require(
            request,
            scopes=security_scopes.scopes,
            permissions=self._permissions,
            roles=self._roles,
            organization_id=self._organization_id,
            api=self._api,
            max_age=self._max_age,
        )


class _MachineGuard(SecurityBase):
    """The machine twin of ``_UserGuard``: client-credentials bearer tokens only (never a
    user), with the scopes of ``Security(..., scopes=[...])`` and an optional organization."""

    def __init__(self, auth: "ScalekitAuth", *, organization_id: str | None = None) -> None:
        self.model = HTTPBearerModel(description="A Scalekit client-credentials access token.")
        self.scheme_name = SCHEME_NAME
        self._auth = auth
        self._organization_id = organization_id

    async def __call__(self, request: Request, security_scopes: SecurityScopes) -> Machine:
        return self._auth.manager.require_machine(
            get_machine(request),
            scopes=security_scopes.scopes,
            organization_id=self._organization_id,
        )


class ScalekitAuth:
    """Scalekit sign-in for one FastAPI or Starlette app (async client throughout).

    >>> auth = ScalekitAuth.from_env()  # doctest: +SKIP
    >>> app = FastAPI(lifespan=auth.lifespan)  # doctest: +SKIP
    >>> auth.install(app)  # middleware, error handlers and the login routes  # doctest: +SKIP
    >>> @app.get("/me")  # doctest: +SKIP
    ... async def me(user: User = Depends(auth.require_user)) -> dict[str, Any]:
    ...     return user.to_dict()

    ``settings`` defaults to ``settings_from_mapping(os.environ)``. ``on_login(user, auth)`` runs
    after each successful login (raise ``PermissionDenied`` to refuse it); ``render_error`` brands
    the error pages; ``client`` replaces the ``AsyncScalekitClient`` built from the settings.
    """

    def __init__(
        self,
        settings: IntegrationSettings | None = None,
        *,
        on_login: OnLogin | None = None,
        render_error: ErrorRenderer | None = None,
        client: AsyncScalekitClient | None = None,
    ) -> None:
        self.settings = settings if settings is not None else settings_from_mapping(os.environ)
        self.client = client or AsyncScalekitClient.from_config(self.settings.client)
        self.manager = AsyncSessionManager(self.client, self.settings.session, on_login=on_login)
        self.render_error = render_error
        #: ``Depends(auth.require_user)``; ``Security(auth.require_user, scopes=[...])`` also
        #: checks scopes.
        self.require_user: UserDependency = cast(UserDependency, _UserGuard(self))
        #: Like ``require_user`` for JSON endpoints: anonymous callers always get 401 JSON,
        #: even a browser navigating to the URL (no redirect to the login page).
        self.require_api_user: UserDependency = cast(UserDependency, _UserGuard(self, api=True))
        #: ``Depends(auth.require_machine)``: machine clients only (client-credentials bearer
        #: tokens; users get 401), ``Security(auth.require_machine, scopes=[...])`` also
        #: checks scopes. The ``Machine`` has ``client_id``, ``organization_id``, ``scopes``.
        self.require_machine: MachineDependency = cast(MachineDependency, _MachineGuard(self))
        #: ``Depends(auth.optional_user)``: the signed-in user or ``None``.
        self.optional_user: Callable[..., Awaitable[User | None]] = _UserGuard(self, optional=True)
        #: Login, callback and logout as an ``APIRouter``, to place among your own routes:
        #: ``auth.install(app, routes=False)`` (middleware and handlers) then
        #: ``app.include_router(auth.router)``. No ``prefix=``: the paths come from the
        #: settings, which also build the redirect URI.
        self.router = APIRouter(tags=["auth"])
        self._add_api_routes(self.router)
        self._routes_to_move: tuple[list[Any], list[Any]] | None = None
        #: ``@auth.on_event("organization.created")``: a handler (sync or async) of Scalekit
        #: webhook events, delivered to ``POST /auth/webhooks`` once
        #: ``SCALEKIT_WEBHOOK_SECRET`` is set.
        self.on_event = self.manager.webhook_handlers.on_event

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, Any] | None = None,
        *,
        fallback_secret: object = None,
        on_login: OnLogin | None = None,
        render_error: ErrorRenderer | None = None,
        **session_overrides: Any,
    ) -> "ScalekitAuth":
        """Read ``SCALEKIT_*`` from ``os.environ`` (or ``environ``); missing keys are named in
        one ``ConfigurationError``. ``session_overrides`` go to ``SessionSettings``."""
        settings = settings_from_mapping(
            os.environ if environ is None else environ,
            fallback_secret=fallback_secret,
            **session_overrides,
        )
        return cls(settings, on_login=on_login, render_error=render_error)

    # --- wiring ---

    def install(self, app: Starlette, *, routes: bool = True) -> None:
        """One call: the middleware, the error handlers and (unless ``routes=False``) the
        login, callback and logout routes. Works for FastAPI and plain Starlette apps."""
        app.add_middleware(ScalekitMiddleware, auth=self)
        for error, handler in self.exception_handlers.items():
            app.add_exception_handler(error, handler)
        before = list(app.router.routes)
        if routes and isinstance(app, FastAPI):
            # Added to the app itself rather than through ``include_router(self.router)``:
            # FastAPI matches an included router as a unit, an extra cost on every request
            # that walks past it.
            self._add_api_routes(app)
        elif routes:
            app.router.routes.extend(self.routes)
        added = [route for route in app.router.routes if route not in before]
        if added:
            self._routes_to_move = (app.router.routes, added)

    def _move_routes_last(self) -> None:
        """Put the routes ``install`` added after the app's own (called by the middleware on
        the first request, once the app has declared its routes): the app's endpoints, hit
        on every request, are then matched without walking past the login routes first. An
        app with a catch-all route places ``auth.router`` itself (``install(routes=False)``)."""
        pending, self._routes_to_move = self._routes_to_move, None
        if pending is None:
            return
        table, added = pending
        for route in added:
            if route in table:
                table.remove(route)
                table.append(route)

    def middleware(self) -> Middleware:
        """For ``Starlette(middleware=[auth.middleware()])``."""
        return Middleware(ScalekitMiddleware, auth=self)

    @property
    def routes(self) -> list[Route]:
        """Login, callback and logout as Starlette routes (``Starlette(routes=[*auth.routes])``)."""
        return [Route(p, e, methods=m) for p, e, m in self._route_table()]

    @property
    def exception_handlers(self) -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
        """``AuthenticationRequired`` -> 302 to login / 401 JSON, ``PermissionDenied`` -> 403."""
        return {
            AuthenticationRequired: self._on_authentication_required,
            PermissionDenied: self._on_permission_denied,
        }

    @asynccontextmanager
    async def lifespan(self, app: Any = None) -> AsyncIterator[None]:
        """``FastAPI(lifespan=auth.lifespan)``: closes the client's connections on shutdown."""
        try:
            yield
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the ``AsyncScalekitClient`` and this loop's Redis connections, if any (call it
        from your own lifespan if you have one)."""
        await self.manager.close_store()
        await self.client.aclose()

    # --- the current user and guards ---

    def user(self, request: Request) -> User | None:
        """The request's user or ``None`` (the middleware loaded it)."""
        return get_user(request)

    def require(
        self,
        request: Request,
        *,
        scopes: Iterable[str] = (),
        permissions: Iterable[str] = (),
        roles: Iterable[str] = (),
        organization_id: str | None = None,
        api: bool = False,
        max_age: int | None = None,
    ) -> User:
        """The user, or the typed error the installed handlers turn into 302/401/403
        (``api=True``: an API endpoint, answered with JSON only; ``max_age``: signed in at
        most that many seconds ago, else ``ReauthenticationRequired``).

        For plain Starlette endpoints: ``user = auth.require(request, permissions=["x"])``.
        The ``AuthenticationRequired`` of a request whose session ended says why in its
        ``reason`` (``session_revoked``, ``session_expired``...).
        """
        try:
            return self.manager.require(
                get_user(request),
                scopes=scopes,
                permissions=permissions,
                roles=roles,
                organization_id=organization_id,
                api=api,
                max_age=max_age,
            )
        except AuthenticationRequired as exc:
            ended = reason_of((request.scope.get("state") or {}).get(REASON_KEY) or "")
            if ended is not None and exc.max_age is None:
                exc.reason = ended
            raise

    def requires(
        self,
        *,
        permissions: Iterable[str] = (),
        roles: Iterable[str] = (),
        organization_id: str | None = None,
    ) -> UserDependency:
        """A dependency returning the user once it has every permission and role asked."""
        permissions, roles = tuple(permissions), tuple(roles)

        guard = _UserGuard(
            self, permissions=permissions, roles=roles, organization_id=organization_id
        )
        return cast(UserDependency, guard)

    def requires_machine(self, *, organization_id: str | None = None) -> MachineDependency:
        """A machine dependency also requiring the client's organization (scopes: use
        ``Security(auth.requires_machine(organization_id=...), scopes=[...])``)."""
        return cast(MachineDependency, _MachineGuard(self, organization_id=organization_id))

    def require_recent_login(self, max_age: int = 300, *, api: bool = False) -> UserDependency:
        """``Depends(auth.require_recent_login(max_age=300))``: the user, authenticated at
        most ``max_age`` seconds ago. A browser goes through a forced sign-in
        (``prompt=login``) and back to the page; an API call (or ``api=True``) gets 401
        ``insufficient_user_authentication`` with ``max_age`` in ``WWW-Authenticate``."""
        return cast(UserDependency, _UserGuard(self, api=api, max_age=max_age))

    def require_permission(self, *permissions: str) -> UserDependency:
        """``Depends(auth.require_permission("users:write"))``: 403 without every permission."""
        return self.requires(permissions=permissions)

    def require_role(self, *roles: str) -> UserDependency:
        """``Depends(auth.require_role("admin"))``: 403 without every role."""
        return self.requires(roles=roles)

    def require_organization(self, organization_id: str) -> UserDependency:
        """``Depends(auth.require_organization("org_1"))``: 403 for other organizations."""
        return self.requires(organization_id=organization_id)

    # --- routes and handlers: extract -> core -> render ---

    def _add_api_routes(self, target: APIRouter | FastAPI) -> None:
        for path, endpoint, methods in self._route_table():
            target.add_api_route(
                path, endpoint, methods=methods, include_in_schema=False, response_class=Response
            )

    def _route_table(self) -> list[tuple[str, Callable[[Request], Awaitable[Response]], list[str]]]:
        session = self.settings.session
        table: list[tuple[str, Callable[[Request], Awaitable[Response]], list[str]]] = [
            (session.login_path, self._login, ["GET"]),
            (session.callback_path, self._callback, ["GET"]),
            # GET reaches the core too, which answers 405 with ``Allow: POST``.
            (session.logout_path, self._logout, ["GET", "POST"]),
            (session.switch_organization_path, self._switch_organization, ["GET"]),
        ]
        if session.webhook_secret is not None:  # SCALEKIT_WEBHOOK_SECRET turns it on
            table.append((session.webhook_path, self._webhook, ["POST"]))
        return table

    async def _login(self, request: Request) -> Response:
        return await self.render(request, await self.manager.start_login(web_request(request)))

    async def _callback(self, request: Request) -> Response:
        return await self.render(request, await self.manager.complete_login(web_request(request)))

    async def _logout(self, request: Request) -> Response:
        return await self.render(request, await self.manager.logout(web_request(request)))

    async def _webhook(self, request: Request) -> Response:
        body = b""
        async for chunk in request.stream():  # bounded: the core answers 413 past the limit
            body += chunk
            if len(body) > MAX_WEBHOOK_BYTES:
                break
        return to_response(await self.manager.handle_webhook(web_request(request), body))

    async def _switch_organization(self, request: Request) -> Response:
        web = await self.manager.switch_organization(web_request(request))
        return await self.render(request, web)

    async def _on_authentication_required(self, request: Request, exc: Exception) -> Response:
        required = exc if isinstance(exc, AuthenticationRequired) else AuthenticationRequired()
        web = self.manager.unauthenticated(
            web_request(request),
            api=required.api,
            max_age=required.max_age,
            reason=required.reason.value,
        )
        return await self.render(request, web)

    async def _on_permission_denied(self, request: Request, exc: Exception) -> Response:
        reason = exc if isinstance(exc, PermissionDenied) else "forbidden"
        api = isinstance(exc, PermissionDenied) and exc.api
        return await self.render(
            request, self.manager.forbidden(web_request(request), reason, api=api)
        )

    async def render(self, request: Request, result: WebResponse) -> Response:
        """The core's response as a Starlette one; HTML errors go through ``render_error``."""
        content_type = result.headers.get("Content-Type", "")
        if self.render_error is None or result.status < 400 or "html" not in content_type:
            return to_response(result)
        branded = self.render_error(request, result)
        response: Response = await branded if inspect.isawaitable(branded) else branded
        apply_cookies(response, result.cookies)
        return response
