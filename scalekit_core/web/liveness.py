"""The optional liveness check: is the Scalekit session of a request still active?

For deployments that cannot receive webhooks. With ``session_check_interval`` (setting
``SCALEKIT_SESSION_CHECK_INTERVAL``, seconds; off by default) ``load()`` confirms through the
sessions API (``client.session.get_session``) that a cookie's Scalekit session is still
active, at most once per interval per session and process. One request claims the check
(single flight): concurrent requests of that session go on with what was last known instead
of waiting. A session Scalekit reports ended (revoked, logged out, expired, unknown) is
ended here like any revocation; a check that fails (Scalekit unreachable) keeps the session,
which the access token's own expiry still bounds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import NotFoundError, ScalekitError

if TYPE_CHECKING:
    from ..client import AsyncScalekitClient, ScalekitClient
    from .manager import AsyncSessionManager, SessionManager

__all__ = ["LivenessChecks", "aconfirm_live", "confirm_live"]

log = logging.getLogger("scalekit_core.web")

#: Sessions remembered per process (past it the oldest half is forgotten: checked again).
MAX_TRACKED = 10_000


class LivenessChecks:
    """When each Scalekit session is next due for a check (thread-safe, bounded)."""

    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        self.interval = interval
        self._clock = clock
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, session_id: str) -> bool:
        """``True`` for the one caller that must check ``session_id`` now."""
        now = self._clock()
        due = self._next.get(session_id)
        if due is not None and now < due:
            return False  # the common case: no lock taken
        with self._lock:
            due = self._next.get(session_id)
            if due is not None and now < due:
                return False
            if len(self._next) >= MAX_TRACKED:
                for key in list(self._next)[: MAX_TRACKED // 2]:
                    del self._next[key]
            self._next[session_id] = now + self.interval
            return True


def _ended(status: str | None) -> bool:
    return status != "active"


def confirm_live(
    manager: SessionManager, client: ScalekitClient, checks: LivenessChecks, session_id: str
) -> bool:
    """``False`` when Scalekit says the session ended (it is then ended here too)."""
    if not checks.claim(session_id):
        return True
    try:
        status = client.session.get_session(session_id=session_id).status
    except NotFoundError:
        status = None
    except ScalekitError as exc:
        log.warning("session liveness not checked: %s", type(exc).__name__)
        return True
    if not _ended(status):
        return True
    manager.end_scalekit_session(session_id)
    return False


async def aconfirm_live(
    manager: AsyncSessionManager,
    client: AsyncScalekitClient,
    checks: LivenessChecks,
    session_id: str,
) -> bool:
    """The asyncio twin of :func:`confirm_live`."""
    if not checks.claim(session_id):
        return True
    try:
        status = (await client.session.get_session(session_id=session_id)).status
    except NotFoundError:
        status = None
    except ScalekitError as exc:
        log.warning("session liveness not checked: %s", type(exc).__name__)
        return True
    if not _ended(status):
        return True
    await manager.end_scalekit_session(session_id)
    return False
