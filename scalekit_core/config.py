"""The one configuration object of the core."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = ["DEFAULT_SCOPES", "ScalekitConfig"]

DEFAULT_SCOPES: tuple[str, ...] = ("openid", "profile", "email")


def _require_http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class ScalekitConfig:
    """Everything the core needs to talk to one Scalekit environment.

    >>> ScalekitConfig("https://acme.scalekit.dev/", "skc_1", "secret").env_url
    'https://acme.scalekit.dev'
    """

    env_url: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str | None = None
    post_logout_redirect_uri: str | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    #: Expected ``aud`` of access tokens; ``None`` skips the audience check for them.
    audience: str | None = None
    leeway: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    jwks_ttl: float = 3600.0
    #: At most one JWKS refetch for an unknown ``kid`` per this many seconds.
    jwks_refetch_interval: float = 30.0
    #: How many verified access tokens to remember (so repeat validation skips the signature).
    verified_cache_size: int = 4096

    def __post_init__(self) -> None:
        missing = [
            name
            for name, value in (
                ("env_url", self.env_url),
                ("client_id", self.client_id),
                ("client_secret", self.client_secret),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError(f"missing Scalekit configuration: {', '.join(missing)}")
        object.__setattr__(self, "env_url", _require_http_url("env_url", self.env_url.rstrip("/")))
        for name in ("redirect_uri", "post_logout_redirect_uri"):
            value = getattr(self, name)
            if value is not None:
                _require_http_url(name, value)
        if isinstance(self.scopes, str):
            object.__setattr__(self, "scopes", tuple(self.scopes.split()))
        else:
            object.__setattr__(self, "scopes", tuple(self.scopes))
        for name in ("leeway", "connect_timeout", "read_timeout", "jwks_ttl"):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"{name} must not be negative")

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        prefix: str = "SCALEKIT_",
        **overrides: object,
    ) -> ScalekitConfig:
        """Read ``SCALEKIT_ENVIRONMENT_URL``, ``SCALEKIT_CLIENT_ID``, ``SCALEKIT_CLIENT_SECRET``.

        Optional: ``SCALEKIT_REDIRECT_URI``, ``SCALEKIT_POST_LOGOUT_REDIRECT_URI``,
        ``SCALEKIT_SCOPES`` (space-separated), ``SCALEKIT_AUDIENCE``, ``SCALEKIT_LEEWAY``.
        Raises ``ConfigurationError`` naming every missing or malformed variable.
        """
        env = os.environ if environ is None else environ
        required = {
            "env_url": f"{prefix}ENVIRONMENT_URL",
            "client_id": f"{prefix}CLIENT_ID",
            "client_secret": f"{prefix}CLIENT_SECRET",
        }
        missing = [
            var for key, var in required.items() if not env.get(var) and key not in overrides
        ]
        if missing:
            raise ConfigurationError(f"missing environment variables: {', '.join(missing)}")
        values: dict[str, object] = {key: env[var] for key, var in required.items() if var in env}
        optional_text = {
            "redirect_uri": "REDIRECT_URI",
            "post_logout_redirect_uri": "POST_LOGOUT_REDIRECT_URI",
            "audience": "AUDIENCE",
        }
        for key, suffix in optional_text.items():
            if env.get(prefix + suffix):
                values[key] = env[prefix + suffix]
        if env.get(prefix + "SCOPES"):
            values["scopes"] = tuple(env[prefix + "SCOPES"].split())
        if env.get(prefix + "LEEWAY"):
            try:
                values["leeway"] = float(env[prefix + "LEEWAY"])
            except ValueError:
                raise ConfigurationError(f"{prefix}LEEWAY must be a number of seconds") from None
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
