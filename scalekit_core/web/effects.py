"""The I/O a session decision may need, as values (the session layer's sans-I/O seam).

The decision logic (``login``, ``loading``, ``logout``) is written as generators that yield
these effects and receive their results, exactly like the core's HTTP flows. The two
managers are the only code that performs them: ``SessionManager`` with blocking calls,
``AsyncSessionManager`` with awaits. A ``ScalekitError`` raised while performing an effect is
thrown back into the generator at its ``yield``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..tokens import AuthenticationResponse
from .session_data import SessionData, User

__all__ = [
    "CallOnLogin",
    "CheckRevoked",
    "ConfirmLive",
    "Effect",
    "ExchangeCode",
    "LoginTokens",
    "MemberOrganizations",
    "RecordRevocation",
    "RefreshTokens",
    "StoreDelete",
    "StoreGet",
    "StoreSet",
    "VerifyApiKey",
    "VerifyBearer",
    "VerifyIdpLogin",
    "VerifyRefreshed",
    "WebFlow",
]

R = TypeVar("R")


@dataclass(frozen=True)
class ExchangeCode:
    """Exchange the code (ID token checked with ``nonce``), then validate the access token.

    Result: :class:`LoginTokens`."""

    code: str = field(repr=False)
    redirect_uri: str
    code_verifier: str = field(repr=False)
    nonce: str = field(repr=False)


@dataclass(frozen=True)
class LoginTokens:
    auth: AuthenticationResponse
    access_claims: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class VerifyIdpLogin:
    """Result: ``IdpInitiatedLoginClaims``."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class VerifyBearer:
    """Validate an access token locally (cached JWKS). Result: its claims."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class VerifyApiKey:
    """Who an API key belongs to (``tokens.validate_token``, briefly cached, single-flight).
    Result: a ``Machine``, or ``None`` for a key Scalekit refuses or cannot be asked about."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class RefreshTokens:
    """Single-flight refresh. Result: ``TokenResponse``; failure: ``RefreshFailed``.

    ``wait=False``: when another request is already refreshing this token, fail at once
    (``RefreshFailed("refresh_in_progress")``) instead of waiting for its outcome.
    """

    refresh_token: str = field(repr=False)
    wait: bool = True


@dataclass(frozen=True)
class VerifyRefreshed:
    """Verify a refresh's tokens (``id_token`` ``None``: none to check). Result: the claims
    ``(access, id)``; ``TokenValidationError`` when one is wrong, another ``ScalekitError``
    when the keys cannot be fetched."""

    access_token: str = field(repr=False)
    id_token: str | None = field(repr=False)


@dataclass(frozen=True)
class StoreGet:
    session_id: str = field(repr=False)


@dataclass(frozen=True)
class StoreSet:
    session_id: str = field(repr=False)
    data: SessionData
    ttl: float
    user_id: str | None


@dataclass(frozen=True)
class StoreDelete:
    session_id: str = field(repr=False)


@dataclass(frozen=True)
class MemberOrganizations:
    """The organizations ``user_id`` is an active member of (the management API's users
    API). Result: ``tuple[str, ...]``."""

    user_id: str


@dataclass(frozen=True)
class CallOnLogin:
    """Call the app's ``on_login`` hook (it may raise ``PermissionDenied`` to refuse)."""

    user: User
    auth: AuthenticationResponse


@dataclass(frozen=True)
class CheckRevoked:
    """Whether the revocation record refuses this session. Result: ``bool``."""

    session_key: str | None = field(repr=False)
    user_id: str
    issued_at: float


@dataclass(frozen=True)
class ConfirmLive:
    """The optional liveness check (``session_check_interval``). Result: ``False`` when the
    Scalekit session ended."""

    session_id: str = field(repr=False)


@dataclass(frozen=True)
class RecordRevocation:
    """Write the revocation record: one session (``session_key``) or, when ``session_key`` is
    ``None``, every session of ``user_id`` issued at or before ``before_time``; kept
    ``until``."""

    session_key: str | None = field(repr=False)
    user_id: str | None
    before_time: float
    until: float


Effect = (
    CheckRevoked
    | ConfirmLive
    | RecordRevocation
    | ExchangeCode
    | VerifyIdpLogin
    | VerifyBearer
    | VerifyApiKey
    | RefreshTokens
    | VerifyRefreshed
    | StoreGet
    | StoreSet
    | StoreDelete
    | CallOnLogin
    | MemberOrganizations
)
WebFlow = Generator[Effect, Any, R]
