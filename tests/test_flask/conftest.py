"""Fixtures of the Flask tests: apps wired to the emulator, and a login through the test client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, abort, jsonify
from flask.testing import FlaskClient

from scalekit_emulator import EmulatorHandle
from scalekit_flask import (
    Scalekit,
    current_user,
    login_required,
    require_organization,
    require_permission,
    require_role,
    require_scope,
)

COOKIE_SECRET = "flask-test-cookie-secret-" + "x" * 32
BASE_URL = "http://localhost"
HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def config(scalekit_emulator: EmulatorHandle) -> dict[str, Any]:
    return {
        **scalekit_emulator.env(),
        "SCALEKIT_APP_BASE_URL": BASE_URL,
        "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
        "TESTING": True,
    }


def build_app(config: dict[str, Any], **options: Any) -> tuple[Flask, Scalekit]:
    """A small app with one route per guard."""
    app = Flask(__name__)
    app.config.update(config)
    scalekit = Scalekit(app, **options)

    @app.get("/")
    def home() -> str:
        return f"hello {current_user.email}" if current_user else "hello anonymous"

    @app.get("/private")
    @login_required
    def private() -> str:
        return f"private {current_user.email}"

    @app.get("/api/data")
    @login_required
    def api_data() -> Any:
        return jsonify(current_user.to_dict())

    @app.get("/admin")
    @require_permission("organization:settings")
    def admin() -> str:
        return "admin area"

    @app.get("/role")
    @require_role("admin")
    def role() -> str:
        return "admins only"

    @app.get("/scope")
    @require_scope("users:read")
    def scope() -> str:
        return "scoped"

    @app.get("/acme")
    @require_organization("org_acme")
    def acme() -> str:
        return "acme only"

    @app.get("/missing")
    def missing() -> str:
        abort(404)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    return app, scalekit


@pytest.fixture
def make_app(config: dict[str, Any]) -> Callable[..., tuple[Flask, Scalekit]]:
    def make(**options: Any) -> tuple[Flask, Scalekit]:
        return build_app(config, **options)

    return make


@pytest.fixture
def app(make_app: Callable[..., tuple[Flask, Scalekit]]) -> Flask:
    return make_app()[0]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start_login(client: FlaskClient, start: str = "/auth/login") -> str:
    """GET the login route; returns the emulator's authorize URL."""
    response = client.get(start, headers=HTML)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def finish_login(client: FlaskClient, callback_url: str) -> Any:
    return client.get(path_of(callback_url), headers=HTML)


def login(
    client: FlaskClient,
    emulator: EmulatorHandle,
    email: str = "alice@acme.test",
    start: str = "/auth/login",
) -> str:
    """A full login through the test client; returns where the callback redirects."""
    callback = emulator.sign_in(start_login(client, start), email=email)
    response = finish_login(client, callback)
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def set_cookie_names(response: Any) -> list[str]:
    return [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
