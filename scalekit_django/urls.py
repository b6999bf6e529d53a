"""``path("auth/", include("scalekit_django.urls"))``: ``scalekit:login``, ``scalekit:callback``,
``scalekit:logout`` and ``scalekit:webhooks`` at ``login``, ``callback``, ``logout`` and
``webhooks`` (the last answers 404 until ``SCALEKIT_WEBHOOK_SECRET`` is set).

Keep ``SCALEKIT_LOGIN_PATH`` / ``SCALEKIT_CALLBACK_PATH`` / ``SCALEKIT_LOGOUT_PATH`` /
``SCALEKIT_WEBHOOK_PATH`` equal to where these end up (defaults ``/auth/login``,
``/auth/callback``, ``/auth/logout``, ``/auth/webhooks``).
"""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "scalekit"

urlpatterns = [
    path("login", views.login, name="login"),
    path("callback", views.callback, name="callback"),
    path("logout", views.logout, name="logout"),
    path("webhooks", views.webhooks, name="webhooks"),
]
