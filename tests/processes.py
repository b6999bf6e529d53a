"""Child processes for the tests that start real servers (sample apps, emulator, uvicorn).

Output goes to a log file, never to a pipe that nobody reads, and every wait polls with a
deadline, so a silent or stuck process fails its test with its output instead of hanging.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Process:
    """A started child process whose stdout and stderr go to ``log_path``."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes] = field(repr=False)

    def output(self) -> str:
        if not self.log_file.closed:
            self.log_file.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def failure(self, what: str) -> str:
        return (
            f"{self.name}: {what}\n--- output of {self.name} ({self.log_path}) ---\n{self.output()}"
        )

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Send ``signum`` (a kill after ``timeout``) and return the exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signum)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self.log_file.close()
        return self.popen.returncode


def start_process(
    name: str, args: list[str], env: dict[str, str], log_dir: Path, cwd: Path = ROOT
) -> Process:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    popen = subprocess.Popen(
        args,
        cwd=cwd,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    return Process(name, popen, log_path, log_file)


def wait_until(
    process: Process, ready: Callable[[], bool], what: str, timeout: float = START_TIMEOUT
) -> None:
    """Poll ``ready()`` until it is true; fail with the process's output on exit or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        code = process.popen.poll()
        if code is not None:
            raise RuntimeError(process.failure(f"exited with code {code} before {what}"))
        if ready():
            return
        if time.monotonic() > deadline:
            raise RuntimeError(process.failure(f"not {what} after {timeout:.0f} s"))
        time.sleep(0.1)


def answers(url: str, status: int | None = None) -> bool:
    try:
        response = httpx.get(url, timeout=2)
    except httpx.TransportError:
        return False
    return status is None or response.status_code == status
