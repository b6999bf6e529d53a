"""Django REST framework authentication (import only with ``djangorestframework`` installed).

::

    REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [
        "scalekit_django.drf.ScalekitAuthentication"]}

Bearer tokens and session cookies both work (``ScalekitMiddleware`` loads them);
``request.user`` is the linked Django user and ``request.auth`` the core ``User``. Session
users get DRF's CSRF check on unsafe methods, as with ``SessionAuthentication``.

Machine clients (client-credentials tokens) are never users: ``ScalekitAuthentication``
ignores them. List ``ScalekitMachineAuthentication`` on the views machines may call:
``request.user`` is then a :class:`MachineClient` (no Django user, no staff, no
permissions) and ``request.auth`` the core ``Machine``.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from scalekit_core.web import Machine, User

from .users import link_user

__all__ = ["MachineClient", "ScalekitAuthentication", "ScalekitMachineAuthentication"]


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


class MachineClient:
    """``request.user`` for a machine client: authenticated, but no Django user at all."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.client_id = machine.client_id

    def __str__(self) -> str:
        return self.client_id

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_perms(self, perms: object, obj: object = None) -> bool:
        return False


class ScalekitMachineAuthentication(BaseAuthentication):
    """``(MachineClient, machine)`` for a client-credentials bearer token, else ``None``
    (users are never authenticated by it)."""

    def authenticate(self, request: Request) -> tuple[MachineClient, Machine] | None:
        django_request = request._request
        if not hasattr(django_request, "scalekit"):
            raise ImproperlyConfigured(
                "ScalekitMachineAuthentication needs scalekit_django.middleware.ScalekitMiddleware"
            )
        machine = getattr(django_request, "scalekit_machine", None)
        if not isinstance(machine, Machine):
            return None
        return MachineClient(machine), machine

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
