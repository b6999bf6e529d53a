"""State one client owns: configuration, caches and the clock (never module-level)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
    jwks: JWKSCache = field(init=False)
    verified: VerifiedTokenCache = field(init=False)
    management_token: ManagementTokenCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Imported here: the management package imports modules that import this one.
        from .management.token import ManagementTokenCache

        self.jwks = JWKSCache(self.config.jwks_ttl, self.config.jwks_refetch_interval)
        self.verified = VerifiedTokenCache(self.config.verified_cache_size)
        self.management_token = ManagementTokenCache(self.clock)
