"""Scalekit single sign-on and sessions for Flask.

>>> from flask import Flask
>>> from scalekit_flask import Scalekit, current_user, login_required
>>> app = Flask(__name__)
>>> app.config.update(
...     SCALEKIT_ENVIRONMENT_URL="https://acme.scalekit.dev",
...     SCALEKIT_CLIENT_ID="skc_123",
...     SCALEKIT_CLIENT_SECRET="secret",
...     SCALEKIT_APP_BASE_URL="http://localhost:5000",
...     SCALEKIT_COOKIE_SECRET="c" * 32,
... )
>>> scalekit = Scalekit(app)
>>> sorted(r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("scalekit."))
['/auth/callback', '/auth/login', '/auth/logout', '/auth/switch-organization']
"""

from .conversion import apply_cookies, to_flask_response, web_request
from .extension import EXTENSION_KEY, ErrorPageRenderer, Scalekit, ScalekitState, state_of
from .guards import (
    api_login_required,
    current_user,
    get_current_machine,
    get_current_user,
    login_required,
    machine_required,
    require_machine,
    require_organization,
    require_permission,
    require_recent_login,
    require_role,
    require_scope,
)

__all__ = [
    "EXTENSION_KEY",
    "ErrorPageRenderer",
    "Scalekit",
    "ScalekitState",
    "api_login_required",
    "apply_cookies",
    "current_user",
    "get_current_machine",
    "get_current_user",
    "login_required",
    "machine_required",
    "require_machine",
    "require_organization",
    "require_permission",
    "require_recent_login",
    "require_role",
    "require_scope",
    "state_of",
    "to_flask_response",
    "web_request",
]
