"""Run an emulator with uvicorn in a background thread (tests, embedded sample apps)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType

import httpx
import uvicorn

from .app import create_app
from .emulator import Emulator

THREAD_NAME = "scalekit-emulator"


class _OnlyWarningsFromTheEmulatorThread(logging.Filter):
    """uvicorn's own INFO lines ("Shutting down", "Finished server process") from the
    emulator's thread would repeat the host app's, in the same ``uvicorn.error`` logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.threadName != THREAD_NAME


def _quiet_uvicorn_in_the_emulator_thread() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _OnlyWarningsFromTheEmulatorThread) for f in logger.filters):
        logger.addFilter(_OnlyWarningsFromTheEmulatorThread())


class EmulatorServer:
    """Serve `emulator` on `host:port` (port 0 picks a free one) in a daemon thread.

    >>> with EmulatorServer(Emulator()) as server:
    ...     print(server.url)  # doctest: +SKIP
    """

    def __init__(
        self, emulator: Emulator | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.emulator = emulator if emulator is not None else Emulator()
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator server is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        if self._server is not None:
            return self
        # Bind ourselves so port 0 resolves to a real port before uvicorn starts; the issuer
        # must be known before the first token is minted.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # The protocol number matters: asyncio sets TCP_NODELAY only on sockets whose proto
        # is IPPROTO_TCP (accepted sockets inherit it), and without it Nagle's algorithm and
        # delayed ACKs stall every kept-alive request by about 40 ms.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(128)
        self._socket = sock
        self.port = sock.getsockname()[1]
        # log_config=None, log_level=None: uvicorn leaves the host process's logging as it is.
        _quiet_uvicorn_in_the_emulator_thread()
        config = uvicorn.Config(
            create_app(self.emulator),
            log_config=None,
            log_level=None,
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self.emulator.issuer = self.url
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=THREAD_NAME,
            daemon=True,
        )
        self._thread.start()
        self._wait_until_up(timeout)
        return self

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        assert self._server is not None and self._thread is not None
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.01)
        # "started" means listening; one real request proves the app answers too.
        httpx.get(f"{self.url}/.well-known/openid-configuration", timeout=timeout)

    def stop(self) -> None:
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=5)
        if sock is not None:
            sock.close()
        self.emulator.webhooks.stop()
        self.emulator.save()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
