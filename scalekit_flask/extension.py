"""The ``Scalekit`` Flask extension: configuration, auth routes, per-request session loading."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, has_app_context, request
from flask.typing import ResponseReturnValue

from scalekit_core import ConfigurationError, ScalekitClient, WebhookHandlers
from scalekit_core.web import (
    LoadResult,
    OnLogin,
    SessionManager,
    SessionSettings,
    WebResponse,
    settings_from_mapping,
)
from scalekit_core.web.webhook_endpoint import MAX_WEBHOOK_BYTES

from .conversion import (
    apply_cookies,
    apply_load_cookies,
    request_globals,
    to_flask_response,
    translated,
    web_request,
)

if TYPE_CHECKING:
    from scalekit_core.web import User

__all__ = ["EXTENSION_KEY", "ErrorPageRenderer", "Scalekit", "ScalekitState"]

#: Where ``init_app`` keeps the per-app state: ``app.extensions["scalekit"]``.
EXTENSION_KEY = "scalekit"
BLUEPRINT_NAME = "scalekit"

#: ``renderer(web_response)``: a branded page for the core's HTML error responses (400, 403,
#: 405, 503...). Return anything a Flask view may return; a plain 200 keeps the core's status.
ErrorPageRenderer = Callable[[WebResponse], ResponseReturnValue]


@dataclass(frozen=True)
class ScalekitState:
    """What one app holds in ``app.extensions["scalekit"]``."""

    extension: Scalekit
    client: ScalekitClient
    manager: SessionManager

    @property
    def settings(self) -> SessionSettings:
        return self.manager.settings


class Scalekit:
    """Scalekit single sign-on and sessions for a Flask app.

    Reads ``SCALEKIT_*`` keys from ``app.config`` (``ENVIRONMENT_URL``, ``CLIENT_ID``,
    ``CLIENT_SECRET``, ``APP_BASE_URL``, ``COOKIE_SECRET`` or the app's ``SECRET_KEY``, and
    optional ones such as ``LOGIN_PATH``), registers the login, callback and logout routes,
    loads the signed-in user before every request and writes session cookies on every
    response::

        scalekit = Scalekit()

        def create_app():
            app = Flask(__name__)
            app.config.from_prefixed_env()      # SCALEKIT_* from the environment
            scalekit.init_app(app)
            return app

    ``on_login(user, auth)`` runs after a successful login (create a local user; raise
    ``PermissionDenied`` to refuse). ``error_handler(web_response)`` renders branded error
    pages. ``client_options`` go to ``ScalekitClient`` (e.g. ``clock``), ``session_options``
    to ``SessionSettings`` (e.g. ``store=MemorySessionStore()``).

    ``SCALEKIT_WEBHOOK_SECRET`` mounts ``POST /auth/webhooks`` (``SCALEKIT_WEBHOOK_PATH``):
    Scalekit's logout, revocation and deprovisioning events end the sessions they name, and
    ``@scalekit.on_event("organization.created")`` functions receive the ``WebhookEvent``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        on_login: OnLogin | None = None,
        error_handler: ErrorPageRenderer | None = None,
        client_options: Mapping[str, Any] | None = None,
        session_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.on_login = on_login
        self.error_handler = error_handler
        self.client_options = dict(client_options or {})
        self.session_options = dict(session_options or {})
        #: Handlers of Scalekit webhook events: ``@scalekit.on_event("organization.created")``.
        self.webhook_handlers = WebhookHandlers()
        self.on_event = self.webhook_handlers.on_event
        self._app: Flask | None = None
        if app is not None:
            self.init_app(app)
            self._app = app

    def init_app(self, app: Flask) -> None:
        """Configure ``app``; ``ConfigurationError`` names every missing or malformed key."""
        if EXTENSION_KEY in app.extensions:
            raise ConfigurationError(
                f"Scalekit is already registered on the app {app.name!r}; call init_app once"
            )
        settings = settings_from_mapping(
            app.config, fallback_secret=app.secret_key, **self.session_options
        )
        client = ScalekitClient.from_config(settings.client, **self.client_options)
        weakref.finalize(app, client.close)
        manager = SessionManager(client, settings.session, on_login=self.on_login)
        manager.webhook_handlers = self.webhook_handlers
        app.extensions[EXTENSION_KEY] = ScalekitState(self, client, manager)
        app.register_blueprint(self._blueprint(settings.session))
        app.before_request(_load_user)
        app.after_request(_write_cookies)
        app.context_processor(_template_context)

    def _blueprint(self, settings: SessionSettings) -> Blueprint:
        blueprint = Blueprint(BLUEPRINT_NAME, __name__)
        blueprint.add_url_rule(settings.login_path, "login", _login, methods=["GET"])
        blueprint.add_url_rule(settings.callback_path, "callback", _callback, methods=["GET"])
        # GET reaches the core too, which answers 405 with its own page.
        blueprint.add_url_rule(settings.logout_path, "logout", _logout, methods=["GET", "POST"])
        if settings.webhook_secret is not None:  # SCALEKIT_WEBHOOK_SECRET turns it on
            blueprint.add_url_rule(settings.webhook_path, "webhooks", _webhook, methods=["POST"])
        blueprint.add_url_rule(
            settings.switch_organization_path,
            "switch_organization",
            _switch_organization,
            methods=["GET"],
        )
        return blueprint

    # --- per-app state, for the app of the current context ---

    def _state(self) -> ScalekitState:
        app = current_app if has_app_context() else self._app
        if app is None:
            raise RuntimeError("no Flask app: use Scalekit inside an app context")
        return state_of(app)

    @property
    def client(self) -> ScalekitClient:
        """The app's ``ScalekitClient`` (management API: ``scalekit.client.session...``)."""
        return self._state().client

    @property
    def manager(self) -> SessionManager:
        """The app's ``SessionManager`` (for ``logout``, ``is_same_origin``...)."""
        return self._state().manager

    @property
    def settings(self) -> SessionSettings:
        return self._state().settings

    def render(self, web: WebResponse) -> Response:
        """A Flask response for one of the core's responses (error pages through the hook).

        >>> return scalekit.render(scalekit.manager.logout(web_request()))  # doctest: +SKIP
        """
        return render(web)


