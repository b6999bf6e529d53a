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
    environ: MutableMapping[str, str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    webhook_url: str | None = None,
) -> EmulatorServer | None:
    """The running emulator when one was started, or ``None`` when Scalekit is configured.

    Uses ``port`` when it is free, else any free port. With ``webhook_url`` (the app's own
    webhook endpoint, e.g. ``http://127.0.0.1:5000/auth/webhooks``) the emulator delivers its
    session and user events there, signed with ``SCALEKIT_WEBHOOK_SECRET`` (generated and put
    in the environment when unset), as a Scalekit environment configured with that endpoint.
    """
    env = os.environ if environ is None else environ
    if env.get("SCALEKIT_ENVIRONMENT_URL"):
        return None
    try:
        server = EmulatorServer(host=host, port=port).start()
    except OSError:
        server = EmulatorServer(host=host, port=0).start()
    env.update(server.emulator.env())
    if webhook_url is not None:
        endpoint = server.emulator.webhooks.register(
            webhook_url, env.get("SCALEKIT_WEBHOOK_SECRET") or None
        )
        env["SCALEKIT_WEBHOOK_SECRET"] = endpoint.secret
    logger.warning(
        "SCALEKIT_ENVIRONMENT_URL is not set: using the bundled Scalekit emulator at %s "
        "(no account, no network). Sign in as alice@acme.test, bob@acme.test or carol@globex.test.",
        server.url,
    )
    return server
