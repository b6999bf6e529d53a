"""Django request -> ``WebRequest`` and ``WebResponse`` -> ``HttpResponse`` (no decisions)."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Literal, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string

from scalekit_core.web import (
    CookieWrite,
    RequestCookies,
    WebRequest,
    WebResponse,
    environ_headers,
    private_headers,
)

from .signals import scalekit_auth_failed

__all__ = [
    "apply_cookies",
    "apply_load_cookies",
    "forget_web_request",
    "to_django_response",
    "web_request",
]

_CACHE_ATTRIBUTE = "_scalekit_web_request"


def web_request(request: HttpRequest) -> WebRequest:
    """The framework-neutral view of ``request``: headers read from ``META`` as the core asks
    for them (the server joined repeated ones) rather than through ``request.headers``,
    which copies them all; cookies parsed by Django on first use. Translated once per
    request (the middleware's and a guard's view are the same)."""
    translated: WebRequest | None = request.__dict__.get(_CACHE_ATTRIBUTE)
    if translated is None:
        meta = request.META
        translated = WebRequest(
            request.method or "GET",
            request.path,
            meta.get("QUERY_STRING", ""),
            environ_headers(meta, lambda: request.headers.items()),
            RequestCookies(lambda: request.COOKIES, meta.get("HTTP_COOKIE", "")),
        )
        request.__dict__[_CACHE_ATTRIBUTE] = translated
    return translated


def forget_web_request(request: HttpRequest) -> None:
    """Drop the translation once the response is built. A Django request is a reference
    cycle that only the garbage collector frees; the translation (its header and cookie
    readers) is freed at once instead of waiting in that cycle, a cost on every request."""
    request.__dict__.pop(_CACHE_ATTRIBUTE, None)


def apply_cookies(response: HttpResponseBase, cookies: Iterable[CookieWrite]) -> None:
    """Set each cookie with Django's ``set_cookie``."""
    for cookie in cookies:
        response.set_cookie(
            cookie.name,
            cookie.value,
            max_age=cookie.max_age,
            path=cookie.path,
            domain=cookie.domain,
            secure=cookie.secure,
            httponly=cookie.httponly,
            samesite=cast(Literal["Lax", "Strict", "None"], cookie.samesite),
        )


def apply_load_cookies(response: HttpResponseBase, cookies: Iterable[CookieWrite]) -> None:
    """Add the writes of ``load`` to a view's response, with the headers the core asks for
    (no shared cache may keep a response that writes the session)."""
    writes = tuple(cookies)
    if not writes:
        return
    apply_cookies(response, writes)
    for name, value in private_headers(writes, response.headers.get("Vary")).items():
        response.headers[name] = value


def to_django_response(result: WebResponse, request: HttpRequest | None = None) -> HttpResponse:
    """Render a core response; error pages use ``SCALEKIT_ERROR_TEMPLATE`` when set.

    The template gets ``status_code``, ``reason`` (the HTTP reason phrase), the core
    page's ``title`` and ``message`` (plain text; the template escapes them) and
    ``scalekit_reason`` (the machine-readable ``Reason`` value). Every response with a
    ``reason`` also sends ``scalekit_auth_failed``.
    """
    headers = dict(result.headers)
    body = result.body
    template = getattr(settings, "SCALEKIT_ERROR_TEMPLATE", None)
    if template and result.status >= 400 and "text/html" in headers.get("Content-Type", ""):
        body = render_to_string(
            template,
            {
                "status_code": result.status,
                "reason": HTTPStatus(result.status).phrase,
                "title": result.title,
                "message": result.message,
                "scalekit_reason": result.reason,
            },
            request,
        )
    response = HttpResponse(body, status=result.status, headers=headers)
    apply_cookies(response, result.cookies)
    if result.reason is not None and result.status != 200:
        scalekit_auth_failed.send(
            sender=WebResponse, request=request, reason=result.reason, status_code=result.status
        )
    return response
