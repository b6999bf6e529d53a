"""Start the emulator inside an app's process when no Scalekit environment is configured.

Sample apps (and your own during development) call :func:`start_unless_configured` at
start-up: with ``SCALEKIT_ENVIRONMENT_URL`` set it does nothing; without it the emulator runs
in a background thread and its three ``SCALEKIT_*`` variables are put in the environment.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping

from .server import EmulatorServer

__all__ = ["start_unless_configured"]

logger = logging.getLogger("scalekit_emulator")


def start_unless_configured(
    environ: MutableMapping[str, str] | None = None, *, host: str = "127.0.0.1", port: int = 8765
) -> EmulatorServer | None:
    """The running emulator when one was started, or ``None`` when Scalekit is configured.

    Uses ``port`` when it is free, else any free port.
    """
    env = os.environ if environ is None else environ
    if env.get("SCALEKIT_ENVIRONMENT_URL"):
        return None
    try:
        server = EmulatorServer(host=host, port=port).start()
    except OSError:
        server = EmulatorServer(host=host, port=0).start()
    env.update(server.emulator.env())
    logger.warning(
        "SCALEKIT_ENVIRONMENT_URL is not set: using the bundled Scalekit emulator at %s "
        "(no account, no network). Sign in as alice@acme.test, bob@acme.test or carol@globex.test.",
        server.url,
    )
    return server
