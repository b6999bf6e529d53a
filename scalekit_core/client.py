"""``ScalekitClient`` and ``AsyncScalekitClient``: twins whose every I/O method runs one flow.

>>> client = ScalekitClient("https://acme.scalekit.dev", "skc_1", "secret")  # no I/O here
>>> client.get_authorization_url("https://app.example/auth/callback").startswith(
...     "https://acme.scalekit.dev/oauth/authorize?")
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .authorization import (
    AuthorizationRequest,
    build_authorization_url,
    build_logout_url,
    new_authorization_request,
)
from .claims import check_requirements
from .config import ScalekitConfig
from .context import ClientContext
from .drivers import run_async, run_sync
from .errors import TokenValidationError
from .idp_login import IdpInitiatedLoginClaims, idp_initiated_login_flow
from .options import (
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    LogoutUrlOptions,
    TokenValidationOptions,
)
from .retry import RetryPolicy
from .tokens import (
    AuthenticationResponse,
    TokenResponse,
    access_token_claims_flow,
    authenticate_with_code_flow,
    client_credentials_flow,
    client_token_flow,
    id_token_claims_flow,
    refresh_flow,
    token_claims_flow,
    with_audience,
)
from .webhooks import verify_interceptor_payload, verify_webhook_payload

if TYPE_CHECKING:
    import httpx

    from .management import (
        ApiTokenClient,
        AsyncApiTokenClient,
        AsyncAuthClient,
        AsyncEventsClient,
        AsyncM2MClientsClient,
        AsyncOrganizationClient,
        AsyncPasswordlessClient,
        AsyncResourceClient,
        AsyncSessionClient,
        AsyncUserClient,
        AsyncWebAuthnClient,
        AuthClient,
        EventsClient,
        M2MClientsClient,
        OrganizationClient,
        PasswordlessClient,
        ResourceClient,
        SessionClient,
        UserClient,
        WebAuthnClient,
    )
    from .management.connection import AsyncConnectionClient, ConnectionClient
    from .management.directory import AsyncDirectoryClient, DirectoryClient
    from .management.domain import AsyncDomainClient, DomainClient
    from .management.roles import (
        AsyncPermissionClient,
        AsyncRoleClient,
        PermissionClient,
        RoleClient,
    )

__all__ = ["AsyncScalekitClient", "ScalekitClient"]


class _ClientBase:
    """What both twins share: configuration, caches and the pure (no I/O) methods."""

    def __init__(
        self,
        env_url: str | None,
        client_id: str | None,
        client_secret: str | None,
        *,
        config: ScalekitConfig | None = None,
        clock: Callable[[], float] | None = None,
        keepalive_time_ms: int | None = None,
        keepalive_timeout_ms: int | None = None,
        call_timeout_s: float | None = None,
        tool_call_timeout_s: float | None = None,
        **options: Any,
    ) -> None:
        # The official SDK's gRPC channel settings: keep-alives mean nothing over pooled
        # HTTP/1.1, and the call timeout is our read timeout.
        del keepalive_time_ms, keepalive_timeout_ms, tool_call_timeout_s
        if call_timeout_s is not None:
            options.setdefault("read_timeout", float(call_timeout_s))
        if config is None:
            config = ScalekitConfig(env_url or "", client_id or "", client_secret or "", **options)
        self.config = config
        self._ctx = ClientContext(config) if clock is None else ClientContext(config, clock)

    def _timeout(self) -> httpx.Timeout:
        # httpx is imported where the pool is built, so ``import scalekit_core`` stays light
        # and the first request does not pay for the import.
        import httpx

        return httpx.Timeout(self.config.read_timeout, connect=self.config.connect_timeout)

    def get_authorization_url(
        self, redirect_uri: str | None = None, options: AuthorizationUrlOptions | None = None
    ) -> str:
        """The authorization URL exactly as asked (the official SDK's method).

        Prefer :meth:`create_authorization_request`, which always adds PKCE, state and nonce
        and hands back the secrets the callback needs.
        """
        return build_authorization_url(
            self.config.env_url,
            self.config.client_id,
            redirect_uri or self.config.redirect_uri or "",
            options or AuthorizationUrlOptions(),
            self.config.scopes,
        )

    def create_authorization_request(
        self, redirect_uri: str | None = None, options: AuthorizationUrlOptions | None = None
    ) -> AuthorizationRequest:
        """An authorization URL with PKCE S256, state and nonce, plus those secrets."""
        return new_authorization_request(
            self.config.env_url,
            self.config.client_id,
            redirect_uri or self.config.redirect_uri or "",
            options,
            self.config.scopes,
        )

    def get_logout_url(self, options: LogoutUrlOptions | None = None) -> str:
        """Scalekit's logout URL; the browser must navigate there (top level)."""
        options = options or LogoutUrlOptions()
        if options.post_logout_redirect_uri is None and self.config.post_logout_redirect_uri:
            options = LogoutUrlOptions(
                options.id_token_hint, self.config.post_logout_redirect_uri, options.state
            )
        return build_logout_url(self.config.env_url, options)

    def verify_webhook_payload(
        self, secret: str, headers: Mapping[str, str], payload: bytes | str
    ) -> bool:
        """``True`` for an authentic, recent webhook; ``WebhookVerificationError`` otherwise."""
        return verify_webhook_payload(secret, headers, payload, now=self._ctx.clock())

    def verify_interceptor_payload(
        self, secret: str, headers: Mapping[str, str], payload: bytes | str
    ) -> bool:
        """``True`` for an authentic, recent interceptor call (``interceptor-*`` headers, or
        ``webhook-*``); ``WebhookVerificationError`` otherwise."""
        return verify_interceptor_payload(secret, headers, payload, now=self._ctx.clock())


class ScalekitClient(_ClientBase):
    """The blocking client (Flask, sync Django, scripts). One pooled ``httpx.Client``."""

    def __init__(
        self,
        env_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        http_client: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        keepalive_time_ms: int | None = None,
        keepalive_timeout_ms: int | None = None,
        call_timeout_s: float | None = None,
        tool_call_timeout_s: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            env_url,
            client_id,
            client_secret,
            keepalive_time_ms=keepalive_time_ms,
            keepalive_timeout_ms=keepalive_timeout_ms,
            call_timeout_s=call_timeout_s,
            tool_call_timeout_s=tool_call_timeout_s,
            **options,
        )
        self._owns_http = http_client is None
        if http_client is None:
            import httpx

            http_client = httpx.Client(timeout=self._timeout())
        self._http = http_client
        self._retry = retry  # the management API's RetryPolicy (None: the default one)

    # Management API sub-clients, built (and their code imported) on first use.
    @cached_property
    def organization(self) -> OrganizationClient:
        from .management import OrganizationClient

        return OrganizationClient(self._management)

    @cached_property
    def session(self) -> SessionClient:
        from .management import SessionClient

        return SessionClient(self._management)

    @cached_property
    def user(self) -> UserClient:
        from .management import UserClient

        return UserClient(self._management)

    @property
    def sessions(self) -> SessionClient:
        """Alias of :attr:`session`."""
        return self.session

    @property
    def users(self) -> UserClient:
        """Alias of :attr:`user`."""
        return self.user

    # Administration sub-clients (the official SDK's names), built on first use.
    @cached_property
    def connection(self) -> ConnectionClient:
        from .management.connection import ConnectionClient

        return ConnectionClient(self._management)

    @cached_property
    def domain(self) -> DomainClient:
        from .management.domain import DomainClient

        return DomainClient(self._management)

    @cached_property
    def directory(self) -> DirectoryClient:
        from .management.directory import DirectoryClient

        return DirectoryClient(self._management)

    @cached_property
    def roles(self) -> RoleClient:
        from .management.roles import RoleClient

        return RoleClient(self._management)

    @cached_property
    def permissions(self) -> PermissionClient:
        from .management.roles import PermissionClient

        return PermissionClient(self._management)

    # Machine clients, API tokens, passwordless, WebAuthn, events, resources, auth.
    @cached_property
    def m2m_client(self) -> M2MClientsClient:
        from .management import M2MClientsClient

        return M2MClientsClient(self._management)

    @cached_property
    def resources(self) -> ResourceClient:
        from .management import ResourceClient

        return ResourceClient(self._management)

    @cached_property
    def auth(self) -> AuthClient:
        from .management import AuthClient

        return AuthClient(self._management)

    @cached_property
    def events(self) -> EventsClient:
        from .management import EventsClient

        return EventsClient(self._management)

    @cached_property
    def webauthn(self) -> WebAuthnClient:
        from .management import WebAuthnClient

        return WebAuthnClient(self._management)

    @cached_property
    def passwordless(self) -> PasswordlessClient:
        from .management import PasswordlessClient

        return PasswordlessClient(self._management)

    @cached_property
    def tokens(self) -> ApiTokenClient:
        from .management import ApiTokenClient

        return ApiTokenClient(self._management)

    @cached_property
    def _management(self) -> Any:
        from .management import SyncManagementRunner

        return SyncManagementRunner(self._ctx, self._http, self._retry)

    @classmethod
    def from_config(cls, config: ScalekitConfig, **options: Any) -> ScalekitClient:
        return cls(config=config, **options)

    @classmethod
    def from_env(cls, **options: Any) -> ScalekitClient:
        return cls(config=ScalekitConfig.from_env(), **options)

    def authenticate_with_code(
        self, code: str, redirect_uri: str, options: CodeAuthenticationOptions | None = None
    ) -> AuthenticationResponse:
        """Exchange an authorization code; the ID token is validated (nonce when given)."""
        return run_sync(
            authenticate_with_code_flow(self._ctx, code, redirect_uri, options), self._http
        )

    def refresh_access_token(self, refresh_token: str) -> TokenResponse:
        """New tokens for a refresh token: access, refresh (rotated), ID token and expires_in."""
        return run_sync(refresh_flow(self._ctx, refresh_token), self._http)

    def get_client_access_token(self, scopes: Sequence[str] = ()) -> str:
        """A client-credentials (machine) access token of this client, as a string (as the
        official SDK answers); :meth:`get_client_credentials_token` gives the whole answer."""
        return self.get_client_credentials_token(scopes).access_token

    def get_client_credentials_token(self, scopes: Sequence[str] = ()) -> TokenResponse:
        """This client's client-credentials token response (token, ``expires_in``, scope)."""
        return run_sync(client_credentials_flow(self._ctx, tuple(scopes)), self._http)

    def generate_client_token(
        self, client_id: str, client_secret: str, scopes: Sequence[str] | None = None
    ) -> str:
        """A client-credentials access token for another client (e.g. an organization's
        machine client made with ``m2m_client``)."""
        flow = client_token_flow(self._ctx, client_id, client_secret, scopes)
        return run_sync(flow, self._http).access_token

    def validate_access_token_and_get_claims(
        self,
        token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> dict[str, Any]:
        """The claims of a valid access token, or ``TokenValidationError``."""
        options = with_audience(options, audience)
        return run_sync(access_token_claims_flow(self._ctx, token, options), self._http)

    def validate_access_token(
        self,
        token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> bool:
        """``True`` for a valid access token, ``False`` for any invalid one."""
        try:
            self.validate_access_token_and_get_claims(token, options, audience)
        except TokenValidationError:
            return False
        return True

    def validate_token(
        self,
        token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> dict[str, Any]:
        """The claims of any valid JWT of this environment (signature, issuer, audience and
        times checked), or ``TokenValidationError``."""
        options = with_audience(options, audience)
        return run_sync(token_claims_flow(self._ctx, token, options), self._http)

    def verify_scopes(self, token: str, required_scopes: Sequence[str]) -> bool:
        """``True`` when ``token`` is a valid access token holding every one of
        ``required_scopes`` (``scope`` and ``scopes`` claims, whole words), else
        ``TokenValidationError`` naming the missing ones."""
        claims = self.validate_access_token_and_get_claims(token)
        check_requirements(claims, scopes=required_scopes)
        return True

    def validate_id_token(self, id_token: str, nonce: str | None = None) -> dict[str, Any]:
        """The claims of a valid ID token for this client, or ``TokenValidationError``."""
        return run_sync(id_token_claims_flow(self._ctx, id_token, nonce), self._http)

    def get_idp_initiated_login_claims(
        self,
        idp_initiated_login_token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> IdpInitiatedLoginClaims:
        """Verify the ``idp_initiated_login`` token of an IdP-initiated login."""
        flow = idp_initiated_login_flow(
            self._ctx, idp_initiated_login_token, with_audience(options, audience)
        )
        return run_sync(flow, self._http)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ScalekitClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncScalekitClient(_ClientBase):
    """The asyncio twin (FastAPI, Starlette, async Django). One pooled ``httpx.AsyncClient``."""

    def __init__(
        self,
        env_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        keepalive_time_ms: int | None = None,
        keepalive_timeout_ms: int | None = None,
        call_timeout_s: float | None = None,
        tool_call_timeout_s: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            env_url,
            client_id,
            client_secret,
            keepalive_time_ms=keepalive_time_ms,
            keepalive_timeout_ms=keepalive_timeout_ms,
            call_timeout_s=call_timeout_s,
            tool_call_timeout_s=tool_call_timeout_s,
            **options,
        )
        self._owns_http = http_client is None
        if http_client is None:
            import httpx

            http_client = httpx.AsyncClient(timeout=self._timeout())
        self._http = http_client
        self._retry = retry  # the management API's RetryPolicy (None: the default one)

    # Management API sub-clients, built (and their code imported) on first use.
    @cached_property
    def organization(self) -> AsyncOrganizationClient:
        from .management import AsyncOrganizationClient

        return AsyncOrganizationClient(self._management)

    @cached_property
    def session(self) -> AsyncSessionClient:
        from .management import AsyncSessionClient

        return AsyncSessionClient(self._management)

    @cached_property
    def user(self) -> AsyncUserClient:
        from .management import AsyncUserClient

        return AsyncUserClient(self._management)

    @property
    def sessions(self) -> AsyncSessionClient:
        """Alias of :attr:`session`."""
        return self.session

    @property
    def users(self) -> AsyncUserClient:
        """Alias of :attr:`user`."""
        return self.user

    # Administration sub-clients (the official SDK's names), built on first use.
    @cached_property
    def connection(self) -> AsyncConnectionClient:
        from .management.connection import AsyncConnectionClient

        return AsyncConnectionClient(self._management)

    @cached_property
    def domain(self) -> AsyncDomainClient:
        from .management.domain import AsyncDomainClient

        return AsyncDomainClient(self._management)

    @cached_property
    def directory(self) -> AsyncDirectoryClient:
        from .management.directory import AsyncDirectoryClient

        return AsyncDirectoryClient(self._management)

    @cached_property
    def roles(self) -> AsyncRoleClient:
        from .management.roles import AsyncRoleClient

        return AsyncRoleClient(self._management)

    @cached_property
    def permissions(self) -> AsyncPermissionClient:
        from .management.roles import AsyncPermissionClient

        return AsyncPermissionClient(self._management)

    # Machine clients, API tokens, passwordless, WebAuthn, events, resources, auth.
    @cached_property
    def m2m_client(self) -> AsyncM2MClientsClient:
        from .management import AsyncM2MClientsClient

        return AsyncM2MClientsClient(self._management)

    @cached_property
    def resources(self) -> AsyncResourceClient:
        from .management import AsyncResourceClient

        return AsyncResourceClient(self._management)

    @cached_property
    def auth(self) -> AsyncAuthClient:
        from .management import AsyncAuthClient

        return AsyncAuthClient(self._management)

    @cached_property
    def events(self) -> AsyncEventsClient:
        from .management import AsyncEventsClient

        return AsyncEventsClient(self._management)

    @cached_property
    def webauthn(self) -> AsyncWebAuthnClient:
        from .management import AsyncWebAuthnClient

        return AsyncWebAuthnClient(self._management)

    @cached_property
    def passwordless(self) -> AsyncPasswordlessClient:
        from .management import AsyncPasswordlessClient

        return AsyncPasswordlessClient(self._management)

    @cached_property
    def tokens(self) -> AsyncApiTokenClient:
        from .management import AsyncApiTokenClient

        return AsyncApiTokenClient(self._management)

    @cached_property
    def _management(self) -> Any:
        from .management import AsyncManagementRunner

        return AsyncManagementRunner(self._ctx, self._http, self._retry)

    @classmethod
    def from_config(cls, config: ScalekitConfig, **options: Any) -> AsyncScalekitClient:
        return cls(config=config, **options)

    @classmethod
    def from_env(cls, **options: Any) -> AsyncScalekitClient:
        return cls(config=ScalekitConfig.from_env(), **options)

    async def authenticate_with_code(
        self, code: str, redirect_uri: str, options: CodeAuthenticationOptions | None = None
    ) -> AuthenticationResponse:
        """Exchange an authorization code; the ID token is validated (nonce when given)."""
        return await run_async(
            authenticate_with_code_flow(self._ctx, code, redirect_uri, options), self._http
        )

    async def refresh_access_token(self, refresh_token: str) -> TokenResponse:
        """New tokens for a refresh token: access, refresh (rotated), ID token and expires_in."""
        return await run_async(refresh_flow(self._ctx, refresh_token), self._http)

    async def get_client_access_token(self, scopes: Sequence[str] = ()) -> str:
        """A client-credentials (machine) access token of this client, as a string (as the
        official SDK answers); :meth:`get_client_credentials_token` gives the whole answer."""
        return (await self.get_client_credentials_token(scopes)).access_token

    async def get_client_credentials_token(self, scopes: Sequence[str] = ()) -> TokenResponse:
        """This client's client-credentials token response (token, ``expires_in``, scope)."""
        return await run_async(client_credentials_flow(self._ctx, tuple(scopes)), self._http)

    async def generate_client_token(
        self, client_id: str, client_secret: str, scopes: Sequence[str] | None = None
    ) -> str:
        """A client-credentials access token for another client (e.g. an organization's
        machine client made with ``m2m_client``)."""
        flow = client_token_flow(self._ctx, client_id, client_secret, scopes)
        return (await run_async(flow, self._http)).access_token

    async def validate_access_token_and_get_claims(
        self,
        token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> dict[str, Any]:
        """The claims of a valid access token, or ``TokenValidationError``."""
        options = with_audience(options, audience)
        return await run_async(access_token_claims_flow(self._ctx, token, options), self._http)

    async def validate_access_token(
        self,
        token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> bool:
        """``True`` for a valid access token, ``False`` for any invalid one."""
        try:
            await self.validate_access_token_and_get_claims(token, options, audience)
        except TokenValidationError:
            return False
        return True

    async def validate_token(
        self,
        token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> dict[str, Any]:
        """The claims of any valid JWT of this environment (signature, issuer, audience and
        times checked), or ``TokenValidationError``."""
        options = with_audience(options, audience)
        return await run_async(token_claims_flow(self._ctx, token, options), self._http)

    async def verify_scopes(self, token: str, required_scopes: Sequence[str]) -> bool:
        """``True`` when ``token`` is a valid access token holding every one of
        ``required_scopes`` (``scope`` and ``scopes`` claims, whole words), else
        ``TokenValidationError`` naming the missing ones."""
        claims = await self.validate_access_token_and_get_claims(token)
        check_requirements(claims, scopes=required_scopes)
        return True

    async def validate_id_token(self, id_token: str, nonce: str | None = None) -> dict[str, Any]:
        """The claims of a valid ID token for this client, or ``TokenValidationError``."""
        return await run_async(id_token_claims_flow(self._ctx, id_token, nonce), self._http)

    async def get_idp_initiated_login_claims(
        self,
        idp_initiated_login_token: str,
        options: TokenValidationOptions | None = None,
        audience: str | None = None,
    ) -> IdpInitiatedLoginClaims:
        """Verify the ``idp_initiated_login`` token of an IdP-initiated login."""
        flow = idp_initiated_login_flow(
            self._ctx, idp_initiated_login_token, with_audience(options, audience)
        )
        return await run_async(flow, self._http)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def close(self) -> None:
        await self.aclose()

    async def __aenter__(self) -> AsyncScalekitClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
