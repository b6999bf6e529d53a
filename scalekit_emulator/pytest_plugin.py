"""pytest plugin: one emulator server per test session, a fresh state for every test.

Fixtures:
- ``scalekit_emulator`` (function scope): an `EmulatorHandle`, state reset before the test.
- ``scalekit_emulator_server`` (session scope): the running `EmulatorServer`.

pytest loads this module in every project that installs the package, whatever its extras:
it imports nothing beyond pytest until a test asks for a fixture. The emulator's own
dependencies (Starlette, uvicorn) come with the ``[emulator]`` extra; a test that uses the
fixture without them fails with a message saying how to install them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .handle import EmulatorHandle
    from .server import EmulatorServer

INSTALL_HINT = 'pip install "scalekit-integrations[emulator]"'


@pytest.fixture(scope="session")
def scalekit_emulator_server() -> Iterator[EmulatorServer]:
    missing = None
    try:
        from .emulator import Emulator
        from .server import EmulatorServer
    except ModuleNotFoundError as error:
        missing = error.name
    if missing is not None:
        pytest.fail(
            f"The scalekit_emulator fixture needs the emulator's dependencies "
            f"(missing: {missing}). Install them with: {INSTALL_HINT}",
            pytrace=False,
        )

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