def state_of(app: Flask) -> ScalekitState:
    """The ``ScalekitState`` of ``app`` (``RuntimeError`` when ``init_app`` was not called)."""
    state = app.extensions.get(EXTENSION_KEY)
    if not isinstance(state, ScalekitState):
        raise RuntimeError(f"Scalekit is not registered on the app {app.name!r}")
    return state


def current_state() -> ScalekitState:
    return state_of(current_app._get_current_object())  # type: ignore[attr-defined]


def render(web: WebResponse) -> Response:
    """``web`` as a Flask response; HTML error pages go through the app's ``error_handler``."""
    renderer = current_state().extension.error_handler
    content_type = web.headers.get("Content-Type", "")
    if renderer is None or web.status < 400 or not content_type.startswith("text/html"):
        return to_flask_response(web)
    response = current_app.make_response(renderer(web))
    if response.status_code == 200:
        response.status_code = web.status
    for name, value in web.headers.items():
        if name != "Content-Type":
            response.headers.setdefault(name, value)
    apply_cookies(response, web.cookies)
    return response


# --- hooks and views (they act on the app of the current request) ---


#: What a request to the auth routes gets: they read the session themselves.
_NOT_LOADED = LoadResult(None)


def _load_user() -> Response | None:
    # The objects behind Flask's context locals, looked up once: each proxy access costs.
    current = request._get_current_object()  # type: ignore[attr-defined]
    ctx_g = request_globals()
    # The auth routes read the session themselves; loading there could refresh for nothing.
    if current.blueprint == BLUEPRINT_NAME:
        result = _NOT_LOADED
    else:
        result = current_state().manager.load(translated(current))
    ctx_g.scalekit_user = result.user
    ctx_g.scalekit_machine = result.machine
    ctx_g._scalekit_load = result
    # Set when the request must not reach the view (e.g. the session store is down: 503).
    return render(result.response) if result.response is not None else None


def _write_cookies(response: Response) -> Response:
    result: LoadResult | None = request_globals().pop("_scalekit_load", None)
    if result is not None and result.cookies:
        own = (header.split("=", 1)[0].strip() for header in response.headers.getlist("Set-Cookie"))
        apply_load_cookies(response, result.cookies_to_add(own))
    return response


def _template_context() -> dict[str, User | None]:
    return {"current_user": request_globals().get("scalekit_user")}


def _login() -> Response:
    return render(current_state().manager.start_login(web_request()))


def _callback() -> Response:
    return render(current_state().manager.complete_login(web_request()))


def _logout() -> Response:
    return render(current_state().manager.logout(web_request()))


def _webhook() -> Response:
    body = request.stream.read(MAX_WEBHOOK_BYTES + 1)  # bounded: the core answers 413 past it
    return render(current_state().manager.handle_webhook(web_request(), body))


def _switch_organization() -> Response:
    return render(current_state().manager.switch_organization(web_request()))
