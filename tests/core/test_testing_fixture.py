"""``session_cookies_fixture`` used as its docstring tells users to: assigned to a module-level
name (as in a ``conftest.py``), requested by a test, its cookies put on a test client."""

# No postponed annotations: FastAPI evaluates the endpoint's annotations, which use a local.

from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from scalekit_core.testing import session_cookies_fixture
from scalekit_core.web import SessionSettings
from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth, User

SECRET = "testing-kit-cookie-secret-" + "x" * 32
BASE = "http://127.0.0.1:8000"
JSON = {"Accept": "application/json"}
SETTINGS = SessionSettings(secrets=SECRET, base_url=BASE)

login_cookies = session_cookies_fixture(SETTINGS)
# Settings given lazily, for apps whose settings only exist once the app module is imported.
member_cookies = session_cookies_fixture(lambda: SETTINGS, name="member_cookies")


@pytest.fixture
def client(scalekit_emulator: EmulatorHandle) -> Iterator[TestClient]:
    env = {
        **scalekit_emulator.env(),
        "SCALEKIT_APP_BASE_URL": BASE,
        "SCALEKIT_COOKIE_SECRET": SECRET,
    }
    auth = ScalekitAuth.from_env(env)
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)

    @app.get("/admin")
    async def admin(
        user: Annotated[User, Depends(auth.require_role("admin"))],
    ) -> dict[str, Any]:
        return user.to_dict()

    with TestClient(app, base_url=BASE) as test_client:
        yield test_client


def test_login_cookies_sign_the_client_in(
    client: TestClient,
    login_cookies: Callable[..., dict[str, str]],
    scalekit_emulator: EmulatorHandle,
) -> None:
    assert client.get("/admin", headers=JSON).status_code == 401
    client.cookies.update(login_cookies(roles=["admin"], email="ada@acme.test"))
    r = client.get("/admin", headers=JSON)
    assert r.status_code == 200
    assert (r.json()["email"], r.json()["roles"]) == ("ada@acme.test", ["admin"])
    # Offline, as the docstring promises: the session needed nothing from Scalekit.
    assert scalekit_emulator.emulator.call_counts() == {}


def test_a_named_fixture_with_lazy_settings(
    client: TestClient, member_cookies: Callable[..., dict[str, str]]
) -> None:
    first, second = member_cookies(), member_cookies()
    assert first != second
    client.cookies.update(first)
    r = client.get("/admin", headers=JSON)
    assert r.status_code == 403 and r.json()["error"]
