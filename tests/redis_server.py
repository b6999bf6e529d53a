"""A real ``redis-server`` for tests: started on a free port, stopped (or killed) on demand.

Fixtures (import them into a test module): ``redis_server`` (one per test session) and
``redis_prefix`` (a fresh key prefix per test, so tests never see each other's keys).
Without ``redis-server`` the tests are skipped with how to install it, unless
``SCALEKIT_REQUIRE_REDIS=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import free_port

INSTALL_HINT = (
    "redis-server is not installed: apt-get install redis-server (Debian/Ubuntu), "
    "brew install redis (macOS), or set REDIS_SERVER to its path"
)


def redis_server_binary() -> str | None:
    return os.environ.get("REDIS_SERVER") or shutil.which("redis-server")


def require_redis_server() -> str:
    """The binary's path, or skip (fail when ``SCALEKIT_REQUIRE_REDIS=1``)."""
    binary = redis_server_binary()
    if binary is None:
        if os.environ.get("SCALEKIT_REQUIRE_REDIS") == "1":
            pytest.fail(INSTALL_HINT + " (SCALEKIT_REQUIRE_REDIS=1)")
        pytest.skip(INSTALL_HINT)
    return binary


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` process (no persistence by default); ``kill``/``start`` keep the port."""

    def __init__(
        self, binary: str, port: int | None = None, persist_dir: Path | None = None
    ) -> None:
        self.binary = binary
        self.port = port or free_port()
        #: With a directory: an append-only file fsync'd on every write (survives a kill).
        self.persist_dir = persist_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--protected-mode",
            "no",
        ]
        if self.persist_dir is None:
            command += ["--appendonly", "no"]
        else:
            command += ["--appendonly", "yes", "--appendfsync", "always"]
            command += ["--dir", str(self.persist_dir)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while not _ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would; the port is free again once it returns."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(require_redis_server()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_prefix() -> str:
    return f"test-{secrets.token_hex(4)}:"
