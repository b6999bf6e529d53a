"""``ScalekitMiddleware``: loads the session once per request, sync or async.

Place it after ``AuthenticationMiddleware``. It sets ``request.scalekit`` (the core ``User``
or ``None``) and, for a Scalekit user, ``request.user`` / ``request.auser`` (the linked
Django user, resolved lazily); it writes the session cookies (refresh, rolling expiry,
deletion) on every response, including the ones views build themselves. Under ASGI it
also answers the login, callback and logout routes with their async views. When the view
signed the user out with Django's own ``logout()`` (e.g. the admin's "Log out"), it ends the
Scalekit session on that response (see ``scalekit_django.signals``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject

from scalekit_core.web import AsyncSessionManager, LoadResult, SessionManager, User

from .conf import get_async_manager, get_manager
from .http import apply_load_cookies, forget_web_request, to_django_response, web_request
from .signals import SIGNED_OUT
from .users import alink_user, link_user
from .views import ASYNC_TWINS

__all__ = ["ScalekitMiddleware"]


def _attach(
    request: HttpRequest, result: LoadResult, manager: SessionManager | AsyncSessionManager
) -> None:
    target = cast(Any, request)
    target.scalekit = result.user
    # A client-credentials token: never ``request.user`` (no Django user is linked to it).
    target.scalekit_machine = result.machine
    target.scalekit_manager = manager
    # Why the request's session gave no user (revoked, expired...), if it did.
    target.scalekit_reason = result.reason
    user = result.user
    if user is not None:
        target.user = SimpleLazyObject(partial(link_user, user))
        target.auser = partial(_auser, target, user)
    elif not hasattr(request, "user"):
        target.user = AnonymousUser()


async def _auser(request: Any, user: User) -> AbstractBaseUser:
    cached = getattr(request, "_scalekit_auser", None)
    if cached is None:
        cached = request._scalekit_auser = await alink_user(user)
    return cast(AbstractBaseUser, cached)


class ScalekitMiddleware:
    """``MIDDLEWARE = [..., "scalekit_django.middleware.ScalekitMiddleware"]``."""

    sync_capable = True
    async_capable = True

    #: Only in async mode (set in ``__init__``): Django fits a middleware's ``process_view`` to
    #: the handler's mode, and a sync one would put the login views back in Django's thread.
    process_view: Callable[
        [HttpRequest, Callable[..., Any], tuple[Any, ...], dict[str, Any]],
        Awaitable[HttpResponseBase | None],
    ]

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
            self.process_view = self._async_twin

    async def _async_twin(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        """Under ASGI, the login, callback and logout routes run their async twins (the async
        client) instead of the sync views; ``CsrfViewMiddleware``'s check comes first."""
        twin = ASYNC_TWINS.get(view)
        return None if twin is None else await twin(request)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        manager = get_manager()
        result = manager.load(web_request(request))
        if result.response is not None:  # e.g. the session store is down: 503, no view
            return to_django_response(result.response, request)
        _attach(request, result, manager)
        response = cast(HttpResponseBase, self.get_response(request))
        if getattr(request, SIGNED_OUT, False):
            apply_load_cookies(response, manager.end_session(web_request(request)))
        elif result.cookies:
            apply_load_cookies(response, result.cookies_to_add(response.cookies.keys()))
        forget_web_request(request)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        manager = get_async_manager()
        result = await manager.load(web_request(request))
        if result.response is not None:  # e.g. the session store is down: 503, no view
            return to_django_response(result.response, request)
        _attach(request, result, manager)
        response = await cast(Awaitable[HttpResponseBase], self.get_response(request))
        if getattr(request, SIGNED_OUT, False):
            apply_load_cookies(response, await manager.end_session(web_request(request)))
        elif result.cookies:
            apply_load_cookies(response, result.cookies_to_add(response.cookies.keys()))
        forget_web_request(request)
        return response
