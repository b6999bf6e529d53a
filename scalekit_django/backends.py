"""``ScalekitBackend``: Django users from Scalekit identities, Scalekit permissions as perms.

``AUTHENTICATION_BACKENDS = ["scalekit_django.backends.ScalekitBackend",
"django.contrib.auth.backends.ModelBackend"]``: then ``user.has_perm("users:read")`` is true
when the Scalekit session grants ``users:read``, and ``PermissionRequiredMixin`` works.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest

from scalekit_core.web import User

from .users import link_user, scalekit_of

__all__ = ["ScalekitBackend"]


class ScalekitBackend(BaseBackend):
    """Authenticates ``scalekit_user=`` (the middleware does it) and answers permissions."""

    def authenticate(
        self, request: HttpRequest | None, scalekit_user: User | None = None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        return link_user(scalekit_user) if scalekit_user is not None else None

    async def aauthenticate(
        self, request: HttpRequest | None, scalekit_user: User | None = None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        return await sync_to_async(self.authenticate)(request, scalekit_user=scalekit_user)

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        user: AbstractBaseUser | None = get_user_model()._default_manager.filter(pk=user_id).first()
        return user

    def get_all_permissions(
        self, user_obj: AbstractBaseUser | AnonymousUser, obj: Model | None = None
    ) -> set[str]:
        user = scalekit_of(user_obj)
        if user is None or obj is not None or not user_obj.is_active:
            return set()
        return set(user.permissions)

    def has_perm(
        self, user_obj: AbstractBaseUser | AnonymousUser, perm: str, obj: Model | None = None
    ) -> bool:
        if perm in self.get_all_permissions(user_obj, obj):
            return True
        self._stop_for_unsaved(user_obj)
        return False

    def has_module_perms(self, user_obj: AbstractBaseUser | AnonymousUser, app_label: str) -> bool:
        prefix = app_label + "."
        if any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj)):
            return True
        self._stop_for_unsaved(user_obj)
        return False

    @staticmethod
    def _stop_for_unsaved(user_obj: AbstractBaseUser | AnonymousUser) -> None:
        # An unsaved user (SCALEKIT_CREATE_USERS = False) has no database permissions: stop
        # here instead of letting ModelBackend query relations of an unsaved instance.
        if scalekit_of(user_obj) is not None and user_obj.pk is None:
            raise PermissionDenied
