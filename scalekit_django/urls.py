"""``path("auth/", include("scalekit_django.urls"))``: ``scalekit:login``, ``scalekit:callback``,
``scalekit:logout`` and ``scalekit:switch-organization`` at ``login``, ``callback``, ``logout``
and ``switch-organization``.

Keep ``SCALEKIT_LOGIN_PATH`` / ``SCALEKIT_CALLBACK_PATH`` / ``SCALEKIT_LOGOUT_PATH`` equal to
where these end up (defaults ``/auth/login``, ``/auth/callback``, ``/auth/logout``).
"""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "scalekit"

urlpatterns = [
    path("login", views.login, name="login"),
    path("callback", views.callback, name="callback"),
    path("logout", views.logout, name="logout"),
    path("switch-organization", views.switch_organization, name="switch-organization"),
]
