"""A local Scalekit environment (OAuth/OIDC + management API) for development and tests.

>>> from scalekit_emulator import Emulator, EmulatorServer
>>> with EmulatorServer(Emulator()) as server:  # doctest: +SKIP
...     print(server.emulator.env())

The names below are imported on first use, so that importing a submodule (the pytest plugin
loads ``scalekit_emulator.pytest_plugin`` in every project that installs the package) needs
none of the ``[emulator]`` extra's dependencies (Starlette, uvicorn).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .embedded import start_unless_configured
    from .emulator import Emulator, pkce_s256
    from .handle import EmulatorHandle, SignInFailed
    from .records import Lifetimes
    from .seed import CLIENT_ID, CLIENT_SECRET
    from .server import EmulatorServer

_WHERE = {
    "CLIENT_ID": ".seed",
    "CLIENT_SECRET": ".seed",
    "Emulator": ".emulator",
    "EmulatorHandle": ".handle",
    "EmulatorServer": ".server",
    "Lifetimes": ".records",
    "SignInFailed": ".handle",
    "create_app": ".app",
    "pkce_s256": ".emulator",
    "start_unless_configured": ".embedded",
}

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "Emulator",
    "EmulatorHandle",
    "EmulatorServer",
    "Lifetimes",
    "SignInFailed",
    "create_app",
    "pkce_s256",
    "start_unless_configured",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
