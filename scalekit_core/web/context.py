"""State shared by a session manager's decisions: settings, sealers, cookie helpers, clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from itsdangerous import BadSignature, Signer

from ..authorization import AuthorizationRequest
from ..config import ScalekitConfig
from ..options import AuthorizationUrlOptions, LogoutUrlOptions
from .cookies import CookieJar
from .sealing import PURPOSE_SESSION, PURPOSE_TRANSACTION, Sealer
from .session_data import SessionData
from .settings import SessionSettings
from .stores import CookieSessionStore
from .transactions import ConsumedStates, TransactionCookies

if TYPE_CHECKING:
    from .persistence import StoredSession
    from .requests import LoadResult

__all__ = ["UNSEALED_CACHE_SIZE", "PureClient", "WebContext"]

#: Sessions remembered unsealed, per manager (see ``WebContext.unsealed``), and as many
#: ``Cookie`` headers read to a session (see ``WebContext.session_of_header``).
UNSEALED_CACHE_SIZE = 2048
#: Longer ``Cookie`` headers are not remembered (a chunked session is read from its value).
MAX_REMEMBERED_HEADER = 8192

#: A quiet warm session (see ``WebContext.remember_quiet``): until when, the result, and the
#: revocation record's lookup (session key, user id, created at).
_Quiet = tuple[float, "LoadResult", "str | None", str, float]

_K = TypeVar("_K")
_V = TypeVar("_V")


class PureClient(Protocol):
    """The no-I/O part shared by ``ScalekitClient`` and ``AsyncScalekitClient``."""

    config: ScalekitConfig

    def create_authorization_request(
        self, redirect_uri: str | None = None, options: AuthorizationUrlOptions | None = None
    ) -> AuthorizationRequest: ...

    def get_logout_url(self, options: LogoutUrlOptions | None = None) -> str: ...


@dataclass
class WebContext:
    settings: SessionSettings
    client: PureClient
    clock: Callable[[], float]
    sessions: Sealer = field(init=False)
    jar: CookieJar = field(init=False)
    transactions: TransactionCookies = field(init=False)
    #: States whose callback already ran (a replay never reaches the token endpoint).
    consumed: ConsumedStates = field(init=False)
    _signer: Signer = field(init=False, repr=False)
    _unsealed: dict[str, SessionData] = field(init=False, repr=False, default_factory=dict)
    _by_header: dict[str, StoredSession] = field(init=False, repr=False, default_factory=dict)
    _quiet: dict[str, _Quiet] = field(init=False, repr=False, default_factory=dict)
    _cache_lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    #: Whether sessions live in a server-side store (worked out once: the settings are frozen).
    server_side: bool = field(init=False)
    #: The request headers besides ``Authorization`` that carry a credential: the API key's.
    credential_headers: tuple[str, ...] = field(init=False)
    #: The revocation record's lookup when it answers without I/O (``MemoryRevocations``):
    #: ``load`` then calls it directly instead of yielding ``CheckRevoked`` to the driver.
    revoked_now: Callable[[str | None, str, float], bool] | None = field(
        init=False, repr=False, default=None
    )

    def __post_init__(self) -> None:
        secrets = self.settings.secret_list
        self.sessions = Sealer(secrets, PURPOSE_SESSION)
        self.jar = CookieJar(self.settings)
        self.transactions = TransactionCookies(
            self.settings, Sealer(secrets, PURPOSE_TRANSACTION), self.jar
        )
        self.consumed = ConsumedStates(self.settings.transaction_ttl)
        # itsdangerous signs with the *last* key and accepts all of them.
        self._signer = Signer(list(reversed(secrets)), salt="scalekit.session-id")
        store = self.settings.store
        self.server_side = store is not None and not isinstance(store, CookieSessionStore)
        settings = self.settings
        self.credential_headers = (settings.api_key_header.lower(),) if settings.api_keys else ()

    def verified_extras(self, token: str) -> dict[str, Any] | None:
        """The ``derived`` slot of ``token`` in the client's verified-token cache, while the
        client honours that entry (``None`` otherwise): where the token's principal is kept,
        so a repeated bearer token costs a lookup (see ``VerifiedTokenCache``)."""
        client_ctx = getattr(self.client, "_ctx", None)
        if client_ctx is None:
            return None
        config = client_ctx.config
        extras: dict[str, Any] | None = client_ctx.verified.derived(
            token, config.env_url, config.accepted_audiences, client_ctx.clock(), config.leeway
        )
        return extras

    def sign_id(self, session_id: str) -> str:
        return self._signer.sign(session_id.encode()).decode("ascii")

    def unsealed(self, sealed: str) -> SessionData | None:
        """The session sealed in ``sealed`` (a cookie-store value), unsealing each value once.

        Every request of a session carries the same sealed value until the session is
        rewritten, so the AES-GCM open, the decompression and the parsing are remembered
        (bounded; only values that did unseal). Lifetimes are still checked on every request.
        """
        data = self._unsealed.get(sealed)
        if data is None:
            payload = self.sessions.unseal(sealed, self.settings.session_cookie)
            data = SessionData.from_payload(payload) if payload is not None else None
            if data is not None:
                self._remember(self._unsealed, sealed, data)
        return data

    def session_of_header(self, header: str) -> StoredSession | None:
        """The cookie-store session a raw ``Cookie`` header was read to before (see
        :meth:`remember_header`), or ``None``."""
        return self._by_header.get(header)

    def remember_header(self, header: str, stored: StoredSession) -> None:
        """Remember what ``header`` reads to: a warm session's requests repeat their
        ``Cookie`` header byte for byte, and what a cookie-store session cookie says (names,
        chunks, ambiguity, the unsealed session) depends on that header alone. Only headers
        that gave a session are kept (bounded); lifetimes are still checked on every request."""
        if len(header) <= MAX_REMEMBERED_HEADER:
            self._remember(self._by_header, header, stored)

    def quiet_result(self, header: str, now: float) -> LoadResult | None:
        """What the last full read of ``header`` concluded (signed in, nothing to write),
        while that still holds at ``now``: before its earliest deadline (see
        :meth:`remember_quiet`) and with the session not revoked since. ``None`` otherwise:
        then the request takes the whole decision again."""
        quiet = self._quiet.get(header)
        revoked_now = self.revoked_now
        if quiet is None or now >= quiet[0] or revoked_now is None:
            return None
        _, result, key, user_id, created_at = quiet
        return None if revoked_now(key, user_id, created_at) else result

    def remember_quiet(
        self,
        header: str,
        result: LoadResult,
        until: float,
        revocation: tuple[str | None, str, float],
    ) -> None:
        """Remember that ``header`` reads to ``result`` (a signed-in user, no cookie to write)
        until ``until``: the earliest time a lifetime check (timeouts, refresh, the rolling
        idle rewrite) could decide otherwise. Each request still asks the revocation record
        (``revocation``: its lookup's arguments), so only one that answers without I/O
        (``revoked_now``) lets a result be remembered."""
        if self.revoked_now is not None and len(header) <= MAX_REMEMBERED_HEADER:
            self._remember(self._quiet, header, (until, result, *revocation))

    def _remember(self, cache: dict[_K, _V], key: _K, value: _V) -> None:
        with self._cache_lock:
            while len(cache) >= UNSEALED_CACHE_SIZE:
                cache.pop(next(iter(cache)))
            cache[key] = value

    def unsign_id(self, value: str) -> str | None:
        if len(value) > 512:
            return None
        try:
            return self._signer.unsign(value.encode("utf-8", "replace")).decode("ascii")
        except (BadSignature, UnicodeDecodeError):
            return None
