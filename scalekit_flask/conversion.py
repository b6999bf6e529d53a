"""Flask request -> ``WebRequest`` and ``WebResponse`` -> Flask response: the adapter's seam."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, request
from werkzeug.sansio.http import parse_cookie

from scalekit_core.web import (
    CookieWrite,
    RequestCookies,
    WebRequest,
    WebResponse,
    environ_headers,
    private_headers,
)

__all__ = ["apply_cookies", "apply_load_cookies", "to_flask_response", "web_request"]

_ENVIRON_KEY = "scalekit.web_request"


def web_request() -> WebRequest:
    """The current Flask request as the session layer sees it, translated once per request:
    headers are read from the WSGI environ as the layer asks for them (the server joined
    repeated ones) and cookies parsed by Werkzeug on first use.

    >>> scalekit.manager.is_same_origin(web_request())  # doctest: +SKIP
    True
    """
    # Kept in the WSGI environ, which belongs to this request alone (``g`` may outlive it:
    # a request inside an app context that is already pushed shares that context's ``g``).
    current = request._get_current_object()  # type: ignore[attr-defined]
    environ = current.environ
    translated: WebRequest | None = environ.get(_ENVIRON_KEY)
    if translated is None:
        header = environ.get("HTTP_COOKIE", "")
        translated = WebRequest(
            current.method,
            current.path,
            current.query_string.decode("latin-1"),
            environ_headers(environ, lambda: current.headers.items()),
            # Werkzeug's own parser, as ``request.cookies`` runs it, on the raw header: that
            # property would first rebuild the header by walking every environ key.
            RequestCookies(lambda: parse_cookie(header, current.dict_storage_class), header),
        )
        environ[_ENVIRON_KEY] = translated
    return translated


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
