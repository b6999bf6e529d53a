"""Plain responses of the session layer: redirects, error pages, 401/403, and the one rule
that decides whether a request is a browser navigation or an API call."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from urllib.parse import urlencode

from .errors import PermissionDenied
from .outcomes import Reason
from .requests import CookieWrite, WebRequest, WebResponse
from .return_to import safe_return_to
from .settings import SessionSettings

__all__ = [
    "PRIVATE_HEADERS",
    "error_page",
    "forbidden_response",
    "is_browser_navigation",
    "json_response",
    "private_headers",
    "redirect",
    "store_unavailable_response",
    "unauthenticated_response",
]

#: What a response that writes the layer's cookies must carry: no shared cache may keep it.
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Pragma": "no-cache"}
# The layer's own answers: never cached, and their URL (a callback's holds the code) never
# leaks to the next site through ``Referer``.
_NO_STORE = {**PRIVATE_HEADERS, "Vary": "Cookie", "Referrer-Policy": "no-referrer"}


def private_headers(cookies: Iterable[CookieWrite], vary: str | None = None) -> dict[str, str]:
    """The headers an adapter sets on a response that also carries ``cookies`` (the writes of
    ``load``, applied to the app's own response): ``{}`` when there are none, else
    ``Cache-Control: private, no-store`` (overriding a view's ``public``) and ``Vary`` with
    ``Cookie`` added to the response's current ``vary``.

    >>> private_headers([])
    {}
    >>> private_headers([CookieWrite("s", "v", 60)], "Accept")["Vary"]
    'Accept, Cookie'
    """
    if not any(True for _ in cookies):
        return {}
    names = [part.strip() for part in (vary or "").split(",") if part.strip()]
    if "*" not in names and "cookie" not in (name.lower() for name in names):
        names.append("Cookie")
    return {**PRIVATE_HEADERS, "Vary": ", ".join(names)}


def is_browser_navigation(request: WebRequest) -> bool:
    """``True`` for a top-level page load (redirect to login); ``False`` for an API call (401).

    A navigation is a GET or HEAD that accepts ``text/html``, is not an XHR/fetch and carries
    no bearer token.
    """
    if request.method not in ("GET", "HEAD") or request.presents_credentials:
        return False
    if request.headers.get("x-requested-with", "").lower() == "xmlhttprequest":
        return False
    if request.headers.get("sec-fetch-mode", "navigate").lower() not in (
        "navigate",
        "nested-navigate",
    ):
        return False
    return "text/html" in request.headers.get("accept", "").lower()


def redirect(
    location: str, cookies: Iterable[CookieWrite] = (), reason: str | None = None
) -> WebResponse:
    """302 to ``location``; ``reason`` when it sends the browser to sign in because of one."""
    headers = {"Location": location, **_NO_STORE}
    return WebResponse(302, headers, "", tuple(cookies), reason=reason)


def json_response(
    status: int,
    body: object,
    headers: dict[str, str] | None = None,
    cookies: Iterable[CookieWrite] = (),
) -> WebResponse:
    """``body`` as JSON; its ``reason`` field, if any, is the response's ``reason`` too."""
    reason = body.get("reason") if isinstance(body, dict) else None
    return WebResponse(
        status,
        {"Content-Type": "application/json", **_NO_STORE, **(headers or {})},
        json.dumps(body, separators=(",", ":")),
        tuple(cookies),
        reason=reason if isinstance(reason, str) else None,
    )


def error_page(
    status: int,
    title: str,
    message: str,
    cookies: Iterable[CookieWrite] = (),
    headers: dict[str, str] | None = None,
    *,
    link: tuple[str, str] = ("/", "Back to the home page"),
    reason: str | None = None,
) -> WebResponse:
    """A minimal HTML page; every piece of text is escaped. ``link`` is the way on
    (``(href, text)``): the home page by default. ``reason``: a ``Reason`` value."""
    href, text = link
    body = (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        f'<p><a href="{html.escape(href)}">{html.escape(text)}</a></p></body></html>'
    )
    return WebResponse(
        status,
        {"Content-Type": "text/html; charset=utf-8", **_NO_STORE, **(headers or {})},
        body,
        tuple(cookies),
        title,
        message,
        str(reason) if reason is not None else None,
    )


def login_url(settings: SessionSettings, return_to: str | None, max_age: int | None = None) -> str:
    """The login route, with a return-to; ``max_age`` asks for a forced, fresh sign-in."""
    path = settings.base_path + settings.login_path
    query: dict[str, str] = {}
    if return_to and return_to != "/":
        query["return_to"] = return_to
    if max_age is not None:
        query.update(prompt="login", max_age=str(max_age))
    return f"{path}?{urlencode(query)}" if query else path


def _html_form_post(request: WebRequest) -> bool:
    return (
        request.method == "POST"
        and not request.presents_credentials
        and "text/html" in request.headers.get("accept", "").lower()
    )


def unauthenticated_response(
    settings: SessionSettings,
    request: WebRequest,
    cookies: Iterable[CookieWrite] = (),
    *,
    api: bool = False,
    max_age: int | None = None,
    reason: Reason | None = None,
) -> WebResponse:
    """302 to login (with a safe return-to) for a navigation, else 401 JSON.

    ``api=True`` marks an API endpoint: always 401 JSON, even for a browser navigation.
    ``max_age`` (``require_recent_login``): the sign-in is too old, so a navigation goes
    through a forced sign-in (``prompt=login&max_age=...``) and an API call is told
    ``insufficient_user_authentication`` (RFC 9470). ``reason``: why the request has no
    user when that is known (e.g. ``SESSION_REVOKED``), else ``AUTHENTICATION_REQUIRED``
    (``INVALID_TOKEN`` for a bearer token, ``REAUTHENTICATION_REQUIRED`` with ``max_age``).
    """
    if max_age is not None:
        reason = Reason.REAUTHENTICATION_REQUIRED
    elif reason is None:
        presented = request.presents_credentials
        reason = Reason.INVALID_TOKEN if presented else Reason.AUTHENTICATION_REQUIRED
    if not api and is_browser_navigation(request):
        target = login_url(settings, safe_return_to(request.path_with_query), max_age)
        return redirect(target, cookies, reason.value)
    if max_age is not None:
        description = f"a sign-in within the last {max_age} seconds is required"
        return json_response(
            401,
            {
                "error": "insufficient_user_authentication",
                "reason": reason.value,
                "error_description": description,
                "max_age": max_age,
            },
            {
                "WWW-Authenticate": 'Bearer realm="api", error="insufficient_user_authentication"'
                f', error_description="{description}", max_age="{max_age}"'
            },
            cookies,
        )
    challenge = 'Bearer realm="api"'
    if request.presents_credentials:
        challenge += ', error="invalid_token"'
    return json_response(
        401,
        {
            "error": "unauthenticated",
            "reason": reason.value,
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
        code, message = Reason.FORBIDDEN.value, reason
    if not api and (is_browser_navigation(request) or _html_form_post(request)):
        return error_page(403, "Access denied", message, cookies, reason=code)
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
    reason = Reason.SESSION_STORE_UNAVAILABLE.value
    if is_browser_navigation(request) or _html_form_post(request):
        return error_page(503, "Service unavailable", message, headers=headers, reason=reason)
    return json_response(
        503, {"error": reason, "reason": reason, "error_description": message}, headers
    )
