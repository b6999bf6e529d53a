"""The sample's routes: the same paths as the Flask and FastAPI samples."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from scalekit_django import views as scalekit_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login", scalekit_views.login, name="login"),
    path("logout", scalekit_views.logout, name="logout"),
    path("auth/", include("scalekit_django.urls")),  # /auth/callback
    path("dashboard", views.dashboard, name="dashboard"),
    path("sessions", views.sessions, name="sessions"),
    path("sessions/revoke-all", views.revoke_all, name="revoke-all"),
    path("sessions/<str:session_id>/revoke", views.revoke, name="revoke"),
    path("api/me", views.api_me, name="api-me"),
    path("admin", views.admin_page, name="admin"),
    path("account", views.AccountView.as_view(), name="account"),
    path("django-admin/", admin.site.urls),  # see SCALEKIT_STAFF_ORGANIZATIONS in settings.py
]
