"""Serve the Flask sample on 127.0.0.1:$PORT (default 5000): ``.venv/bin/python sample_apps/flask_app/run.py``.

Foreground, threaded, no reloader; stops cleanly on Ctrl-C (SIGINT) and SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

# Runnable from any directory: the repository root holds the ``sample_apps`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from werkzeug.serving import make_server

from sample_apps import port_in_use_message
from sample_apps.flask_app import create_app
from scalekit_core.logging import install_redacting_filter

log = logging.getLogger("flask_app")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    install_redacting_filter()  # no code, state or token from a callback URL in the log
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one line per emulator call
    port = int(os.environ.get("PORT", "5000"))
    taken = port_in_use_message(port)
    if taken:
        log.error("%s", taken)
        sys.exit(1)
    app = create_app()
    server = make_server("127.0.0.1", port, app, threaded=True)
    signal.signal(signal.SIGTERM, _stop)
    log.info("Open %s", app.config["SCALEKIT_APP_BASE_URL"])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.server_close()
        emulator = app.extensions.get("scalekit_emulator_server")
        if emulator is not None:
            emulator.stop()


if __name__ == "__main__":
    main()
