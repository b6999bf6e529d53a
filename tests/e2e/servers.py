"""Real server processes for the end-to-end tests: the emulator and the sample apps.

Each process is started with its own run command, on a free port, with its output captured
to a file so that a failure can show what the process said.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import httpx

from scalekit_core import ScalekitClient
from scalekit_emulator.webhooks import new_webhook_secret
from tests.processes import ROOT, Process, answers, free_port, start_process, wait_until

SAMPLE_APPS = ROOT / "sample_apps"
OUTPUT_DIR = ROOT / "test-output" / "e2e"
APP_NAMES = ("flask_app", "fastapi_app", "django_app")
# 32+ characters, as every sample app requires.
COOKIE_SECRET = "e2e-cookie-secret-0123456789-abcdefghij"
# The apps refresh an access token this many seconds before it expires (the default, 60,
# would refresh a short-lived token while it is still valid: the tests let one expire).
REFRESH_BUFFER = 1


def _base_env() -> dict[str, str]:
    # Never let a developer's own Scalekit settings leak into the processes under test.
    return {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}


@dataclass
class EmulatorProcess:
    """The emulator (`python -m scalekit_emulator --enable-controls`) and its HTTP controls."""

    process: Process
    url: str
    client_id: str
    client_secret: str

    @classmethod
    def start(cls) -> EmulatorProcess:
        port = free_port()
        process = start_process(
            "emulator",
            [
                sys.executable,
                "-m",
                "scalekit_emulator",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--enable-controls",
            ],
            _base_env(),
            OUTPUT_DIR,
        )
        try:
            wait_until(process, lambda: "SCALEKIT_CLIENT_SECRET=" in process.output(), "ready")
            printed = dict(
                line.split("=", 1) for line in process.output().splitlines() if "=" in line
            )
            emulator = cls(
                process,
                printed["SCALEKIT_ENVIRONMENT_URL"],
                printed["SCALEKIT_CLIENT_ID"],
                printed["SCALEKIT_CLIENT_SECRET"],
            )
            wait_until(
                process,
                lambda: answers(f"{emulator.url}/.well-known/openid-configuration", 200),
                "answering",
            )
        except BaseException:
            process.stop()
            raise
        return emulator

    def env(self) -> dict[str, str]:
        return {
            "SCALEKIT_ENVIRONMENT_URL": self.url,
            "SCALEKIT_CLIENT_ID": self.client_id,
            "SCALEKIT_CLIENT_SECRET": self.client_secret,
        }

    def _control(self, path: str, body: dict[str, object] | None = None) -> object:
        url = f"{self.url}/_emulator/{path}"
        response = (
            httpx.get(url, timeout=10) if body is None else httpx.post(url, json=body, timeout=10)
        )
        assert response.status_code == 200, self.process.failure(
            f"control {path} answered {response.status_code}: {response.text}"
        )
        return response.json()

    def reset(self) -> None:
        self._control("reset", {})

    def register_webhook(self, url: str, secret: str) -> None:
        """Deliver the emulator's events to ``url`` (cleared again by ``reset``)."""
        self._control("webhooks", {"url": url, "secret": secret})

    def webhook_deliveries(self) -> list[dict[str, object]]:
        listed = self._control("webhooks")
        assert isinstance(listed, dict)
        return list(listed["deliveries"])

    def set_access_token_lifetime(self, seconds: int) -> None:
        self._control("lifetimes", {"access_token": seconds})

    def refresh_count(self) -> int:
        calls = self._control("calls")
        assert isinstance(calls, dict)
        return int(calls.get("grant:refresh_token", 0))

    def management(self) -> ScalekitClient:
        return ScalekitClient(self.url, self.client_id, self.client_secret)

    def session_ids_of(self, user_id: str) -> list[str]:
        with self.management() as client:
            page = client.session.get_user_sessions(user_id=user_id)
        return [session.session_id for session in page.sessions]

    def session_status(self, session_id: str) -> str | None:
        with self.management() as client:
            return client.session.get_session(session_id=session_id).status


@dataclass
class AppProcess:
    """One sample app started with `python sample_apps/<name>/run.py` against the emulator."""

    name: str
    process: Process
    url: str
    #: The app's ``SCALEKIT_WEBHOOK_SECRET``: its ``POST /auth/webhooks`` is on.
    webhook_secret: str

    @classmethod
    def start(cls, name: str, emulator: EmulatorProcess) -> AppProcess:
        run_py = SAMPLE_APPS / name / "run.py"
        if not run_py.is_file():
            raise RuntimeError(f"{name}: {run_py} does not exist")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        database = OUTPUT_DIR / f"{name}.sqlite3"
        database.unlink(missing_ok=True)
        webhook_secret = new_webhook_secret()
        env = {
            **_base_env(),
            **emulator.env(),
            "PORT": str(port),
            "APP_BASE_URL": url,
            "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
            "SCALEKIT_REFRESH_BUFFER": str(REFRESH_BUFFER),
            "SCALEKIT_WEBHOOK_SECRET": webhook_secret,
            # The Django sample's database: a fresh one per run, not the one in its folder.
            "DJANGO_DB_PATH": str(database),
        }
        process = start_process(name, [sys.executable, str(run_py)], env, OUTPUT_DIR)
        try:
            wait_until(process, lambda: answers(f"{url}/", 200), "answering GET / with 200")
        except BaseException:
            process.stop()
            raise
        return cls(name, process, url, webhook_secret)
