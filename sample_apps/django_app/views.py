"""The sample's pages. ``request.scalekit`` is the signed-in Scalekit user (or ``None``)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from scalekit_core import ScalekitError
from scalekit_core.web import User
from scalekit_django import views as scalekit_views
from scalekit_django.conf import get_client, get_manager
from scalekit_django.decorators import (
    api_login_required,
    require_permission,
    scalekit_login_required,
)

log = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    user = request.scalekit  # type: ignore[attr-defined]
    assert isinstance(user, User)  # the guards ran
    return user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "django_app/home.html")


@require_GET
@scalekit_login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    session = None
    if user.session_id:
        try:
            session = get_client().session.get_session(session_id=user.session_id)
        except (ScalekitError, ValueError) as exc:
            log.warning("session details unavailable: %s", type(exc).__name__)
    expires = datetime.fromtimestamp(user.expires_at, tz=timezone.utc) if user.expires_at else None
    return render(
        request,
        "django_app/dashboard.html",
        {
            "user": user,
            "roles": sorted(user.roles),
            "permissions": sorted(user.permissions),
            "session": session,
            "token_expires": expires,
        },
    )


@require_GET
@scalekit_login_required
def sessions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        sessions_api = get_client().session
        page = sessions_api.get_user_sessions(
            user_id=user.id,
            page_size=50,
            filter=sessions_api.create_session_filter(status=["ACTIVE"]),
        )
        listed = list(page.sessions)
    except (ScalekitError, ValueError) as exc:
        log.warning("sessions unavailable: %s", type(exc).__name__)
        listed = None
    webhooks = get_manager().settings.webhook_secret is not None
    context = {"user": user, "sessions": listed, "webhooks": webhooks}
    return render(request, "django_app/sessions.html", context)


@require_POST  # CsrfViewMiddleware checks the token and origin
@scalekit_login_required
def revoke(request: HttpRequest, session_id: str) -> HttpResponse:
    user = _user(request)
    client = get_client()
    try:
        target = client.session.get_session(session_id=session_id)
    except (ScalekitError, ValueError):
        target = None
    if target is None or target.user_id != user.id:
        return render(
            request,
            "django_app/error.html",
            {"status_code": 403, "message": "You can only revoke your own sessions."},
            status=403,
        )
    try:
        # Through the app's client: the app's own session of it ends at once too.
        client.session.revoke_session(session_id=session_id)
    except ScalekitError as exc:
        log.warning("revoke failed: %s", type(exc).__name__)
        return render(
            request,
            "django_app/error.html",
            {"status_code": 503, "message": "Scalekit is unavailable; try again."},
            status=503,
        )
    return redirect("/sessions")


@require_POST
@scalekit_login_required
def revoke_all(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        get_client().session.revoke_all_user_sessions(user_id=user.id)
    except ScalekitError as exc:
        log.warning("revoke-all failed: %s", type(exc).__name__)
        return render(
            request,
            "django_app/error.html",
            {"status_code": 503, "message": "Scalekit is unavailable; try again."},
            status=503,
        )
    return scalekit_views.logout(request)  # and end this browser's session too


@api_login_required
async def api_me(request: HttpRequest) -> JsonResponse:
    """An async view: bearer tokens and sessions alike; 401 JSON when anonymous."""
    return JsonResponse(_user(request).to_dict())


@require_GET
@require_permission("organization:settings")
def admin_page(request: HttpRequest) -> HttpResponse:
    return render(request, "django_app/admin.html", {"user": _user(request)})
