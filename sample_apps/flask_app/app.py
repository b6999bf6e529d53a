"""Scalekit sign-in, sessions and the session API in a small Flask app.

``create_app(config)`` reads ``SCALEKIT_*``, ``APP_BASE_URL`` and ``PORT`` from the
environment; ``config`` overrides them (tests pass the emulator's settings this way). With no
``SCALEKIT_ENVIRONMENT_URL`` anywhere, the bundled emulator starts in the background.
The app's own URL is ``APP_BASE_URL`` if set, else ``SCALEKIT_APP_BASE_URL`` if set, else
``http://127.0.0.1:<PORT>``.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from scalekit_core import NotFoundError, ScalekitError
from scalekit_core.web import WebResponse
from scalekit_emulator import start_unless_configured
from scalekit_flask import (
    Scalekit,
    api_login_required,
    current_user,
    login_required,
    require_permission,
    web_request,
)

log = logging.getLogger("flask_app")


def _core_error(web: WebResponse) -> ResponseReturnValue:
    """The core's HTML error pages (403, 400, 405, 503...) inside the sample's layout."""
    # The auth routes (GET /logout's 405, a failed callback) do not load the session, so
    # current_user is empty there; the cookie alone says a sign-out button belongs in the nav.
    has_session = scalekit.settings.session_cookie in request.cookies
    return (
        render_template(
            "error.html",
            status=web.status,
            title=web.title,
            message=web.message,
            has_session=has_session,
        ),
        web.status,
    )


scalekit = Scalekit(error_handler=_core_error)


def _base_url(overrides: Mapping[str, Any], port: int) -> str:
    # ``config`` replaces the environment as a whole, so the rule runs on it first.
    for source in (overrides, os.environ):
        for key in ("APP_BASE_URL", "SCALEKIT_APP_BASE_URL"):
            if source.get(key):
                return str(source[key])
    return f"http://127.0.0.1:{port}"


def _settings(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """SCALEKIT_* from the environment, the sample's paths, then ``overrides``."""
    values: dict[str, Any] = {k: v for k, v in os.environ.items() if k.startswith("SCALEKIT_")}
    values.update(
        SCALEKIT_LOGIN_PATH="/login",
        SCALEKIT_CALLBACK_PATH="/auth/callback",
        SCALEKIT_LOGOUT_PATH="/logout",
    )
    if os.environ.get("SECRET_KEY"):
        values["SECRET_KEY"] = os.environ["SECRET_KEY"]
    values.update(overrides)
    values["SCALEKIT_APP_BASE_URL"] = _base_url(overrides, int(os.environ.get("PORT", "5000")))
    if not values.get("SCALEKIT_COOKIE_SECRET") and not values.get("SECRET_KEY"):
        log.warning(
            "SCALEKIT_COOKIE_SECRET is not set: using a secret generated for this run "
            "(sessions end when the app restarts)"
        )
        values["SCALEKIT_COOKIE_SECRET"] = secrets.token_urlsafe(32)
    return values


def _when(value: float | datetime | None) -> str:
    if value is None:
        return "unknown"
    moment = (
        datetime.fromtimestamp(value, timezone.utc) if isinstance(value, (int, float)) else value
    )
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The sample app; ``config`` overrides settings read from the environment."""
    overrides = dict(config or {})
    app = Flask(__name__)
    if not overrides.get("SCALEKIT_ENVIRONMENT_URL"):
        # Offline by default: the bundled emulator, unless a real environment is configured.
        # It delivers its webhooks to this app, as a Scalekit environment would once the
        # endpoint is registered in its dashboard.
        base_url = _base_url(overrides, int(os.environ.get("PORT", "5000")))
        app.extensions["scalekit_emulator_server"] = start_unless_configured(
            webhook_url=base_url.rstrip("/") + "/auth/webhooks"
        )
    app.config.update(_settings(overrides))
    scalekit.init_app(app)
    app.add_template_filter(_when, "when")

    @app.get("/")
    def home() -> str:
        return render_template("home.html")

    @app.get("/dashboard")
    @login_required
    def dashboard() -> str:
        details = None
        if current_user.session_id:
            try:
                details = scalekit.client.session.get_session(session_id=current_user.session_id)
            except ScalekitError as exc:
                log.warning("session details unavailable: %s", type(exc).__name__)
        return render_template("dashboard.html", user=current_user, details=details)

    @app.get("/sessions")
    @login_required
    def sessions() -> str:
        listed = None
        sessions_api = scalekit.client.session
        try:
            page = sessions_api.get_user_sessions(
                user_id=current_user.id,
                page_size=50,
                filter=sessions_api.create_session_filter(status=["ACTIVE"]),
            )
            listed = page.sessions
        except ScalekitError as exc:
            log.warning("sessions unavailable: %s", type(exc).__name__)
        webhooks = scalekit.settings.webhook_secret is not None
        return render_template(
            "sessions.html", sessions=listed, user=current_user, webhooks=webhooks
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        # Flask's own 404/405 pages, in the layout too: the sign-out button is on every page.
        response = exc.get_response()  # keeps headers such as a 405's Allow
        response.set_data(
            render_template(
                "error.html", status=response.status_code, title=exc.name, message=exc.description
            )
        )
        return response

    def refuse(status: int, message: str) -> ResponseReturnValue:
        return render_template("error.html", status=status, message=message), status

    @app.post("/sessions/<session_id>/revoke")
    @login_required
    def revoke_session(session_id: str) -> ResponseReturnValue:
        if not scalekit.manager.is_same_origin(web_request()):
            return refuse(403, "Cross-site requests are refused.")
        try:
            target = scalekit.client.session.get_session(session_id=session_id)
            if target.user_id != current_user.id:
                return refuse(403, "You can only revoke your own sessions.")
            # Through the app's client: the app's own session of it ends at once too.
            scalekit.client.session.revoke_session(session_id=session_id)
        except NotFoundError:
            return refuse(404, "No such session.")
        except ScalekitError as exc:
            log.warning("revoke failed: %s", type(exc).__name__)
            return refuse(503, "Scalekit could not be reached. Please try again.")
        return redirect("/sessions", 303)

    @app.post("/sessions/revoke-all")
    @login_required
    def revoke_all_sessions() -> ResponseReturnValue:
        incoming = web_request()
        if not scalekit.manager.is_same_origin(incoming):
            return refuse(403, "Cross-site requests are refused.")
        try:
            scalekit.client.session.revoke_all_user_sessions(user_id=current_user.id)
        except ScalekitError as exc:
            log.warning("revoke-all failed: %s", type(exc).__name__)
            return refuse(503, "Scalekit could not be reached. Please try again.")
        return scalekit.render(scalekit.manager.logout(incoming))

    @app.get("/api/me")
    @api_login_required
    def me() -> ResponseReturnValue:
        return jsonify(current_user.to_dict())

    @app.get("/admin")
    @require_permission("organization:settings")
    def admin() -> str:
        return render_template("admin.html", user=current_user)

    return app
