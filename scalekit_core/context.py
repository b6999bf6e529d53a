"""State one client owns: configuration, caches and the clock (never module-level)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .config import ScalekitConfig
from .jwks import JWKSCache
from .validation import VerifiedTokenCache

if TYPE_CHECKING:
    from .management.token import ManagementTokenCache

__all__ = ["ClientContext"]


@dataclass
class ClientContext:
    """Shared by a client's flows. ``clock`` is injectable so tests control time."""

    config: ScalekitConfig
    clock: Callable[[], float] = time.time
    #: How the token endpoint authenticates this client; see ``tokens._token_flow``.
    token_auth_method: str = field(default="client_secret_post", init=False)
    jwks: JWKSCache = field(init=False)
    verified: VerifiedTokenCache = field(init=False)
    #: Called after a revocation made through this client succeeded, with ``("session",
    #: session_id)`` or ``("user", user_id)`` (an async client awaits what they return):
    #: the session managers built on the client end the local sessions too.
    revocation_listeners: list[Callable[[str, str], object]] = field(
        default_factory=list, init=False
    )

    def __post_init__(self) -> None:
        self.jwks = JWKSCache(self.config.jwks_ttl, self.config.jwks_refetch_interval)
        self.verified = VerifiedTokenCache(self.config.verified_cache_size)

    @cached_property
    def management_token(self) -> ManagementTokenCache:
        """Built on first management call, so apps that never make one never load that code."""
        from .management.token import ManagementTokenCache

        return ManagementTokenCache(self.clock)
