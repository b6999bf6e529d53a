"""``SessionSettings``: the one configuration object of the session layer."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from .revocation import AsyncRevocations, Revocations
    from .stores import AnySessionStore

__all__ = ["DEFAULT_SESSION_SCOPES", "MIN_SECRET_LENGTH", "SessionSettings"]

DEFAULT_SESSION_SCOPES: tuple[str, ...] = ("openid", "profile", "email", "offline_access")
MIN_SECRET_LENGTH = 32
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _path(name: str, value: str) -> str:
    if not value.startswith("/") or value.startswith("//"):
        raise ConfigurationError(f"{name} must be a path starting with a single '/'")
    return value


def _check_webhook_secret(secret: object) -> None:
    try:
        if not isinstance(secret, str) or not base64.b64decode(
            secret.removeprefix("whsec_"), validate=True
        ):
            raise ValueError("empty")
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            "webhook_secret must be the whsec_<base64> signing secret"
        ) from None


@dataclass(frozen=True)
class SessionSettings:
    """How sessions, cookies and the login routes behave.

    ``base_url`` is the app's own absolute URL (``https://app.example`` or with a path
    prefix). The redirect URI and post-logout URI derive from it, never from ``Host`` or
    ``X-Forwarded-*`` headers.

    >>> s = SessionSettings(secrets="x" * 32, base_url="http://localhost:8000")
    >>> s.redirect_uri, s.cookie_secure
    ('http://localhost:8000/auth/callback', False)
    """

    #: One secret or a list: the first seals, all unseal (rotation). 32+ characters each.
    secrets: str | Sequence[str] = field(repr=False)
    base_url: str
    redirect_uri: str = ""
    post_logout_redirect_uri: str = ""
    login_path: str = "/auth/login"
    callback_path: str = "/auth/callback"
    logout_path: str = "/auth/logout"
    switch_organization_path: str = "/auth/switch-organization"
    cookie_prefix: str = "scalekit"
    #: ``None``: Secure unless ``base_url`` is plain http on localhost/127.0.0.1.
    cookie_secure: bool | None = None
    cookie_domain: str | None = None
    idle_timeout: float = 24 * 3600.0
    absolute_timeout: float = 7 * 24 * 3600.0
    #: Refresh when the access token expires within this many seconds.
    refresh_buffer: float = 60.0
    max_transactions: int = 5
    transaction_ttl: float = 600.0
    scopes: Sequence[str] = DEFAULT_SESSION_SCOPES
    #: ``None`` means the cookie store (stateless, the default).
    store: AnySessionStore | None = None
    #: How long a refresh result is shared with requests still carrying the old cookie.
    refresh_result_ttl: float = 30.0
    #: Where ended sessions are recorded (``None``: this process's memory; Redis when
    #: ``SCALEKIT_REDIS_URL`` is set). Shared by every manager built with these settings.
    revocations: Revocations | AsyncRevocations | None = None
    #: The endpoint's signing secret (``whsec_<base64>``, from the dashboard's webhook
    #: settings); ``None`` keeps the webhook endpoint off.
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_path: str = "/auth/webhooks"
    #: Seconds between two confirmations through the sessions API that a session's Scalekit
    #: session is still active (for deployments without webhooks); ``None``: never.
    session_check_interval: float | None = None
    #: Accept Scalekit API tokens (``client.tokens``) as machine credentials: in
    #: ``api_key_header``, or as a bearer token that is not a JWT (see ``web.api_keys``).
    api_keys: bool = False
    api_key_header: str = "X-API-Key"
    #: How long a validated API key is trusted before Scalekit is asked again.
    api_key_ttl: float = 60.0

    def __post_init__(self) -> None:
        secrets = (self.secrets,) if isinstance(self.secrets, str) else tuple(self.secrets)
        if not secrets:
            raise ConfigurationError("at least one session secret is required")
        for secret in secrets:
            if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
                raise ConfigurationError(
                    f"session secrets must be strings of at least {MIN_SECRET_LENGTH} characters"
                )
        object.__setattr__(self, "secrets", secrets)
        from .revocation import MemoryRevocations  # runtime imports: not needed to configure
        from .stores import SealingStore

        if self.revocations is None:
            object.__setattr__(self, "revocations", MemoryRevocations())

        if isinstance(self.store, SealingStore):
            # A store that seals at rest (Redis) seals with the app's secrets.
            self.store.bind_secrets(secrets)
        base = self.base_url.rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {base!r}")
        object.__setattr__(self, "base_url", base)
        if self.webhook_secret is not None:
            _check_webhook_secret(self.webhook_secret)
        paths = ("login_path", "callback_path", "logout_path", "switch_organization_path")
        for name in (*paths, "webhook_path"):
            _path(name, getattr(self, name))
        if not self.redirect_uri:
            object.__setattr__(self, "redirect_uri", base + self.callback_path)
        if not self.post_logout_redirect_uri:
            object.__setattr__(self, "post_logout_redirect_uri", base + "/")
        for name in ("redirect_uri", "post_logout_redirect_uri"):
            target = urlsplit(getattr(self, name))
            if target.scheme not in ("http", "https") or not target.netloc:
                raise ConfigurationError(f"{name} must be an absolute http(s) URL")
        if self.cookie_secure is None:
            local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
            object.__setattr__(self, "cookie_secure", not local)
        if (
            not self.cookie_prefix
            or not self.cookie_prefix.replace("_", "").replace("-", "").isalnum()
        ):
            raise ConfigurationError("cookie_prefix must be letters, digits, '_' or '-'")
        object.__setattr__(self, "scopes", tuple(self.scopes))
        if "openid" not in self.scopes:
            raise ConfigurationError("scopes must include 'openid'")
        for name in ("idle_timeout", "absolute_timeout", "transaction_ttl"):
            if getattr(self, name) <= 0:
                raise ConfigurationError(f"{name} must be positive")
        if self.session_check_interval is not None and self.session_check_interval <= 0:
            raise ConfigurationError("session_check_interval must be positive (or None: off)")
        if self.refresh_buffer < 0 or self.refresh_result_ttl < 0:
            raise ConfigurationError("refresh_buffer and refresh_result_ttl must not be negative")
        if not self.api_key_header.replace("-", "").isalnum() or self.api_key_ttl < 0:
            raise ConfigurationError(
                "api_key_header must be a header name and api_key_ttl not negative"
            )
        if self.max_transactions < 1:
            raise ConfigurationError("max_transactions must be at least 1")

    @property
    def secret_list(self) -> tuple[str, ...]:
        """The secrets as a tuple, newest (sealing) first."""
        return self.secrets  # type: ignore[return-value]  # normalized in __post_init__

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of ``base_url`` (what ``Origin`` headers must equal)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def base_path(self) -> str:
        """The path prefix of ``base_url`` (``""`` when the app is mounted at the root)."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def host_prefix(self) -> str:
        """``__Host-`` when cookies are Secure and host-only (the app runs on https without a
        ``cookie_domain``): the browser then refuses the name from a sibling subdomain or
        plain http. ``""`` otherwise (plain-http localhost, or a shared ``cookie_domain``,
        which ``__Host-`` forbids)."""
        return "__Host-" if self.cookie_secure and not self.cookie_domain else ""

    @cached_property
    def session_cookie(self) -> str:
        # Read on every request; the settings are frozen, so worked out once.
        return f"{self.host_prefix}{self.cookie_prefix}_session"

    @property
    def transaction_cookie_prefix(self) -> str:
        return f"{self.host_prefix}{self.cookie_prefix}_txn_"
