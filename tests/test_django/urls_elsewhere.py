"""A URLconf that mounts ``scalekit_django.urls`` under ``sso/``, not at the default paths."""

from __future__ import annotations

from django.urls import include, path

from sample_apps.django_app import views

urlpatterns = [
    path("sso/", include("scalekit_django.urls")),
    path("auth/callback", views.home),  # the default callback path, taken by another view
]
