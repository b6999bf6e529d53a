"""Machine-readable outcomes: one :class:`Reason` for every error the session layer answers
(``WebResponse.reason``, a ``reason`` field in JSON errors, ``reason`` on the typed errors
the adapters' hooks receive), and one structured log event per sign-in, sign-in failure,
refresh, refresh failure, logout, revocation and ended session.

Events go to the ``scalekit`` logger at INFO (failures the app cannot cause, e.g. a provider
outage, at WARNING). Each record carries ``event``, ``reason``, ``user_id``,
``organization_id`` and ``sid`` (the Scalekit session id) as attributes, for a structured
(JSON) formatter, and says the same in its message; never a token, a code or a cookie.

>>> Reason.STATE_MISMATCH.value
'state_mismatch'
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session_data import User

__all__ = ["EVENT_LOGGER", "Event", "Reason", "log_event", "reason_of"]

#: The logger of the structured events.
EVENT_LOGGER = "scalekit"
events = logging.getLogger(EVENT_LOGGER)


class Reason(str, Enum):
    """Why a sign-in, a session or a request failed (the value is what JSON bodies carry)."""

    # The sign-in (login route and callback)
    INVALID_REQUEST = "invalid_request"  #: a malformed login or switch request
    ACCESS_DENIED = "access_denied"  #: the provider, or the app's on_login hook, refused
    PROVIDER_ERROR = "provider_error"  #: the authorization response carried another error
    STATE_MISMATCH = "state_mismatch"  #: missing, foreign or repeated state; replayed callback
    TRANSACTION_EXPIRED = "transaction_expired"  #: the login cookie expired or was not kept
    ISSUER_MISMATCH = "issuer_mismatch"  #: RFC 9207 ``iss`` of another issuer
    CODE_MISSING = "code_missing"  #: no (or an oversized) authorization code
    CODE_EXCHANGE_FAILED = "code_exchange_failed"  #: the token endpoint refused the code
    ID_TOKEN_INVALID = "id_token_invalid"  #: the tokens did not verify, or name no user
    AUTH_TIME_TOO_OLD = "auth_time_too_old"  #: ``max_age`` asked, ``auth_time`` older/missing
    ORGANIZATION_MISMATCH = "organization_mismatch"  #: a switch came back for another one
    SESSION_TOO_LARGE = "session_too_large"  #: does not fit in cookies (use a store)
    PROVIDER_UNAVAILABLE = "provider_unavailable"  #: Scalekit unreachable, 5xx, malformed
    # Sessions
    REFRESH_DENIED = "refresh_denied"  #: ``invalid_grant``: the session ends
    REFRESH_FAILED = "refresh_failed"  #: a transient failure: the session is kept
    SESSION_REVOKED = "session_revoked"  #: logout, revocation, sign-out everywhere
    SESSION_EXPIRED = "session_expired"  #: idle or absolute timeout, expired without refresh
    SESSION_INVALID = "session_invalid"  #: an unreadable cookie or rejected tokens
    SESSION_STORE_UNAVAILABLE = "session_store_unavailable"
    # Guards
    AUTHENTICATION_REQUIRED = "authentication_required"
    INVALID_TOKEN = "invalid_token"  #: a bearer token that did not verify
    REAUTHENTICATION_REQUIRED = "reauthentication_required"  #: ``require_recent_login``
    INSUFFICIENT_SCOPE = "insufficient_scope"
    MISSING_PERMISSION = "missing_permission"
    MISSING_ROLE = "missing_role"
    WRONG_ORGANIZATION = "wrong_organization"
    NOT_A_MEMBER = "not_a_member"  #: a switch into an organization of others
    FORBIDDEN = "forbidden"
    # Sign-out, and the webhook endpoint
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CROSS_SITE_REQUEST = "cross_site_request"
    NOT_FOUND = "not_found"  #: webhooks are not configured
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INVALID_SIGNATURE = "invalid_signature"  #: a bad or missing signature, a stale timestamp
    INVALID_EVENT = "invalid_event"  #: an authentic body that is not an event
    REPLAYED = "replayed"  #: a ``webhook-id`` already handled
    HANDLER_FAILED = "handler_failed"  #: an app's webhook handler raised (500: a retry)

    def __str__(self) -> str:
        return self.value


def reason_of(text: str) -> Reason | None:
    """The :class:`Reason` named ``text``, ``None`` for an app's own reason."""
    try:
        return Reason(text)
    except ValueError:
        return None


class Event(str, Enum):
    """What a structured log record reports."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    REFRESH = "refresh"
    REFRESH_FAILED = "refresh_failed"
    LOGOUT = "logout"
    REVOCATION = "revocation"
    SESSION_ENDED = "session_ended"

    def __str__(self) -> str:
        return self.value


def _field(value: object) -> str | None:
    """An identifier fit for a log line: text, printable, at most 128 characters."""
    if not isinstance(value, str) or not value:
        return None
    return "".join(c if c.isprintable() else "?" for c in value[:128])


def log_event(
    event: Event,
    reason: Reason | None = None,
    user: User | None = None,
    *,
    user_id: str | None = None,
    organization_id: str | None = None,
    sid: str | None = None,
    level: int = logging.INFO,
) -> None:
    """One structured record on the ``scalekit`` logger; ``user`` fills the ids not given."""
    if not events.isEnabledFor(level):
        return
    if user is not None:
        user_id = user_id or user.id
        organization_id = organization_id or user.organization_id
        sid = sid or user.session_id
    fields = {
        "event": event.value,
        "reason": reason.value if reason is not None else None,
        "user_id": _field(user_id),
        "organization_id": _field(organization_id),
        "sid": _field(sid),
    }
    events.log(
        level,
        "%s reason=%s user_id=%s organization_id=%s sid=%s",
        *(fields[name] or "-" for name in fields),
        extra=fields,
    )
