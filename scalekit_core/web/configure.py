"""Reading ``SCALEKIT_*`` settings: the one way every adapter turns its framework's settings
(Flask's ``app.config``, Django's ``settings``, ``os.environ`` for FastAPI) into the core's
configuration values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import ScalekitConfig
from ..errors import ConfigurationError
from .redis_revocation import RedisRevocations
from .redis_store import DEFAULT_MAX_CONNECTIONS, DEFAULT_PREFIX, RedisSessionStore
from .settings import SessionSettings

__all__ = ["REQUIRED_KEYS", "IntegrationSettings", "settings_from_mapping"]

REQUIRED_KEYS = ("SCALEKIT_ENVIRONMENT_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET")


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _words(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    return tuple(_text(item) for item in value)  # type: ignore[attr-defined]


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    return float(value)  # type: ignore[arg-type]


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean")


# SCALEKIT_<KEY> -> (which object, field name, parser)
_OPTIONAL: dict[str, tuple[str, str, Callable[[object], Any]]] = {
    "REDIRECT_URI": ("session", "redirect_uri", _text),
    "POST_LOGOUT_REDIRECT_URI": ("session", "post_logout_redirect_uri", _text),
    "SCOPES": ("session", "scopes", _words),
    "LOGIN_PATH": ("session", "login_path", _text),
    "CALLBACK_PATH": ("session", "callback_path", _text),
    "LOGOUT_PATH": ("session", "logout_path", _text),
    "SWITCH_ORGANIZATION_PATH": ("session", "switch_organization_path", _text),
    "COOKIE_PREFIX": ("session", "cookie_prefix", _text),
    "COOKIE_SECURE": ("session", "cookie_secure", _flag),
    "COOKIE_DOMAIN": ("session", "cookie_domain", _text),
    "IDLE_TIMEOUT": ("session", "idle_timeout", _number),
    "ABSOLUTE_TIMEOUT": ("session", "absolute_timeout", _number),
    "REFRESH_BUFFER": ("session", "refresh_buffer", _number),
    "WEBHOOK_SECRET": ("session", "webhook_secret", _text),
    "WEBHOOK_PATH": ("session", "webhook_path", _text),
    "SESSION_CHECK_INTERVAL": ("session", "session_check_interval", _number),
    "API_KEYS": ("session", "api_keys", _flag),
    "API_KEY_HEADER": ("session", "api_key_header", _text),
    "API_KEY_TTL": ("session", "api_key_ttl", _number),
    "AUDIENCE": ("client", "audience", _text),
    "AUDIENCES": ("client", "audiences", _words),
    "LEEWAY": ("client", "leeway", _number),
    "CONNECT_TIMEOUT": ("client", "connect_timeout", _number),
    "READ_TIMEOUT": ("client", "read_timeout", _number),
}


def _redis_store(values: Mapping[str, Any], secrets: str | tuple[str, ...]) -> RedisSessionStore:
    url = _text(values["SCALEKIT_REDIS_URL"])
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError(
            "malformed Scalekit settings: SCALEKIT_REDIS_URL must start with "
            "redis://, rediss:// or unix://"
        )
    prefix = values.get("SCALEKIT_REDIS_PREFIX") or DEFAULT_PREFIX
    max_connections = values.get("SCALEKIT_REDIS_MAX_CONNECTIONS")
    if max_connections in (None, ""):
        max_connections = DEFAULT_MAX_CONNECTIONS
    try:
        # Through text, so that "8" and 8 pass and True, 2.5 and "2.5" do not.
        return RedisSessionStore(
            url, prefix=_text(prefix), secrets=secrets, max_connections=int(_text(max_connections))
        )
    except (ConfigurationError, ValueError) as exc:
        raise ConfigurationError(
            f"SCALEKIT_REDIS_URL / SCALEKIT_REDIS_PREFIX / SCALEKIT_REDIS_MAX_CONNECTIONS: {exc}"
        ) from None


@dataclass(frozen=True, slots=True)
class IntegrationSettings:
    """What an adapter needs: the client's configuration and the session layer's settings."""

    client: ScalekitConfig
    session: SessionSettings


def settings_from_mapping(
    values: Mapping[str, Any],
    *,
    fallback_secret: object = None,
    **session_overrides: Any,
) -> IntegrationSettings:
    """Build both configurations from ``SCALEKIT_*`` keys.

    Required: ``SCALEKIT_ENVIRONMENT_URL``, ``SCALEKIT_CLIENT_ID``, ``SCALEKIT_CLIENT_SECRET``,
    ``SCALEKIT_APP_BASE_URL`` (the app's own absolute URL) and a cookie secret of 32+
    characters: ``SCALEKIT_COOKIE_SECRET`` (a string, or a list for rotation), else
    ``fallback_secret`` (the framework's own secret key). Every missing or malformed key is
    named in one ``ConfigurationError``. ``session_overrides`` go straight to
    :class:`SessionSettings` (e.g. ``store=``), after the keys.

    ``SCALEKIT_REDIS_URL`` (e.g. ``redis://localhost:6379/0``) keeps sessions in Redis (a
    :class:`RedisSessionStore`, keys under ``SCALEKIT_REDIS_PREFIX``, default ``scalekit:``, at
    most ``SCALEKIT_REDIS_MAX_CONNECTIONS`` connections per process, default 50) and
    coordinates refreshes across processes; without it, sessions live in cookies. It also
    holds the revocation record (ended sessions, refused in every process), even when a
    ``store=`` override keeps sessions in cookies.
    """
    missing = [key for key in (*REQUIRED_KEYS, "SCALEKIT_APP_BASE_URL") if not values.get(key)]
    secrets = values.get("SCALEKIT_COOKIE_SECRET") or fallback_secret
    if not secrets:
        missing.append("SCALEKIT_COOKIE_SECRET")
    if missing:
        raise ConfigurationError(f"missing Scalekit settings: {', '.join(missing)}")
    client: dict[str, Any] = {}
    session: dict[str, Any] = {}
    malformed: list[str] = []
    for suffix, (target, name, parse) in _OPTIONAL.items():
        key = "SCALEKIT_" + suffix
        if values.get(key) in (None, ""):
            continue
        try:
            (client if target == "client" else session)[name] = parse(values[key])
        except (TypeError, ValueError):
            malformed.append(key)
    if malformed:
        raise ConfigurationError(f"malformed Scalekit settings: {', '.join(malformed)}")
    if isinstance(secrets, (list, tuple)):
        secrets = tuple(_text(secret) for secret in secrets)
    else:
        secrets = _text(secrets)
    if values.get("SCALEKIT_REDIS_URL"):
        redis_store = _redis_store(values, secrets)
        if "store" not in session_overrides:
            session["store"] = redis_store
        if "revocations" not in session_overrides:
            session["revocations"] = RedisRevocations(redis_store)
    session.update(session_overrides)
    scopes = session.get("scopes")
    if scopes is not None:
        client["scopes"] = scopes
    try:
        client_config = ScalekitConfig(
            _text(values["SCALEKIT_ENVIRONMENT_URL"]),
            _text(values["SCALEKIT_CLIENT_ID"]),
            _text(values["SCALEKIT_CLIENT_SECRET"]),
            **client,
        )
    except ConfigurationError as exc:
        raise ConfigurationError(f"SCALEKIT_ENVIRONMENT_URL / client settings: {exc}") from None
    try:
        session_settings = SessionSettings(
            secrets=secrets, base_url=_text(values["SCALEKIT_APP_BASE_URL"]), **session
        )
    except ConfigurationError as exc:
        raise ConfigurationError(f"Scalekit session settings: {exc}") from None
    return IntegrationSettings(client_config, session_settings)
