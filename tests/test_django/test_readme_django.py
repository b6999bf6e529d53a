"""The README's Django blocks (settings.py, urls.py, views.py) as a real project on the
emulator: through a login, the sync and async views, the permission guard and a logout."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import pytest
from django.conf import settings as django_settings
from django.test import AsyncClient

from scalekit_django import conf
from scalekit_emulator import EmulatorHandle
from tests.readme_blocks import block, without_placeholders

from .conftest import asign_in

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

HTML = {"accept": "text/html"}


@pytest.fixture
def readme_project(tmp_path: Path) -> Iterator[Path]:
    """``readme_project/urls.py`` and ``views.py`` written from the README, importable."""
    package = tmp_path / "readme_project"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "urls.py").write_text(block("# urls.py"), encoding="utf-8")
    (package / "views.py").write_text(block("# views.py"), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    yield package
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.split(".")[0] == "readme_project"]:
        del sys.modules[name]


@pytest.fixture
async def readme_settings(
    scalekit_emulator: EmulatorHandle,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    readme_project: Path,
) -> AsyncIterator[dict[str, Any]]:
    for name, value in scalekit_emulator.env().items():
        monkeypatch.setenv(name, value)
    snippet: dict[str, Any] = {}
    exec(
        compile(without_placeholders(block("# settings.py")), "<README settings.py>", "exec"),
        snippet,
    )
    names = [name for name in snippet if name.isupper()]
    for name in names:
        if name not in ("INSTALLED_APPS", "MIDDLEWARE"):
            setattr(settings, name, snippet[name])
    settings.SCALEKIT_APP_BASE_URL = "http://localhost:8000"  # one the emulator accepts
    settings.ROOT_URLCONF = "readme_project.urls"
    conf.reset()
    yield snippet
    await conf.aclose_async_managers()
    conf.reset()


async def test_readme_settings_are_the_projects(readme_settings: dict[str, Any]) -> None:
    assert set(readme_settings["INSTALLED_APPS"]) <= set(django_settings.INSTALLED_APPS)
    ours = [m for m in django_settings.MIDDLEWARE if m in readme_settings["MIDDLEWARE"]]
    assert ours == readme_settings["MIDDLEWARE"]  # the same order


async def test_readme_django_project_signs_in_and_out(
    readme_settings: dict[str, Any], scalekit_emulator: EmulatorHandle
) -> None:
    client = AsyncClient()
    anonymous = await client.get("/dashboard/", headers=HTML)
    assert anonymous.status_code == 302
    assert (await client.get("/api/me")).status_code == 401
    done = await asign_in(client, scalekit_emulator, "/auth/login?return_to=/dashboard/")
    assert done.status_code == 302 and done["Location"] == "/dashboard/"
    page = await client.get("/dashboard/", headers=HTML)
    assert page.status_code == 200 and page.content.startswith(b"Hello alice@acme.test (")
    me = await client.get("/api/me")
    assert me.status_code == 200 and me.json()["email"] == "alice@acme.test"
    assert (await client.get("/admin-area/")).content == b"admin area"
    out = await client.post("/auth/logout", headers={"origin": "http://localhost:8000"})
    assert out.status_code == 302 and out["Location"].startswith(scalekit_emulator.url)
    back = await anyio.to_thread.run_sync(
        lambda: httpx.get(out["Location"], follow_redirects=False, timeout=10)
    )
    assert urlsplit(back.headers["location"]).path == "/"
    assert (await client.get("/api/me")).status_code == 401
