"""Class-based-view mixins, the Scalekit twins of Django's ``LoginRequiredMixin`` and
``PermissionRequiredMixin``; they work for sync and async views.

>>> class Reports(ScalekitPermissionRequiredMixin, TemplateView):  # doctest: +SKIP
...     scalekit_permissions = ("reports:read",)
...     template_name = "reports.html"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from .guards import check_request

__all__ = [
    "ScalekitLoginRequiredMixin",
    "ScalekitPermissionRequiredMixin",
    "ScalekitRecentLoginRequiredMixin",
]


class ScalekitPermissionRequiredMixin:
    """Requires ``scalekit_permissions``, ``scalekit_roles``, ``scalekit_scopes`` and
    ``scalekit_organization_id`` (each optional) before ``dispatch``; ``scalekit_max_age``
    (seconds) also asks for a recent sign-in."""

    scalekit_permissions: Sequence[str] = ()
    scalekit_roles: Sequence[str] = ()
    scalekit_scopes: Sequence[str] = ()
    scalekit_organization_id: str | None = None
    scalekit_max_age: int | None = None

    view_is_async: bool

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        denied = check_request(
            request,
            scopes=self.scalekit_scopes,
            permissions=self.scalekit_permissions,
            roles=self.scalekit_roles,
            organization_id=self.scalekit_organization_id,
            max_age=self.scalekit_max_age,
        )
        if denied is None:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        if getattr(self, "view_is_async", False):
            return _resolved(denied)
        return denied


class ScalekitLoginRequiredMixin(ScalekitPermissionRequiredMixin):
    """Requires a signed-in Scalekit user (302 to login for pages, 401 JSON for APIs)."""


async def _resolved(response: HttpResponseBase) -> HttpResponseBase:
    return response


class ScalekitRecentLoginRequiredMixin(ScalekitPermissionRequiredMixin):
    """Requires a Scalekit user who authenticated at most ``scalekit_max_age`` seconds ago
    (default 300): a browser goes through a forced sign-in and back, an API call gets 401
    ``insufficient_user_authentication``."""

    scalekit_max_age: int | None = 300
