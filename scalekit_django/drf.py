"""Django REST framework authentication (import only with ``djangorestframework`` installed).

::

    REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [
        "scalekit_django.drf.ScalekitAuthentication"]}

Bearer tokens and session cookies both work (``ScalekitMiddleware`` loads them);
``request.user`` is the linked Django user and ``request.auth`` the core ``User``. Session
users get DRF's CSRF check on unsafe methods, as with ``SessionAuthentication``.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from scalekit_core.web import User

from .users import link_user

__all__ = ["ScalekitAuthentication"]


def _no_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse()  # never called: only the CSRF check of CsrfViewMiddleware is used


class ScalekitAuthentication(BaseAuthentication):
    """``(django_user, scalekit_user)`` for the request's Scalekit user, else ``None``."""

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, User] | None:
        django_request = request._request
        if not hasattr(django_request, "scalekit"):
            raise ImproperlyConfigured(
                "ScalekitAuthentication needs scalekit_django.middleware.ScalekitMiddleware"
            )
        user = django_request.scalekit
        if not isinstance(user, User):
            return None
        if not user.is_bearer:
            self._enforce_csrf(request)
        return link_user(user), user

    def authenticate_header(self, request: Request) -> str:
        # A challenge makes DRF answer 401 (not 403) to anonymous requests.
        return 'Bearer realm="api"'

    @staticmethod
    def _enforce_csrf(request: Request) -> None:
        check = CSRFCheck(_no_response)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
        if reason:
            raise PermissionDenied(f"CSRF Failed: {reason}")
