"""The test URLs plus a view that marks its response as publicly cacheable."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from .urls import urlpatterns as base_urlpatterns


def cached(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "cacheable", headers={"Cache-Control": "public, max-age=3600", "Vary": "Accept-Encoding"}
    )


urlpatterns = [*base_urlpatterns, path("cached", cached)]
