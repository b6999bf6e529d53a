"""The FastAPI sample app: sign in with Scalekit, see your session, manage your sessions.

Create it with ``create_app()``; ``run.py`` serves it with uvicorn.
"""

# No postponed annotations: FastAPI evaluates the endpoints' annotations, which use locals.

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from html import escape
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from scalekit_core import ScalekitError
from scalekit_core.web import WebResponse
from scalekit_fastapi import STATE_KEY, PermissionDenied, ScalekitAuth, User, web_request

if TYPE_CHECKING:
    from scalekit_emulator import EmulatorServer

log = logging.getLogger("sample_apps.fastapi_app")

DEFAULT_PORT = 8000


def start_emulator(env: dict[str, str]) -> "EmulatorServer | None":
    """The bundled emulator, started (and its settings put in ``env``) when
    ``SCALEKIT_ENVIRONMENT_URL`` is unset."""
    if env.get("SCALEKIT_ENVIRONMENT_URL"):
        return None
    # Imported here: an app configured for a real Scalekit environment needs no emulator.
    from scalekit_emulator import start_unless_configured

    # The emulator delivers its webhooks to this app, as a Scalekit environment would once
    # the endpoint is registered in its dashboard.
    webhook_url = env["SCALEKIT_APP_BASE_URL"].rstrip("/") + "/auth/webhooks"
    return start_unless_configured(env, webhook_url=webhook_url)


def settings_environ(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``SCALEKIT_*`` values of this app: the environment plus the sample's defaults.

    The app's own URL is ``APP_BASE_URL`` if set, else ``SCALEKIT_APP_BASE_URL`` if set, else
    ``http://127.0.0.1:<PORT>``.
    """
    env = dict(os.environ if environ is None else environ)
    port = int(env.get("PORT") or DEFAULT_PORT)
    env["SCALEKIT_APP_BASE_URL"] = (
        env.get("APP_BASE_URL") or env.get("SCALEKIT_APP_BASE_URL") or f"http://127.0.0.1:{port}"
    )
    if not env.get("SCALEKIT_COOKIE_SECRET"):
        log.warning("SCALEKIT_COOKIE_SECRET is not set: sessions last only as long as this run")
        env["SCALEKIT_COOKIE_SECRET"] = secrets.token_urlsafe(32)
    env.setdefault("SCALEKIT_LOGIN_PATH", "/login")
    env.setdefault("SCALEKIT_LOGOUT_PATH", "/logout")
    return env


def when(value: datetime | float | None) -> str:
    if value is None:
        return "unknown"
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, tz=timezone.utc)
    return value.strftime("%Y-%m-%d %H:%M:%S %Z")


def page(title: str, user: User | None, body: str, status_code: int = 200) -> HTMLResponse:
    """The layout: every value in ``body`` is escaped by its caller."""
    account = (
        f"Signed in as <strong>{escape(user.email or user.id)}</strong> "
        '<form method="post" action="/logout" style="display:inline">'
        '<button type="submit">Sign out</button></form>'
        if user
        else '<a href="/login">Sign in</a>'
    )
    return HTMLResponse(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}}
nav a{{margin-right:1rem}} td,th{{padding:.25rem .75rem;text-align:left}}</style></head><body>
<nav><a href="/">Home</a><a href="/dashboard">Dashboard</a><a href="/sessions">Sessions</a>
<a href="/admin">Admin</a><a href="/api/me">/api/me</a><a href="/docs">API docs</a>
<span>{account}</span></nav><h1>{escape(title)}</h1>{body}</body></html>""",
        status_code=status_code,
    )


def request_user(request: Request) -> User | None:
    # Not ``auth.user``: a 503 for a session store that is down comes before any user is loaded.
    state: dict[str, Any] = request.scope.get("state") or {}
    user: User | None = state.get(STATE_KEY)
    return user


def error_page(request: Request, result: WebResponse) -> HTMLResponse:
    """The core's HTML errors (403, a failed callback, 405, 503) inside the sample's layout."""
    message = f"<p>{escape(result.message)}</p>"
    response = page(result.title or "Error", request_user(request), message, result.status)
    # The core's Allow, Retry-After and no-store, not its Content-Type.
    response.headers.update(
        {k: v for k, v in result.headers.items() if k.lower() != "content-type"}
    )
    return response


def listing(items: Mapping[str, object]) -> str:
    rows = "".join(
        f"<tr><th>{escape(name)}</th><td>{escape(str(value))}</td></tr>"
        for name, value in items.items()
    )
    return f"<table>{rows}</table>"


