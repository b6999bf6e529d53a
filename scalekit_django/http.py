"""Django request -> ``WebRequest`` and ``WebResponse`` -> ``HttpResponse`` (no decisions)."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Literal, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string

from scalekit_core.web import CookieWrite, WebRequest, WebResponse, private_headers

from .signals import scalekit_auth_failed

__all__ = ["apply_cookies", "apply_load_cookies", "to_django_response", "web_request"]


def web_request(request: HttpRequest) -> WebRequest:
    """The framework-neutral view of ``request``."""
    return WebRequest(
        request.method or "GET",
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.headers,
        request.COOKIES,
    )


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
