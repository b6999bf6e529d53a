"""Starlette request -> core ``WebRequest``; core ``WebResponse`` / ``CookieWrite`` -> Starlette."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast

from starlette.requests import HTTPConnection
from starlette.responses import Response

from scalekit_core.web import CookieWrite, WebRequest, WebResponse, private_cache_headers

__all__ = ["apply_cookies", "to_response", "web_request", "with_cookies"]

_SameSite = Literal["lax", "strict", "none"]


def web_request(connection: HTTPConnection) -> WebRequest:
    """The core's view of a Starlette request (or websocket) — plain values only."""
    scope = connection.scope
    # ``request.url.path`` without building a URL (this runs on every request); the same
    # escaping Starlette applies, so a decoded ``?`` or ``#`` never reads as a query.
    path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    return WebRequest(
        scope.get("method", "GET"),
        path,
        scope.get("query_string", b"").decode("latin-1"),
        connection.headers,
        connection.cookies,
    )


def apply_cookies(response: Response, cookies: Iterable[CookieWrite]) -> None:
    """Apply each write with Starlette's own ``set_cookie`` (a deletion has ``max_age=0``); a
    response that carries any is made uncacheable by shared caches (the core's rule)."""
    cookies = tuple(cookies)
    if cookies:
        vary = ", ".join(response.headers.getlist("vary"))
        for name, value in private_cache_headers(vary).items():
            response.headers[name] = value
    for cookie in cookies:
        response.set_cookie(
            cookie.name,
            cookie.value,
            max_age=cookie.max_age,
            path=cookie.path,
            domain=cookie.domain,
            secure=cookie.secure,
            httponly=cookie.httponly,
            samesite=cast(_SameSite, cookie.samesite.lower()),
        )


def with_cookies(
    headers: list[tuple[bytes, bytes]], cookies: Iterable[CookieWrite]
) -> list[tuple[bytes, bytes]]:
    """Raw ASGI response headers plus the ``set-cookie`` pairs of ``cookies`` (rendered by
    Starlette's cookie code) and, when there are any, the core's private-cache headers in
    place of the response's own ``cache-control`` and ``vary``."""
    cookies = tuple(cookies)
    if not cookies:
        return headers
    carrier = Response()
    carrier.headers["vary"] = ", ".join(
        value.decode("latin-1") for name, value in headers if name.lower() == b"vary"
    )
    apply_cookies(carrier, cookies)
    kept = [pair for pair in headers if pair[0].lower() not in (b"cache-control", b"vary")]
    added = [pair for pair in carrier.raw_headers if pair[0] != b"content-length"]
    return kept + added


def to_response(result: WebResponse) -> Response:
    """A Starlette response with the core's status, headers, body and cookies."""
    response = Response(result.body, status_code=result.status, headers=dict(result.headers))
    apply_cookies(response, result.cookies)
    return response
