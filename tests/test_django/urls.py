"""The sample app's routes plus the test views."""

from __future__ import annotations

from django.urls import path

from sample_apps.django_app.urls import urlpatterns as sample_urlpatterns

from . import views

urlpatterns = [
    *sample_urlpatterns,
    path("t/admins", views.admins_only),
    path("t/acme", views.acme_only),
    path("t/async-scoped", views.async_scoped),
    path("t/parentheses", views.with_parentheses),
    path("t/django-login-required", views.django_login_required),
    path("t/django-permission", views.DjangoPermissionView.as_view()),
    path("t/mixin", views.MixinView.as_view()),
    path("t/async-mixin", views.AsyncPermissionView.as_view()),
    path("t/drf", views.DRFMe.as_view()),
    path("t/django-logout", views.django_logout),
    path("t/async-django-logout", views.async_django_logout),
    path("t/whoami", views.whoami),
    path("t/recent", views.recent),
    path("t/async-recent", views.async_recent),
    path("t/recent-mixin", views.RecentMixinView.as_view()),
    path("t/broken", views.broken),
    path("t/async-broken", views.async_broken),
]
