"""Flask request -> ``WebRequest`` and ``WebResponse`` -> Flask response: the adapter's seam."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, request

from scalekit_core.web import CookieWrite, WebRequest, WebResponse, private_headers

__all__ = ["apply_cookies", "apply_load_cookies", "to_flask_response", "web_request"]


def web_request() -> WebRequest:
    """The current Flask request as the session layer sees it.

    >>> scalekit.manager.is_same_origin(web_request())  # doctest: +SKIP
    True
    """
    return WebRequest(
        request.method,
        request.path,
        request.query_string.decode("latin-1"),
        dict(request.headers.items()),
        request.cookies,
    )


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
