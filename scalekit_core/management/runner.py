"""Run a management flow with the client's token: fetched once, shared, refetched once on 401.

The two runners are the management API's counterpart of the two drivers: they differ only in
how they wait (a thread lock or an async lock, ``run_sync`` or ``run_async``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec

import httpx

from ..drivers import run_async, run_sync
from ..errors import UnauthenticatedError
from ..flows import Flow, T
from ..retry import RetryPolicy
from ..tokens import client_credentials_flow
from .token import ManagementTokenCache, with_bearer

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = ["AsyncManagementRunner", "SyncManagementRunner"]

P = ParamSpec("P")
#: Management calls retry by default; pass ``retry=RetryPolicy(max_attempts=1)`` to opt out.
DEFAULT_RETRY = RetryPolicy()


def _usable(cache: ManagementTokenCache, rejected: str | None) -> str | None:
    token = cache.current()
    return token if token is not None and token != rejected else None


class SyncManagementRunner:
    """Runs management flows over ``httpx.Client``."""

    def __init__(self, ctx: ClientContext, http: httpx.Client, retry: RetryPolicy | None) -> None:
        self._ctx = ctx
        self._http = http
        self._retry = retry if retry is not None else DEFAULT_RETRY
        #: See ``ClientContext.revocation_listeners``.
        self.revocation_listeners = ctx.revocation_listeners

    def _token(self, rejected: str | None = None) -> str:
        cache = self._ctx.management_token
        if rejected is not None:
            cache.discard(rejected)
        token = _usable(cache, rejected)
        if token is not None:
            return token
        with cache.lock:  # one fetch; the threads that waited use its result
            token = _usable(cache, rejected)
            if token is not None:
                return token
            return cache.store(run_sync(client_credentials_flow(self._ctx), self._http))

    def run(
        self,
        make: Callable[Concatenate[ClientContext, P], Flow[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``make(ctx, *args, **kwargs)``; after a 401, once more with a fresh token."""
        token = self._token()
        try:
            return run_sync(
                with_bearer(make(self._ctx, *args, **kwargs), token), self._http, self._retry
            )
        except UnauthenticatedError:
            token = self._token(rejected=token)
        return run_sync(
            with_bearer(make(self._ctx, *args, **kwargs), token), self._http, self._retry
        )


class AsyncManagementRunner:
    """Runs management flows over ``httpx.AsyncClient`` (twin of :class:`SyncManagementRunner`)."""

    def __init__(
        self, ctx: ClientContext, http: httpx.AsyncClient, retry: RetryPolicy | None
    ) -> None:
        self._ctx = ctx
        self._http = http
        self._retry = retry if retry is not None else DEFAULT_RETRY
        #: See ``ClientContext.revocation_listeners``.
        self.revocation_listeners = ctx.revocation_listeners

    async def _token(self, rejected: str | None = None) -> str:
        cache = self._ctx.management_token
        if rejected is not None:
            cache.discard(rejected)
        token = _usable(cache, rejected)
        if token is not None:
            return token
        async with cache.async_lock():  # one fetch; the tasks that waited use its result
            token = _usable(cache, rejected)
            if token is not None:
                return token
            return cache.store(await run_async(client_credentials_flow(self._ctx), self._http))

    async def run(
        self,
        make: Callable[Concatenate[ClientContext, P], Flow[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``make(ctx, *args, **kwargs)``; after a 401, once more with a fresh token."""
        token = await self._token()
        try:
            return await run_async(
                with_bearer(make(self._ctx, *args, **kwargs), token), self._http, self._retry
            )
        except UnauthenticatedError:
            token = await self._token(rejected=token)
        return await run_async(
            with_bearer(make(self._ctx, *args, **kwargs), token), self._http, self._retry
        )
