"""The login, callback and logout views (paths of ``scalekit_django.urls``).

Each view is one core call: build the ``WebRequest``, call the manager, render its answer.
Under ASGI, ``ScalekitMiddleware`` answers these routes with their async twins (``alogin``,
``acallback``, ``alogout``, on the async client), so the callback's token exchange never
holds Django's thread for sync code; under WSGI the sync views run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from scalekit_core.web.webhook_endpoint import MAX_WEBHOOK_BYTES

from .conf import get_async_manager, get_manager
from .http import to_django_response, web_request
from .signals import scalekit_user_logged_in
from .users import pop_login

__all__ = [
    "ASYNC_TWINS",
    "acallback",
    "alogin",
    "alogout",
    "awebhooks",
    "callback",
    "login",
    "logout",
    "webhooks",
]


def _return_to(request: HttpRequest) -> str | None:
    """Django's ``next`` when the query has no ``return_to`` (the core reads that one and
    checks either the same way); the first value, as the core reads repeated parameters."""
    values = request.GET.getlist(REDIRECT_FIELD_NAME)
    return None if "return_to" in request.GET or not values else values[0]


def login(request: HttpRequest) -> HttpResponse:
    """302 to Scalekit; accepts ``return_to`` (or Django's ``next``, so that
    ``LOGIN_URL = "scalekit:login"`` serves Django's own ``login_required``),
    ``organization_id``, ``connection_id``, ``login_hint`` and IdP-initiated
    ``idp_initiated_login``."""
    web = get_manager().start_login(web_request(request), return_to=_return_to(request))
    return to_django_response(web, request)


async def alogin(request: HttpRequest) -> HttpResponse:
    """The async twin of :func:`login`."""
    manager = get_async_manager()
    web = await manager.start_login(web_request(request), return_to=_return_to(request))
    return to_django_response(web, request)


def callback(request: HttpRequest) -> HttpResponse:
    """The redirect URI: 302 to the return-to with the session, or a 400/503 page."""
    pop_login()
    response = to_django_response(get_manager().complete_login(web_request(request)), request)
    completed = pop_login()
    if completed is not None and response.status_code == 302:
        scalekit_user, user = completed
        scalekit_user_logged_in.send(
            sender=type(user), request=request, user=user, scalekit_user=scalekit_user
        )
    return response


async def acallback(request: HttpRequest) -> HttpResponse:
    """The async twin of :func:`callback` (receivers of the signal may be sync or async)."""
    pop_login()
    web = await get_async_manager().complete_login(web_request(request))
    response = to_django_response(web, request)
    completed = pop_login()
    if completed is not None and response.status_code == 302:
        scalekit_user, user = completed
        await scalekit_user_logged_in.asend(
            sender=type(user), request=request, user=user, scalekit_user=scalekit_user
        )
    return response


def logout(request: HttpRequest) -> HttpResponse:
    """POST only (405 otherwise), same-origin only (403): clears the session and goes to
    Scalekit's logout. ``CsrfViewMiddleware`` also applies: forms need ``{% csrf_token %}``."""
    return to_django_response(get_manager().logout(web_request(request)), request)


async def alogout(request: HttpRequest) -> HttpResponse:
    """The async twin of :func:`logout`."""
    return to_django_response(await get_async_manager().logout(web_request(request)), request)


@csrf_exempt  # Scalekit's deliveries are authenticated by their signature, not a CSRF token
def webhooks(request: HttpRequest) -> HttpResponse:
    """``POST``: a Scalekit webhook delivery (``SCALEKIT_WEBHOOK_SECRET``; 404 without it).
    Receivers of ``scalekit_webhook_received`` (or ``on_event``) get the verified event."""
    body = request.read(MAX_WEBHOOK_BYTES + 1)  # bounded: the core answers 413 past it
    return to_django_response(get_manager().handle_webhook(web_request(request), body), request)


async def awebhooks(request: HttpRequest) -> HttpResponse:
    """The async twin of :func:`webhooks`."""
    body = request.read(MAX_WEBHOOK_BYTES + 1)
    web = await get_async_manager().handle_webhook(web_request(request), body)
    return to_django_response(web, request)


#: The async twin of each view, which ``ScalekitMiddleware`` runs in its place under ASGI.
ASYNC_TWINS: dict[Callable[[HttpRequest], HttpResponse], Callable[..., Awaitable[HttpResponse]]]
ASYNC_TWINS = {login: alogin, callback: acallback, logout: alogout, webhooks: awebhooks}
