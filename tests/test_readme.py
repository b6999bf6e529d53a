"""Every Python block of the README runs as written: the Flask, FastAPI and Starlette ones as
real apps against the emulator, through a login and a logout; the others are executed (the
core's and the management API's against the emulator too). The Django blocks run in
``tests/test_django/test_readme_django.py``."""

from __future__ import annotations

import sys
import types
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import pytest

from scalekit_emulator import EmulatorHandle
from tests.readme_blocks import block, python_blocks
from tests.test_fastapi.conftest import asgi_client
from tests.test_fastapi.conftest import login as asgi_login
from tests.test_flask.conftest import login as flask_login

FLASK = "from flask import Flask"
FASTAPI = "from fastapi import Depends, FastAPI"
STARLETTE = "from starlette.applications import Starlette"
CORE = "from scalekit_core import ScalekitClient, AuthorizationUrlOptions"
MANAGEMENT = "from scalekit_core import CreateOrganization"
ADMIN = "from scalekit_core import CreateConnection"  # run in tests/core/test_admin_emulator.py
FIXTURE = "def test_login(scalekit_emulator):"
WEBHOOKS = "@scalekit.on_event("
DJANGO = ("# settings.py", "# urls.py", "# views.py")
COOKIE_SECRET = "readme-cookie-secret-" + "s" * 32


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def load(name: str, source: str) -> types.ModuleType:
    """``source`` as a real module (so decorators and type hints resolve as in a file)."""
    module = types.ModuleType(name)
    module.__file__ = f"<README {name}>"
    sys.modules[name] = module
    try:
        exec(compile(source, module.__file__, "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def test_every_python_block_is_run_by_a_test() -> None:
    markers = (FLASK, FASTAPI, STARLETTE, CORE, MANAGEMENT, ADMIN, FIXTURE, WEBHOOKS, *DJANGO)
    for text in python_blocks():
        compile(text, "<README>", "exec")
        assert any(marker in text for marker in markers), f"a README block no test runs:\n{text}"


def follow_logout(location: str) -> str:
    """The browser's part of a logout: the emulator ends the session and sends it back."""
    answer = httpx.get(location, follow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    return str(answer.headers["location"])


def test_flask_block(scalekit_emulator: EmulatorHandle) -> None:
    env = scalekit_emulator.env()
    source = (
        block(FLASK)
        .replace('"https://acme.scalekit.dev"', repr(env["SCALEKIT_ENVIRONMENT_URL"]))
        .replace('"skc_..."', repr(env["SCALEKIT_CLIENT_ID"]))
        .replace(
            'SCALEKIT_CLIENT_SECRET="..."',
            f"SCALEKIT_CLIENT_SECRET={env['SCALEKIT_CLIENT_SECRET']!r}",
        )
        .replace('"http://127.0.0.1:5000"', '"http://localhost"')
    )
    app = load("readme_flask", source).create_app()
    client = app.test_client()
    assert client.get("/").get_data(as_text=True) == "Hello, stranger"
    assert client.get("/api/me").status_code == 401
    assert (
        flask_login(client, scalekit_emulator, start="/auth/login?return_to=/dashboard")
        == "/dashboard"
    )
    assert client.get("/dashboard").get_data(as_text=True) == "Hello alice@acme.test"
    assert client.get("/api/me").get_json()["email"] == "alice@acme.test"
    assert client.get("/admin").status_code == 200
    out = client.post("/auth/logout", headers={"Origin": "http://localhost"})
    assert out.status_code == 302
    assert out.headers["Location"].startswith(scalekit_emulator.url), out.headers["Location"]
    back = follow_logout(out.headers["Location"])
    assert urlsplit(back).path == "/"
    assert client.get("/").get_data(as_text=True) == "Hello, stranger"


def test_webhooks_block(
    scalekit_emulator: EmulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    from flask import Flask

    from scalekit_emulator.webhooks import new_webhook_secret
    from tests.webhook_cases import event_body, signed

    secret = new_webhook_secret()
    module = load("readme_webhooks", block(WEBHOOKS))
    app = Flask("readme_webhooks")
    app.config.update(
        scalekit_emulator.env(),
        SCALEKIT_APP_BASE_URL="http://localhost",
        SCALEKIT_COOKIE_SECRET=COOKIE_SECRET,
        SCALEKIT_WEBHOOK_SECRET=secret,
    )
    module.scalekit.init_app(app)
    body = event_body("organization.created", {"id": "org_new"})
    answer = app.test_client().post("/auth/webhooks", data=body, headers=signed(secret, body))
    assert answer.status_code == 200
    assert "new organization org_new at 2024-01-15" in capsys.readouterr().out


async def asgi_walk(app: Any, emulator: EmulatorHandle, protected: str | None = None) -> None:
    async with asgi_client(app) as client:
        if protected is not None:
            anonymous = await client.get(protected, headers={"accept": "text/html"})
            assert anonymous.status_code == 302
        callback = await asgi_login(client, emulator)
        assert callback.status_code == 302, callback.text
        home = await client.get("/")
        assert home.status_code == 200 and "alice@acme.test" in home.text
        out = await client.post("/auth/logout", headers={"origin": "http://localhost"})
        assert out.status_code in (302, 303), out.text
        back = await anyio.to_thread.run_sync(follow_logout, out.headers["location"])
        assert urlsplit(back).path == "/"
        after = await client.get("/")
        assert after.status_code == 200 and "alice@acme.test" not in after.text


def asgi_env(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in emulator.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SCALEKIT_APP_BASE_URL", "http://localhost")
    monkeypatch.setenv("SCALEKIT_COOKIE_SECRET", COOKIE_SECRET)


@pytest.mark.anyio
async def test_fastapi_block(
    scalekit_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    asgi_env(scalekit_emulator, monkeypatch)
    module = load("readme_fastapi", block(FASTAPI))
    await asgi_walk(module.app, scalekit_emulator, protected="/dashboard")
    async with asgi_client(module.app) as client:
        await asgi_login(client, scalekit_emulator)
        assert (await client.get("/dashboard")).json() == {"email": "alice@acme.test"}
        assert (await client.get("/api/me")).json()["email"] == "alice@acme.test"
        assert (await client.get("/admin")).json() == {"area": "admin"}
        assert (await client.get("/reports")).status_code == 403  # no reports:read scope
    await module.auth.aclose()


@pytest.mark.anyio
async def test_starlette_block(
    scalekit_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    asgi_env(scalekit_emulator, monkeypatch)
    module = load("readme_starlette", block(STARLETTE))
    async with asgi_client(module.app) as client:
        assert (await client.get("/")).text == "anonymous"
    await asgi_walk(module.app, scalekit_emulator)
    await module.auth.aclose()


def test_core_and_management_blocks(
    scalekit_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in scalekit_emulator.env().items():
        monkeypatch.setenv(name, value)
    login_part, callback_part = block(CORE).split("# Callback:", 1)
    namespace: dict[str, Any] = {}
    exec(compile(login_part, "<README core>", "exec"), namespace)
    callback = scalekit_emulator.sign_in(namespace["request"].url, email="alice@acme.test")
    namespace["code"] = dict(part.split("=", 1) for part in urlsplit(callback).query.split("&"))[
        "code"
    ]
    exec(compile("# Callback:" + callback_part, "<README core>", "exec"), namespace)
    assert namespace["auth_result"].user["email"] == "alice@acme.test"
    assert namespace["tokens"].access_token
    user_id = namespace["auth_result"].user["id"]  # the README's placeholder "usr_…"
    management = block(MANAGEMENT).replace('"usr_…"', repr(user_id))
    exec(compile(management, "<README management>", "exec"), namespace)
    assert namespace["org"].display_name == "Acme Corp"
    namespace["scalekit_client"].close()


def test_fixture_block(scalekit_emulator: EmulatorHandle) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(block(FIXTURE), "<README fixture>", "exec"), namespace)
    namespace["test_login"](scalekit_emulator)
