"""A local Scalekit environment (OAuth/OIDC + management API) for development and tests.

>>> from scalekit_emulator import Emulator, EmulatorServer
>>> with EmulatorServer(Emulator()) as server:  # doctest: +SKIP
...     print(server.emulator.env())
"""

from .app import create_app
from .embedded import start_unless_configured
from .emulator import Emulator, pkce_s256
from .handle import EmulatorHandle, SignInFailed
from .records import Lifetimes
from .seed import CLIENT_ID, CLIENT_SECRET
from .server import EmulatorServer

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
