"""Django for this folder: ``settings.configure`` at configure time, emulator-backed settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import AsyncClient, Client

from scalekit_emulator import EmulatorHandle


def pytest_configure(config: pytest.Config) -> None:
    import django
    from django.conf import settings

    from .settings import SETTINGS

    if not settings.configured:
        settings.configure(**SETTINGS)
        django.setup()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def scalekit(scalekit_emulator: EmulatorHandle, settings: Any) -> Iterator[EmulatorHandle]:
    """The emulator, with the Django settings pointing at it (``/login`` and ``/logout``)."""
    for name, value in scalekit_emulator.env().items():
        setattr(settings, name, value)
    settings.SCALEKIT_LOGIN_PATH = "/login"
    settings.SCALEKIT_LOGOUT_PATH = "/logout"
    yield scalekit_emulator
    from scalekit_django import conf

    conf.reset()


@pytest.fixture
async def async_scalekit(scalekit: EmulatorHandle) -> AsyncIterator[EmulatorHandle]:
    """``scalekit`` for async tests: closes this event loop's async client at the end."""
    from scalekit_django.conf import aclose_async_managers

    yield scalekit
    await aclose_async_managers()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


HTML = {"HTTP_ACCEPT": "text/html"}


def sign_in(
    client: Client, emu: EmulatorHandle, start: str = "/login", email: str = "alice@acme.test"
) -> Any:
    """Login through the app and the emulator; the callback's response."""
    started = client.get(start, **HTML)
    assert started.status_code == 302, started
    callback = emu.sign_in(started["Location"], email=email)
    return client.get(path_of(callback), **HTML)


async def asign_in(
    client: AsyncClient, emu: EmulatorHandle, start: str = "/login", email: str = "alice@acme.test"
) -> Any:
    started = await client.get(start, headers={"accept": "text/html"})
    assert started.status_code == 302, started
    callback = emu.sign_in(started["Location"], email=email)
    return await client.get(path_of(callback), headers={"accept": "text/html"})
