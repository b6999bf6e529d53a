"""Views that exercise the guards, mixins, Django's own auth helpers and DRF."""

from __future__ import annotations

from django.contrib.auth import alogout, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import View
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scalekit_django.decorators import (
    require_organization,
    require_recent_login,
    require_role,
    require_scope,
    scalekit_login_required,
)
from scalekit_django.mixins import (
    ScalekitLoginRequiredMixin,
    ScalekitPermissionRequiredMixin,
    ScalekitRecentLoginRequiredMixin,
)

#: The ``max_age`` of the step-up views.
RECENT_MAX_AGE = 30


@require_role("admin")
def admins_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("admins")


@require_organization("org_acme")
def acme_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("acme")


@require_scope("openid")
async def async_scoped(request: HttpRequest) -> JsonResponse:
    user = await request.auser()  # type: ignore[attr-defined]
    return JsonResponse({"username": user.get_username(), "is_staff": user.is_staff})


@scalekit_login_required()
def with_parentheses(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@login_required
def django_login_required(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"django:{request.user.get_username()}")


@require_recent_login(max_age=RECENT_MAX_AGE)
def recent(request: HttpRequest) -> HttpResponse:
    return HttpResponse("recent ok")


@require_recent_login(max_age=RECENT_MAX_AGE)
async def async_recent(request: HttpRequest) -> HttpResponse:
    return HttpResponse("async recent ok")


class RecentMixinView(ScalekitRecentLoginRequiredMixin, View):
    scalekit_max_age = RECENT_MAX_AGE

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("recent mixin ok")


class DjangoPermissionView(PermissionRequiredMixin, View):
    permission_required = "users:write"

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("may write users")


class MixinView(ScalekitLoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("mixin ok")


class AsyncPermissionView(ScalekitPermissionRequiredMixin, View):
    scalekit_permissions = ("users:write",)

    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("async mixin ok")


class DRFMe(APIView):
    def get(self, request: Request) -> Response:
        if request.user is None:
            return Response({"anonymous": True})
        return Response({"username": request.user.get_username(), "id": request.auth.id})

    def post(self, request: Request) -> Response:
        return self.get(request)


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in the view")


async def async_broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in the async view")


def django_logout(request: HttpRequest) -> HttpResponse:
    """Django's own ``logout()``, as any project's sign-out view calls it."""
    logout(request)
    return HttpResponse(f"signed out, scalekit={request.scalekit}")  # type: ignore[attr-defined]


async def async_django_logout(request: HttpRequest) -> HttpResponse:
    await alogout(request)
    user = await request.auser()
    return HttpResponse(f"signed out, user={user.is_authenticated}")


def whoami(request: HttpRequest) -> HttpResponse:
    """Who is signed in, in a response the view marks as publicly cacheable."""
    user = request.scalekit  # type: ignore[attr-defined]
    response = HttpResponse(f"signed in: {user.email if user else 'anonymous'}")
    response["Cache-Control"] = "public, max-age=600"
    response["Vary"] = "Accept"
    return response
