"""Plain responses of the session layer: redirects, error pages, 401/403, and the one rule
that decides whether a request is a browser navigation or an API call."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from urllib.parse import urlencode

from .errors import PermissionDenied
from .requests import CookieWrite, WebRequest, WebResponse
from .return_to import safe_return_to
from .settings import SessionSettings

__all__ = [
    "error_page",
    "forbidden_response",
    "is_browser_navigation",
    "json_response",
    "private_cache_headers",
    "redirect",
    "store_unavailable_response",
    "unauthenticated_response",
]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
#: On redirects and error pages: their URL may hold a code, a state or a return-to, and the
#: page a redirect leads to must not learn it from ``Referer`` (a 302's policy carries over).
_NO_REFERRER = {"Referrer-Policy": "no-referrer"}


def private_cache_headers(vary: str | None = None) -> dict[str, str]:
    """Headers for any response that writes or deletes a cookie of the session layer.

    A shared cache must never store such a response and replay its ``Set-Cookie`` (someone
    else's session) to another visitor, whatever the view said (``public``, ``max-age``):
    ``Cache-Control`` is replaced, and ``Cookie`` is added to the response's ``vary``.

    >>> private_cache_headers("Accept-Encoding")["Vary"]
    'Accept-Encoding, Cookie'
    """
    values = [value.strip() for value in (vary or "").split(",") if value.strip()]
    if not any(value == "*" or value.lower() == "cookie" for value in values):
        values.append("Cookie")
    return {"Cache-Control": "private, no-store", "Vary": ", ".join(values)}


def is_browser_navigation(request: WebRequest) -> bool:
    """``True`` for a top-level page load (redirect to login); ``False`` for an API call (401).

    A navigation is a GET or HEAD that accepts ``text/html``, is not an XHR/fetch and carries
    no bearer token.
    """
    if request.method not in ("GET", "HEAD") or request.bearer_token is not None:
        return False
    if request.headers.get("x-requested-with", "").lower() == "xmlhttprequest":
        return False
    if request.headers.get("sec-fetch-mode", "navigate").lower() not in (
        "navigate",
        "nested-navigate",
    ):
        return False
    return "text/html" in request.headers.get("accept", "").lower()


def redirect(location: str, cookies: Iterable[CookieWrite] = ()) -> WebResponse:
    return WebResponse(302, {"Location": location, **_NO_STORE, **_NO_REFERRER}, "", tuple(cookies))


def json_response(
    status: int,
    body: object,
    headers: dict[str, str] | None = None,
    cookies: Iterable[CookieWrite] = (),
) -> WebResponse:
    return WebResponse(
        status,
        {"Content-Type": "application/json", **_NO_STORE, **(headers or {})},
        json.dumps(body, separators=(",", ":")),
        tuple(cookies),
    )


def error_page(
    status: int,
    title: str,
    message: str,
    cookies: Iterable[CookieWrite] = (),
    headers: dict[str, str] | None = None,
) -> WebResponse:
    """A minimal HTML page; every piece of text is escaped."""
    body = (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        '<p><a href="/">Back to the home page</a></p></body></html>'
    )
    return WebResponse(
        status,
        {
            "Content-Type": "text/html; charset=utf-8",
            **_NO_STORE,
            **_NO_REFERRER,
            **(headers or {}),
        },
        body,
        tuple(cookies),
        title,
        message,
    )


def login_url(settings: SessionSettings, return_to: str | None) -> str:
    path = settings.base_path + settings.login_path
    if return_to and return_to != "/":
        return f"{path}?{urlencode({'return_to': return_to})}"
    return path


def _html_form_post(request: WebRequest) -> bool:
    return (
        request.method == "POST"
        and request.bearer_token is None
        and "text/html" in request.headers.get("accept", "").lower()
    )


def unauthenticated_response(
    settings: SessionSettings,
    request: WebRequest,
    cookies: Iterable[CookieWrite] = (),
    *,
    api: bool = False,
) -> WebResponse:
    """302 to login (with a safe return-to) for a navigation, else 401 JSON.

    ``api=True`` marks an API endpoint: always 401 JSON, even for a browser navigation.
    """
    if not api and is_browser_navigation(request):
        return redirect(login_url(settings, safe_return_to(request.path_with_query)), cookies)
    challenge = 'Bearer realm="api"'
    if request.bearer_token is not None:
        challenge += ', error="invalid_token"'
    return json_response(
        401,
        {
            "error": "unauthenticated",
            "error_description": "sign-in or a valid bearer token is required",
        },
        {"WWW-Authenticate": challenge},
        cookies,
    )


def forbidden_response(
    request: WebRequest,
    reason: str | PermissionDenied,
    cookies: Iterable[CookieWrite] = (),
    *,
    api: bool = False,
) -> WebResponse:
    """403: an HTML page for a navigation or an HTML form post, JSON otherwise (and always
    JSON for an API endpoint, ``api=True``)."""
    if isinstance(reason, PermissionDenied):
        code, message = reason.reason, reason.message
    else:
        code, message = "forbidden", reason
    if not api and (is_browser_navigation(request) or _html_form_post(request)):
        return error_page(403, "Access denied", message, cookies)
    headers: dict[str, str] = {}
    if request.bearer_token is not None and code == "insufficient_scope":
        headers["WWW-Authenticate"] = 'Bearer realm="api", error="insufficient_scope"'
    return json_response(
        403, {"error": "forbidden", "reason": code, "error_description": message}, headers, cookies
    )


def store_unavailable_response(request: WebRequest) -> WebResponse:
    """503 when the session store is down: HTML for a browser, JSON for an API call.

    A navigation (the one rule above) or a form POST that accepts HTML (sign-out) gets the
    page. No cookie is touched, so the session works again as soon as the store is back.
    """
    message = "Sessions are temporarily unavailable. Please try again in a moment."
    headers = {"Retry-After": "5"}
    if is_browser_navigation(request) or _html_form_post(request):
        return error_page(503, "Service unavailable", message, headers=headers)
    return json_response(
        503, {"error": "session_store_unavailable", "error_description": message}, headers
    )
