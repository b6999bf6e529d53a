"""Run the sample: ``python sample_apps/django_app/run.py`` (from any directory).

Starts the bundled emulator when SCALEKIT_ENVIRONMENT_URL is unset, migrates the SQLite
database, then serves the ASGI app with uvicorn on 127.0.0.1:$PORT (no reloader). Ctrl-C
(SIGINT) or SIGTERM stops the app and the emulator cleanly.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("sample_apps.django_app")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_apps.django_app.settings")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    import django
    import uvicorn
    from django.conf import settings
    from django.core.management import call_command

    from sample_apps.django_app import app_base_url
    from scalekit_core.logging import install_redacting_filter
    from scalekit_emulator import start_unless_configured

    # Before Django reads the settings: they take the emulator's SCALEKIT_* values from the
    # environment this call fills in.
    emulator = start_unless_configured(webhook_url=app_base_url() + "/auth/webhooks")
    # uvicorn re-raises the signal that stopped it once it has shut down: as KeyboardInterrupt
    # (SIGINT, and SIGTERM through this handler) it ends in the `except` below, not a traceback.
    signal.signal(signal.SIGTERM, _stop)

    class Announce(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                log.info("Open %s", settings.APP_BASE_URL)

    try:
        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        config = uvicorn.Config(
            "sample_apps.django_app.asgi:application",
            host="127.0.0.1",
            port=int(settings.PORT),
            log_level="info",
            lifespan="off",
        )
        install_redacting_filter()  # no code, state or token in the access log
        Announce(config).run()
    except KeyboardInterrupt:
        pass  # the signal that stopped uvicorn, re-raised once it had shut down
    finally:
        # Said however the server ended (a signal, or uvicorn returning on its own).
        log.info("stopping")
        if emulator is not None:
            emulator.stop()


if __name__ == "__main__":
    main()
