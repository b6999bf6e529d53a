"""The sample apps (Flask, FastAPI, Django) and what their ``run.py`` share."""

from __future__ import annotations

import errno
import socket


def port_in_use_message(port: int, host: str = "127.0.0.1") -> str | None:
    """A message naming ``PORT=`` when ``host:port`` is taken, else None."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            return (
                f"Port {port} is already in use (another server, or this sample still running). "
                f"Choose another one with PORT=, e.g. PORT={port + 1} make demo"
            )
    return None
