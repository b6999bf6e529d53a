"""The only code that performs I/O: one driver over ``httpx.Client``, one over ``httpx.AsyncClient``.

Everything else (what to send, how to read the answer) lives in flows
(:mod:`scalekit_core.flows`), so the sync and async clients share every line of protocol logic.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .errors import ScalekitConnectionError
from .flows import MAX_JSON_BYTES, Flow, HTTPRequest, HTTPResponse, T
from .retry import RetryPolicy

# httpx and anyio are imported by the functions that use them (httpx is already loaded by
# then: the client that owns the pool imported it), so ``import scalekit_core`` stays light.
if TYPE_CHECKING:
    import httpx

__all__ = ["run_async", "run_sync"]


def _to_response(response: httpx.Response, content: bytes) -> HTTPResponse:
    return HTTPResponse(response.status_code, dict(response.headers), content)


def _keep(chunks: list[bytes], chunk: bytes, size: int) -> int:
    """Collect a body up to one byte past ``MAX_JSON_BYTES`` (enough for ``json()`` to refuse
    it): a provider answering an endless body costs bounded memory."""
    chunks.append(chunk[: MAX_JSON_BYTES + 1 - size])
    return size + len(chunks[-1])


def _read_sync(http: httpx.Client, request: HTTPRequest) -> HTTPResponse:
    with http.stream(
        request.method, request.url, headers=request.headers, content=request.body
    ) as answer:
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.iter_bytes():
            size = _keep(chunks, chunk, size)
            if size > MAX_JSON_BYTES:
                break
        return _to_response(answer, b"".join(chunks))


async def _read_async(http: httpx.AsyncClient, request: HTTPRequest) -> HTTPResponse:
    async with http.stream(
        request.method, request.url, headers=request.headers, content=request.body
    ) as answer:
        chunks: list[bytes] = []
        size = 0
        async for chunk in answer.aiter_bytes():
            size = _keep(chunks, chunk, size)
            if size > MAX_JSON_BYTES:
                break
        return _to_response(answer, b"".join(chunks))


def _connection_error(request: HTTPRequest, exc: httpx.HTTPError) -> ScalekitConnectionError:
    import httpx

    # Only the method and path: query strings may carry codes or tokens.
    path = httpx.URL(request.url).path
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
    return ScalekitConnectionError(f"{request.method} {path} {kind}: {type(exc).__name__}")


def _after_attempt(
    request: HTTPRequest,
    retry: RetryPolicy | None,
    attempt: int,
    started: float,
    response: HTTPResponse | None,
    failure: httpx.HTTPError | None = None,
) -> HTTPResponse | float:
    """The response to hand back, or the seconds to wait before the next attempt.

    Only idempotent requests are retried; a final connection failure becomes
    ``ScalekitConnectionError``.
    """
    if retry is not None and request.idempotent:
        wait = retry.delay(attempt, time.monotonic() - started, response)
        if wait is not None:
            return wait
    if response is None:
        assert failure is not None
        raise _connection_error(request, failure) from failure
    return response


def send_sync(http: httpx.Client, request: HTTPRequest, retry: RetryPolicy | None) -> HTTPResponse:
    """Send one request, retrying it per ``retry`` when it is idempotent."""
    import httpx

    started = time.monotonic()
    attempt = 1
    while True:
        try:
            answer = _read_sync(http, request)
        except httpx.HTTPError as exc:
            outcome = _after_attempt(request, retry, attempt, started, None, exc)
        else:
            outcome = _after_attempt(request, retry, attempt, started, answer)
        if isinstance(outcome, HTTPResponse):
            return outcome
        time.sleep(outcome)
        attempt += 1


async def send_async(
    http: httpx.AsyncClient, request: HTTPRequest, retry: RetryPolicy | None
) -> HTTPResponse:
    """The async twin of :func:`send_sync`."""
    import anyio
    import httpx

    started = time.monotonic()
    attempt = 1
    while True:
        try:
            answer = await _read_async(http, request)
        except httpx.HTTPError as exc:
            outcome = _after_attempt(request, retry, attempt, started, None, exc)
        else:
            outcome = _after_attempt(request, retry, attempt, started, answer)
        if isinstance(outcome, HTTPResponse):
            return outcome
        await anyio.sleep(outcome)
        attempt += 1


def run_sync(flow: Flow[T], http: httpx.Client, retry: RetryPolicy | None = None) -> T:
    """Run a flow to completion with blocking I/O.

    A connection failure is thrown into the flow at its ``yield``, so a flow may recover
    (e.g. keep using cached keys while the JWKS endpoint is down).
    """
    try:
        request = next(flow)
        while True:
            try:
                response = send_sync(http, request, retry)
            except ScalekitConnectionError as exc:
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def run_async(flow: Flow[T], http: httpx.AsyncClient, retry: RetryPolicy | None = None) -> T:
    """Run a flow to completion without blocking the event loop (twin of :func:`run_sync`)."""
    try:
        request = next(flow)
        while True:
            try:
                response = await send_async(http, request, retry)
            except ScalekitConnectionError as exc:
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
