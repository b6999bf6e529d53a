"""pytest plugin: one emulator server per test session, a fresh state for every test.

Fixtures:
- ``scalekit_emulator`` (function scope): an `EmulatorHandle`, state reset before the test.
- ``scalekit_emulator_server`` (session scope): the running `EmulatorServer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .handle import EmulatorHandle
    from .server import EmulatorServer


@pytest.fixture(scope="session")
def scalekit_emulator_server() -> Iterator[EmulatorServer]:
    # Imported lazily: projects that never use the fixture need not have the extra installed.
    from .emulator import Emulator
    from .server import EmulatorServer

    server = EmulatorServer(Emulator(enable_controls=True))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scalekit_emulator(scalekit_emulator_server: EmulatorServer) -> Iterator[EmulatorHandle]:
    from .handle import EmulatorHandle

    emulator = scalekit_emulator_server.emulator
    emulator.reset()
    yield EmulatorHandle(emulator, scalekit_emulator_server.url)
