"""Starlette request -> core ``WebRequest``; core ``WebResponse`` / ``CookieWrite`` -> Starlette."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Literal, cast

from starlette.requests import HTTPConnection, cookie_parser
from starlette.responses import Response

from scalekit_core.web import (
    CookieWrite,
    RequestCookies,
    RequestHeaders,
    WebRequest,
    WebResponse,
    join_values,
    private_headers,
)

__all__ = ["apply_cookies", "cookie_headers", "load_headers", "to_response", "web_request"]

_SameSite = Literal["lax", "strict", "none"]
_READ_FIRST = (b"cookie", b"authorization")


def web_request(connection: HTTPConnection) -> WebRequest:
    """The core's view of a Starlette request (or websocket) — plain values only.

    Headers are read as the core asks for them (a repeated one's values joined) and the
    cookies parsed by Starlette on first use: nothing is copied up front.
    """
    scope = connection.scope
    # ``request.url.path`` without building a URL (this runs on every request); the same
    # escaping Starlette applies, so a decoded ``?`` or ``#`` never reads as a query.
    path = scope["path"]
    if "?" in path or "#" in path or "\\" in path:
        path = path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    # The raw ASGI pairs (names lower-case, as Starlette's ``Headers`` reads them too).
    raw: list[tuple[bytes, bytes]] = scope["headers"]

    def lookup(name: str) -> str | None:
        key = name.encode("latin-1")
        return join_values(name, [value.decode("latin-1") for k, value in raw if k == key])

    # The two headers every load reads, in one pass; any other on demand.
    known: dict[str, str | None] = {"cookie": None, "authorization": None}
    for key, value in raw:
        if key in _READ_FIRST:
            name, text = key.decode("latin-1"), value.decode("latin-1")
            seen = known[name]
            known[name] = text if seen is None else join_values(name, (seen, text))
    cookie = known["cookie"] or ""
    return WebRequest(
        scope.get("method", "GET"),
        path,
        scope.get("query_string", b"").decode("latin-1"),
        # ``connection.headers.items()`` keeps repeated headers.
        RequestHeaders(lookup, lambda: connection.headers.items(), known),
        # Starlette's parser, as ``request.cookies`` runs it on each ``Cookie`` header.
        RequestCookies(partial(cookie_parser, cookie), cookie),
    )


def apply_cookies(response: Response, cookies: Iterable[CookieWrite]) -> None:
    """Apply each write with Starlette's own ``set_cookie`` (a deletion has ``max_age=0``)."""
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


def cookie_headers(cookies: Iterable[CookieWrite]) -> list[tuple[bytes, bytes]]:
    """Raw ``set-cookie`` header pairs, rendered by Starlette's cookie code."""
    carrier = Response()
    apply_cookies(carrier, cookies)
    return [(name, value) for name, value in carrier.raw_headers if name == b"set-cookie"]


def load_headers(
    headers: list[tuple[bytes, bytes]], cookies: Iterable[CookieWrite]
) -> list[tuple[bytes, bytes]]:
    """Raw ``headers`` of an app's response with the writes of ``load`` added, and the
    headers the core asks for with them (replacing the response's own ``Cache-Control``
    and ``Vary``)."""
    writes = tuple(cookies)
    extra = private_headers(
        writes,
        ", ".join(v.decode("latin-1") for n, v in headers if n.lower() == b"vary") or None,
    )
    if not extra:
        return headers
    replaced = {name.lower().encode("latin-1") for name in extra}
    kept = [(n, v) for n, v in headers if n.lower() not in replaced]
    added = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in extra.items()]
    return kept + added + cookie_headers(writes)


def to_response(result: WebResponse) -> Response:
    """A Starlette response with the core's status, headers, body and cookies."""
    response = Response(result.body, status_code=result.status, headers=dict(result.headers))
    apply_cookies(response, result.cookies)
    return response