def create_app(environ: Mapping[str, str] | None = None) -> FastAPI:
    env = settings_environ(environ)
    emulator = start_emulator(env)
    auth = ScalekitAuth.from_env(env, render_error=error_page)
    scalekit = auth.client
    # /docs with Swagger UI served from the fastapi-offline package, not a CDN: no network.
    app = FastAPIOffline(title="Scalekit FastAPI sample", lifespan=auth.lifespan)
    auth.install(app)
    app.state.auth = auth
    # For run.py to stop; under ``uvicorn --workers`` it ends with its worker process.
    app.state.emulator = emulator

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        """FastAPI's own 404/405 in the layout for browsers; JSON clients keep its JSON."""
        if "text/html" not in request.headers.get("accept", ""):
            return await http_exception_handler(request, exc)
        response = page(str(exc.detail), request_user(request), "", exc.status_code)
        response.headers.update(exc.headers or {})
        return response

    CurrentUser = Annotated[User, Depends(auth.require_user)]

    def same_origin_only(request: Request) -> None:
        if not auth.manager.is_same_origin(request=web_request(request)):
            raise PermissionDenied("forbidden", "Cross-site requests are refused.")

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        # The user the middleware loaded, without a security dependency: the public page is
        # not marked as secured in the OpenAPI schema.
        user = request_user(request)
        if user is None:
            body = (
                '<p>You are not signed in. <a href="/login">Sign in</a> to see your dashboard.</p>'
            )
        else:
            body = f"<p>Welcome back, {escape(user.name or user.email or user.id)}.</p>"
        return page("Scalekit + FastAPI", user, body)

    @app.get("/dashboard", response_class=HTMLResponse)
    async def dashboard(user: CurrentUser) -> HTMLResponse:
        profile = listing(
            {
                "Name": user.name or "",
                "Email": user.email or "",
                "Organization": user.organization_id or "",
                "Roles": ", ".join(sorted(user.roles)) or "none",
                "Permissions": ", ".join(sorted(user.permissions)) or "none",
                "Access token expires": when(user.expires_at),
            }
        )
        try:
            if not user.session_id:
                raise LookupError("no session id")
            session = await scalekit.session.get_session(session_id=user.session_id)
        except (ScalekitError, LookupError) as exc:
            log.info("session details unavailable: %s", type(exc).__name__)
            details = "<p>Session details: unavailable</p>"
        else:
            device = session.device
            details = listing(
                {
                    "Session": session.session_id,
                    "Status": session.status or "unknown",
                    "Created": when(session.created_at),
                    "Last active": when(session.last_active_at),
                    "Idle expiry": when(session.idle_expires_at),
                    "Device": " ".join(part for part in (device.browser, device.os) if part)
                    if device
                    else "unknown",
                }
            )
        return page("Dashboard", user, f"{profile}<h2>Scalekit session</h2>{details}")

    @app.get("/sessions", response_class=HTMLResponse)
    async def sessions(user: CurrentUser) -> HTMLResponse:
        try:
            found = await scalekit.session.get_user_sessions(
                user_id=user.id,
                page_size=50,
                filter=scalekit.session.create_session_filter(status=["ACTIVE"]),
            )
        except ScalekitError as exc:
            log.info("sessions unavailable: %s", type(exc).__name__)
            return page("Your sessions", user, "<p>Your sessions are unavailable right now.</p>")
        rows = []
        for item in found.sessions:
            sid = escape(item.session_id)
            current = " (this session)" if item.session_id == user.session_id else ""
            revoke = (
                f'<form method="post" action="/sessions/{sid}/revoke">'
                '<button type="submit">Revoke</button></form>'
                if item.status == "active"
                else ""
            )
            rows.append(
                f"<tr><td>{sid}{current}</td><td>{escape(item.status or '')}</td>"
                f"<td>{escape(when(item.created_at))}</td>"
                f"<td>{escape(when(item.last_active_at))}</td><td>{revoke}</td></tr>"
            )
        body = (
            "<table><tr><th>Session</th><th>Status</th><th>Created</th><th>Last active</th>"
            f"<th></th></tr>{''.join(rows)}</table>"
            '<form method="post" action="/sessions/revoke-all">'
            '<button type="submit">Sign out everywhere</button></form>'
            '<p class="how">Revoke and "Sign out everywhere" end that browser\'s session on its '
            "very next request: this app records each ending itself. "
            + (
                "Scalekit's webhooks (POST /auth/webhooks) report the sessions ended anywhere "
                "else (its dashboard, its API, a deprovisioned user).</p>"
                if auth.settings.session.webhook_secret
                else "Webhooks are off (no SCALEKIT_WEBHOOK_SECRET): sessions ended outside "
                "this app last until their next token refresh.</p>"
            )
        )
        return page("Your sessions", user, body)

    @app.post("/sessions/revoke-all")
    async def revoke_all(request: Request, user: CurrentUser) -> Response:
        same_origin_only(request)
        try:
            await scalekit.session.revoke_all_user_sessions(user_id=user.id)
        except ScalekitError as exc:
            log.warning("revoke-all failed: %s", type(exc).__name__)
            return page("Your sessions", user, "<p>Could not sign out everywhere.</p>", 503)
        return await auth.render(request, await auth.manager.logout(web_request(request)))

    @app.post("/sessions/{session_id}/revoke")
    async def revoke(request: Request, session_id: str, user: CurrentUser) -> Response:
        same_origin_only(request)
        try:
            session = await scalekit.session.get_session(session_id=session_id)
            if session.user_id != user.id:
                raise PermissionDenied("forbidden", "You can only revoke your own sessions.")
            # Through the app's client: the app's own session of it ends at once too.
            await scalekit.session.revoke_session(session_id=session_id)
        except PermissionDenied:
            raise
        except ScalekitError as exc:
            log.warning("revoke failed: %s", type(exc).__name__)
            return page("Your sessions", user, "<p>Could not revoke that session.</p>", 503)
        return RedirectResponse("/sessions", status_code=303)

    @app.get("/api/me")
    async def api_me(user: Annotated[User, Depends(auth.require_api_user)]) -> dict[str, Any]:
        """401 JSON when anonymous (never a redirect); session cookies and bearer tokens."""
        return user.to_dict()

    @app.get("/admin", response_class=HTMLResponse)
    async def admin(
        user: Annotated[User, Depends(auth.require_permission("organization:settings"))],
    ) -> HTMLResponse:
        body = f"<p>You manage the settings of {escape(user.organization_id or 'your organization')}.</p>"
        return page("Admin", user, body)

    return app
