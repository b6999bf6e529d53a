"""Serve the FastAPI sample: ``.venv/bin/python sample_apps/fastapi_app/run.py`` (any cwd).

PORT (default 8000) and APP_BASE_URL (default http://127.0.0.1:PORT) pick the address; with
SCALEKIT_ENVIRONMENT_URL unset the bundled emulator runs alongside. Ctrl-C (SIGINT) and SIGTERM
stop everything, with exit status 0.
"""

import logging
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sample_apps import port_in_use_message
from sample_apps.fastapi_app.app import DEFAULT_PORT, create_app
from scalekit_core.logging import install_redacting_filter

log = logging.getLogger("sample_apps.fastapi_app")


class Server(uvicorn.Server):
    """uvicorn's server that says where to go once its socket listens."""

    def __init__(self, config: uvicorn.Config, base_url: str) -> None:
        super().__init__(config)
        self.base_url = base_url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            log.info("Open %s", self.base_url)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one line per emulator call
    # uvicorn shuts down gracefully on SIGINT and SIGTERM, then raises the signal again for the
    # handlers it replaced: this one makes SIGTERM, like SIGINT, the KeyboardInterrupt caught
    # below instead of an abrupt exit that skips stopping the emulator.
    signal.signal(signal.SIGTERM, _stop)
    port = int(os.environ.get("PORT") or DEFAULT_PORT)
    taken = port_in_use_message(port)
    if taken:
        log.error("%s", taken)
        sys.exit(1)
    emulator = None
    try:
        app = create_app()
        emulator = app.state.emulator
        base_url = app.state.auth.settings.session.base_url
        config = uvicorn.Config(app, host="127.0.0.1", port=port, reload=False)
        install_redacting_filter()  # no code, state or token in the access log
        Server(config, base_url).run()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        if emulator is not None:
            emulator.stop()


if __name__ == "__main__":
    main()
