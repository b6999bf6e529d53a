"""The one configuration object of the core."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = ["DEFAULT_SCOPES", "ScalekitConfig"]

DEFAULT_SCOPES: tuple[str, ...] = ("openid", "profile", "email")


_URL_FIELDS = ("env_url", "redirect_uri", "post_logout_redirect_uri")
_SECONDS_FIELDS = ("leeway", "connect_timeout", "read_timeout", "jwks_ttl", "jwks_refetch_interval")


def _complaints(values: Mapping[str, object]) -> dict[str, str]:
    """What is wrong with each malformed field present in ``values``.

    Values are left out of the complaints: a secret pasted into the wrong setting must not
    end up in a log line.
    """
    found: dict[str, str] = {}
    for name in _URL_FIELDS:
        if name not in values or values[name] is None:
            continue
        value = values[name]
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            found[name] = "must be an absolute http(s) URL"
    for name in _SECONDS_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            found[name] = "must be a number of seconds"
        elif not math.isfinite(value):
            found[name] = "must be a finite number of seconds"
        elif value < 0:
            found[name] = "must not be negative"
    return found


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
    #: One more accepted ``aud`` of access tokens (an API's identifier), kept for
    #: compatibility: same as ``audiences=(audience,)``.
    audience: str | None = None
    leeway: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    jwks_ttl: float = 3600.0
    #: At most one JWKS refetch for an unknown ``kid`` per this many seconds.
    jwks_refetch_interval: float = 30.0
    #: How many verified access tokens to remember (so repeat validation skips the signature).
    verified_cache_size: int = 4096
    #: Extra accepted ``aud`` values of access tokens (the APIs this app serves). Access
    #: tokens must name one of :attr:`accepted_audiences`: these plus the client id.
    audiences: tuple[str, ...] = ()
    accepted_audiences: frozenset[str] = field(init=False, repr=False, compare=False)

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
        if isinstance(self.env_url, str):
            object.__setattr__(self, "env_url", self.env_url.rstrip("/"))
        if isinstance(self.scopes, str):
            object.__setattr__(self, "scopes", tuple(self.scopes.split()))
        else:
            object.__setattr__(self, "scopes", tuple(self.scopes))
        extra = (self.audiences,) if isinstance(self.audiences, str) else tuple(self.audiences)
        object.__setattr__(self, "audiences", extra)
        accepted = {self.client_id, *extra} | ({self.audience} if self.audience else set())
        object.__setattr__(self, "accepted_audiences", frozenset(accepted))
        present = {
            f.name: getattr(self, f.name) for f in fields(self) if f.init and f.name not in missing
        }
        problems = [f"{name} {complaint}" for name, complaint in _complaints(present).items()]
        if missing:
            problems.insert(0, f"missing Scalekit configuration: {', '.join(missing)}")
        if problems:
            raise ConfigurationError("; ".join(problems))

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        prefix: str = "SCALEKIT_",
        **overrides: object,
    ) -> ScalekitConfig:
        """Read ``SCALEKIT_ENVIRONMENT_URL``, ``SCALEKIT_CLIENT_ID``, ``SCALEKIT_CLIENT_SECRET``.

        Optional: ``SCALEKIT_REDIRECT_URI``, ``SCALEKIT_POST_LOGOUT_REDIRECT_URI``,
        ``SCALEKIT_SCOPES`` (space-separated), ``SCALEKIT_AUDIENCES`` (the extra accepted
        ``aud`` values of access tokens, space- or comma-separated), ``SCALEKIT_AUDIENCE``
        (one of them, kept for compatibility), ``SCALEKIT_LEEWAY``.
        Raises ``ConfigurationError`` naming every missing or malformed variable.
        """
        env = os.environ if environ is None else environ
        required = {
            "env_url": f"{prefix}ENVIRONMENT_URL",
            "client_id": f"{prefix}CLIENT_ID",
            "client_secret": f"{prefix}CLIENT_SECRET",
        }
        problems: list[str] = []
        missing = [
            var for key, var in required.items() if not env.get(var) and key not in overrides
        ]
        if missing:
            problems.append(f"missing environment variables: {', '.join(missing)}")
        values: dict[str, object] = {key: env[var] for key, var in required.items() if env.get(var)}
        # Which variable supplied each field, so a complaint names what the user has to fix.
        variables = dict(required)
        optional_text = {
            "redirect_uri": f"{prefix}REDIRECT_URI",
            "post_logout_redirect_uri": f"{prefix}POST_LOGOUT_REDIRECT_URI",
            "audience": f"{prefix}AUDIENCE",
        }
        for key, var in optional_text.items():
            if env.get(var):
                values[key] = env[var]
                variables[key] = var
        if env.get(prefix + "AUDIENCES"):
            values["audiences"] = tuple(env[prefix + "AUDIENCES"].replace(",", " ").split())
        if env.get(prefix + "SCOPES"):
            values["scopes"] = tuple(env[prefix + "SCOPES"].split())
        if env.get(prefix + "LEEWAY") and "leeway" not in overrides:
            variables["leeway"] = prefix + "LEEWAY"
            try:
                values["leeway"] = float(env[prefix + "LEEWAY"])
            except ValueError:
                problems.append(f"{prefix}LEEWAY must be a number of seconds")
        values.update(overrides)
        for key in overrides:
            variables.pop(key, None)
        problems.extend(
            f"{variables.get(key, key)} {complaint}"
            for key, complaint in _complaints(values).items()
        )
        if problems:
            raise ConfigurationError("; ".join(problems))
        return cls(**values)  # type: ignore[arg-type]
