"""Scalekit sign-in, sessions and the session API in a small Flask app.

``create_app(config)`` reads ``SCALEKIT_*``, ``APP_BASE_URL`` and ``PORT`` from the
environment; ``config`` overrides them (tests pass the emulator's settings this way). With no
``SCALEKIT_ENVIRONMENT_URL`` anywhere, the bundled emulator starts in the background.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from flask import Flask, jsonify, redirect, render_template
from flask.typing import ResponseReturnValue

from scalekit_core import NotFoundError, ScalekitError
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

scalekit = Scalekit()


def _settings(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """SCALEKIT_* from the environment, the sample's paths, then ``overrides``."""
    values: dict[str, Any] = {k: v for k, v in os.environ.items() if k.startswith("SCALEKIT_")}
    port = int(os.environ.get("PORT", "5000"))
    base_url = (
        overrides.get("APP_BASE_URL")
        or os.environ.get("APP_BASE_URL")
        or f"http://127.0.0.1:{port}"
    )
    values.update(
        SCALEKIT_APP_BASE_URL=base_url,
        SCALEKIT_LOGIN_PATH="/login",
        SCALEKIT_CALLBACK_PATH="/auth/callback",
        SCALEKIT_LOGOUT_PATH="/logout",
    )
    if os.environ.get("SECRET_KEY"):
        values["SECRET_KEY"] = os.environ["SECRET_KEY"]
    values.update(overrides)
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
        app.extensions["scalekit_emulator_server"] = start_unless_configured()
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
        try:
            page = scalekit.client.session.get_user_sessions(user_id=current_user.id, page_size=50)
            listed = page.sessions
        except ScalekitError as exc:
            log.warning("sessions unavailable: %s", type(exc).__name__)
        return render_template("sessions.html", sessions=listed, user=current_user)

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
            scalekit.client.session.revoke_session(session_id=session_id)
            # With a server-side store (Redis) its local session ends now, not at its next
            # refresh.
            scalekit.manager.end_scalekit_session(session_id)
        except NotFoundError:
            return refuse(404, "No such session.")
        except ScalekitError as exc:
            log.warning("revoke failed: %s", type(exc).__name__)
            return refuse(503, "Scalekit could not be reached. Please try again.")
        return redirect("/sessions", 303)

    @app.post("/sessions/revoke-all")
    @login_required
    def revoke_all_sessions() -> ResponseReturnValue:
        request = web_request()
        if not scalekit.manager.is_same_origin(request):
            return refuse(403, "Cross-site requests are refused.")
        try:
            scalekit.client.session.revoke_all_user_sessions(user_id=current_user.id)
            scalekit.manager.end_user_sessions(current_user.id)
        except ScalekitError as exc:
            log.warning("revoke-all failed: %s", type(exc).__name__)
            return refuse(503, "Scalekit could not be reached. Please try again.")
        return scalekit.render(scalekit.manager.logout(request))

    @app.get("/api/me")
    @api_login_required
    def me() -> ResponseReturnValue:
        return jsonify(current_user.to_dict())

    @app.get("/admin")
    @require_permission("organization:settings")
    def admin() -> str:
        return render_template("admin.html", user=current_user)

    return app
