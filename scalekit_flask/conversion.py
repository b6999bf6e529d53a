"""Flask request -> ``WebRequest`` and ``WebResponse`` -> Flask response: the adapter's seam."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from flask import Request, Response, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.sansio.http import parse_cookie

from scalekit_core.web import (
    CookieWrite,
    RequestCookies,
    WebRequest,
    WebResponse,
    environ_headers,
    private_headers,
)

if TYPE_CHECKING:
    from flask.ctx import _AppCtxGlobals

__all__ = [
    "apply_cookies",
    "apply_load_cookies",
    "request_globals",
    "to_flask_response",
    "translated",
    "web_request",
]

_G_KEY = "_scalekit_web_request"


def request_globals() -> _AppCtxGlobals:
    """``g`` itself, for the per-request hooks and guards: reading an attribute through the
    ``g`` proxy costs several times looking the object up once and reading it plainly."""
    return g._get_current_object()  # type: ignore[no-any-return]


def web_request() -> WebRequest:
    """The current Flask request as the session layer sees it, translated once per request:
    headers are read from the WSGI environ as the layer asks for them (the server joined
    repeated ones) and cookies parsed by Werkzeug on first use.

    >>> scalekit.manager.is_same_origin(web_request())  # doctest: +SKIP
    True
    """
    return translated(request._get_current_object())  # type: ignore[attr-defined]


def translated(current: Request) -> WebRequest:
    """:func:`web_request` for a request object at hand (no context-local lookup)."""
    # Kept in ``g`` beside the request it translates (``g`` may outlive a request: one inside
    # an app context already pushed shares that context's ``g``). Not in the environ: the
    # translation reads the environ, and Werkzeug's environ already refers to its request,
    # so the translation would join a reference cycle that only the garbage collector frees,
    # a cost on every request.
    ctx_g = request_globals()
    known: tuple[Request, WebRequest] | None = ctx_g.get(_G_KEY)
    if known is not None and known[0] is current:
        return known[1]
    environ = current.environ
    header = environ.get("HTTP_COOKIE", "")
    translated_ = WebRequest(
        current.method,
        current.path,
        current.query_string.decode("latin-1"),
        environ_headers(environ, lambda: current.headers.items()),
        # Werkzeug's own parser, as ``request.cookies`` runs it, on the raw header: that
        # property would first rebuild the header by walking every environ key.
        RequestCookies(lambda: _first_wins(_parsed_pairs(header)), header),
    )
    setattr(ctx_g, _G_KEY, (current, translated_))
    return translated_


class _Pairs(list[tuple[str, str]]):
    """What ``parse_cookie`` builds its result with here: the pairs as parsed, in order."""


def _parsed_pairs(header: str) -> _Pairs:
    return cast(_Pairs, parse_cookie(header, cast("type[MultiDict[str, str]]", _Pairs)))


def _first_wins(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The cookies by name, the first value of a repeated name winning, as Werkzeug's
    ``MultiDict`` answers ``request.cookies[name]`` (a plain dict builds faster)."""
    cookies: dict[str, str] = {}
    for name, value in pairs:
        if name not in cookies:
            cookies[name] = value
    return cookies


def apply_cookies(response: Response, cookies: Iterable[CookieWrite]) -> None:
    """Apply each write with Flask's own ``set_cookie`` (a deletion is ``max_age=0``)."""
    for cookie in cookies:
        response.set_cookie(
            cookie.name,
            cookie.value,
            max_age=cookie.max_age,
            path=cookie.path,
            domain=cookie.domain,
            secure=cookie.secure,
            httponly=cookie.httponly,
            samesite=cookie.samesite,
        )


def apply_load_cookies(response: Response, cookies: Iterable[CookieWrite]) -> None:
    """Add the writes of ``load`` to the app's own response, with the headers the core asks
    for (no shared cache may keep a response that writes the session)."""
    writes = tuple(cookies)
    apply_cookies(response, writes)
    for name, value in private_headers(writes, response.headers.get("Vary")).items():
        response.headers[name] = value


def to_flask_response(web: WebResponse) -> Response:
    """A Flask response with the status, headers, body and cookies of ``web``."""
    response = Response(web.body, status=web.status, headers=dict(web.headers))
    apply_cookies(response, web.cookies)
    return response
