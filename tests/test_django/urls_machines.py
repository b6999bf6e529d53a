"""The test routes plus machine-only views (function views, async views and DRF)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scalekit_django.decorators import machine_required
from scalekit_django.drf import ScalekitAuthentication, ScalekitMachineAuthentication
from scalekit_django.guards import scalekit_machine

from .urls import urlpatterns as test_urlpatterns

MACHINE_SCOPE = "events:write"


@machine_required
def machine(request: HttpRequest) -> JsonResponse:
    client = scalekit_machine(request)
    assert client is not None
    return JsonResponse(client.to_dict())


@machine_required(scopes=[MACHINE_SCOPE])
async def async_events(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@machine_required(scopes=["admin:write"])
def admin_events(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


class DRFMachine(APIView):
    authentication_classes = [ScalekitMachineAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"client_id": request.auth.client_id, "is_staff": request.user.is_staff})


class DRFUser(APIView):
    authentication_classes = [ScalekitAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"id": request.auth.id})


urlpatterns = [
    *test_urlpatterns,
    path("t/machine", machine),
    path("t/async-events", async_events),
    path("t/admin-events", admin_events),
    path("t/drf-machine", DRFMachine.as_view()),
    path("t/drf-user", DRFUser.as_view()),
]
