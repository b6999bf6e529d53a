from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from scalekit_emulator import Emulator, EmulatorServer
from tests.processes import free_port


def test_data_file_round_trip(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    with EmulatorServer(Emulator(data_path=data)) as server:
        token = httpx.post(
            f"{server.url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "skc_emulator_client",
                "client_secret": "emulator-client-secret",
            },
        ).json()["access_token"]
        r = httpx.post(
            f"{server.url}/api/v1/organizations",
            headers={"Authorization": f"Bearer {token}"},
            json={"display_name": "Persisted", "external_id": "keep"},
        )
        assert r.status_code == 200
        tokens = server.emulator.issue_tokens()
        server.emulator.save()
    assert data.exists()
    restarted = Emulator(data_path=data)
    assert any(o.external_id == "keep" for o in restarted.state.organizations.values())
    with EmulatorServer(restarted) as server:
        # Same keys and refresh tokens survive the restart.
        r = httpx.post(
            f"{server.url}/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": "skc_emulator_client",
                "client_secret": "emulator-client-secret",
            },
        )
        assert r.status_code == 200


def test_cli_prints_environment_and_stops(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scalekit_emulator",
            "--port",
            str(port),
            "--enable-controls",
            "--data",
            str(tmp_path / "cli.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(3)]
        assert lines == [
            f"SCALEKIT_ENVIRONMENT_URL=http://127.0.0.1:{port}",
            "SCALEKIT_CLIENT_ID=skc_emulator_client",
            "SCALEKIT_CLIENT_SECRET=emulator-client-secret",
        ]
        assert httpx.get(f"http://127.0.0.1:{port}/keys").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/_emulator/calls").status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close() if proc.stdout else None
        proc.stderr.close() if proc.stderr else None
    assert (tmp_path / "cli.json").exists()


def test_cli_redirect_uri_replaces_the_local_default() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scalekit_emulator",
            "--port",
            str(port),
            "--redirect-uri",
            "https://app.example.test/auth/callback",
            "--redirect-uri",
            "https://*.preview.example.test/auth/callback",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("SCALEKIT_ENVIRONMENT_URL=")

        def authorize(redirect_uri: str) -> int:
            params = {
                "response_type": "code",
                "client_id": "skc_emulator_client",
                "redirect_uri": redirect_uri,
                "state": "s",
            }
            url = f"http://127.0.0.1:{port}/oauth/authorize"
            return httpx.get(url, params=params, follow_redirects=False).status_code

        # 200 is the sign-in page; 400 the error page for an unregistered redirect URI.
        assert authorize("https://app.example.test/auth/callback") == 200
        assert authorize("https://pr-7.preview.example.test/auth/callback") == 200
        assert authorize("https://app.example.test/other") == 400
        assert authorize("http://localhost:3000/auth/callback") == 400
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close() if proc.stdout else None
        proc.stderr.close() if proc.stderr else None
