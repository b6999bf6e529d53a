"""The management API's bearer token: cached per client, single-flight refetch, added to requests."""

from __future__ import annotations

import threading
from collections.abc import Callable

import anyio
import anyio.lowlevel

from ..flows import Flow, HTTPRequest, T
from ..tokens import TokenResponse

__all__ = ["ManagementTokenCache", "with_bearer"]

#: Refetch this long before ``expires_in`` runs out (at most a tenth of the lifetime).
EXPIRY_MARGIN = 60.0


class ManagementTokenCache:
    """The client-credentials token of one client, until shortly before it expires.

    ``lock`` serializes fetches in threads; :meth:`async_lock` does the same for tasks of
    one event loop. The token never appears in ``repr``.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self.lock = threading.Lock()
        self._async_lock: tuple[object, anyio.Lock] | None = None

    def current(self) -> str | None:
        """The cached token while it is comfortably valid, else ``None``."""
        token = self._token
        if token is not None and self._clock() < self._expires_at:
            return token
        return None

    def store(self, response: TokenResponse) -> str:
        lifetime = float(response.expires_in)
        margin = min(EXPIRY_MARGIN, lifetime / 10)
        self._token = response.access_token
        self._expires_at = self._clock() + max(0.0, lifetime - margin)
        return response.access_token

    def discard(self, token: str) -> None:
        """Forget ``token`` (Scalekit rejected it), unless it was already replaced."""
        if self._token == token:
            self._token = None
            self._expires_at = 0.0

    def async_lock(self) -> anyio.Lock:
        """The lock of the running event loop (a client may outlive a loop, e.g. in tests)."""
        loop = anyio.lowlevel.current_token().native_token  # the event loop itself
        held = self._async_lock
        if held is None or held[0] is not loop:
            held = (loop, anyio.Lock())
            self._async_lock = held
        return held[1]

    def __repr__(self) -> str:
        return f"ManagementTokenCache(cached={self._token is not None})"


def with_bearer(flow: Flow[T], token: str) -> Flow[T]:
    """``flow`` with ``Authorization: Bearer <token>`` on every request it yields."""
    try:
        request = next(flow)
        while True:
            authorized = HTTPRequest(
                request.method,
                request.url,
                {**request.headers, "authorization": f"Bearer {token}"},
                request.body,
                request.idempotent,
            )
            try:
                response = yield authorized
            except Exception as exc:  # a connection error thrown in by the driver
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
