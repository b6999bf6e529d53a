"""State shared by a session manager's decisions: settings, sealers, cookie helpers, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from itsdangerous import BadSignature, Signer

from ..authorization import AuthorizationRequest
from ..config import ScalekitConfig
from ..options import AuthorizationUrlOptions, LogoutUrlOptions
from .cookies import CookieJar
from .sealing import PURPOSE_SESSION, PURPOSE_TRANSACTION, Sealer
from .settings import SessionSettings
from .stores import CookieSessionStore
from .transactions import TransactionCookies

__all__ = ["PureClient", "WebContext"]


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
    _signer: Signer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        secrets = self.settings.secret_list
        self.sessions = Sealer(secrets, PURPOSE_SESSION)
        self.jar = CookieJar(self.settings)
        self.transactions = TransactionCookies(
            self.settings, Sealer(secrets, PURPOSE_TRANSACTION), self.jar
        )
        # itsdangerous signs with the *last* key and accepts all of them.
        self._signer = Signer(list(reversed(secrets)), salt="scalekit.session-id")

    @property
    def server_side(self) -> bool:
        store = self.settings.store
        return store is not None and not isinstance(store, CookieSessionStore)

    def sign_id(self, session_id: str) -> str:
        return self._signer.sign(session_id.encode()).decode("ascii")

    def unsign_id(self, value: str) -> str | None:
        if len(value) > 512:
            return None
        try:
            return self._signer.unsign(value.encode("utf-8", "replace")).decode("ascii")
        except (BadSignature, UnicodeDecodeError):
            return None
