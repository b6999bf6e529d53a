from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx

from scalekit_emulator import Emulator, EmulatorServer
from tests.processes import Process, answers, free_port, start_process, wait_until


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


def start_cli(tmp_path: Path, port: int, *options: str) -> Process:
    """``python -m scalekit_emulator`` as a user starts it, once it has printed its settings."""
    args = [sys.executable, "-m", "scalekit_emulator", "--port", str(port), *options]
    process = start_process("emulator", args, dict(os.environ), tmp_path)
    try:
        wait_until(process, lambda: "SCALEKIT_CLIENT_SECRET=" in process.output(), "ready")
        wait_until(process, lambda: answers(f"http://127.0.0.1:{port}/keys", 200), "answering")
    except BaseException:
        process.stop()
        raise
    return process


def test_cli_prints_environment_and_stops(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "cli.json"
    process = start_cli(tmp_path, port, "--enable-controls", "--data", str(data))
    try:
        assert process.output().splitlines()[:3] == [
            f"SCALEKIT_ENVIRONMENT_URL=http://127.0.0.1:{port}",
            "SCALEKIT_CLIENT_ID=skc_emulator_client",
            "SCALEKIT_CLIENT_SECRET=emulator-client-secret",
        ]
        assert httpx.get(f"http://127.0.0.1:{port}/_emulator/calls").status_code == 200
    finally:
        code = process.stop(signal.SIGTERM)
    assert code == 0, process.output()
    assert data.exists()


def test_cli_redirect_uri_replaces_the_local_default(tmp_path: Path) -> None:
    port = free_port()
    process = start_cli(
        tmp_path,
        port,
        "--redirect-uri",
        "https://app.example.test/auth/callback",
        "--redirect-uri",
        "https://*.preview.example.test/auth/callback",
    )
    try:

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
        code = process.stop(signal.SIGTERM)
    assert code == 0, process.output()


def test_data_file_written_soon_after_a_burst_of_posts(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    with EmulatorServer(Emulator(data_path=data)) as server, httpx.Client() as client:
        token = client.post(
            f"{server.url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "skc_emulator_client",
                "client_secret": "emulator-client-secret",
            },
        ).json()["access_token"]
        for n in range(5):
            r = client.post(
                f"{server.url}/api/v1/organizations",
                headers={"Authorization": f"Bearer {token}"},
                json={"display_name": f"Burst {n}", "external_id": f"burst-{n}"},
            )
            assert r.status_code == 200
        # Written once the burst is over, while the server still runs.
        deadline = time.monotonic() + 10
        while "burst-4" not in (data.read_text() if data.exists() else ""):
            assert time.monotonic() < deadline, "the data file was not written"
            time.sleep(0.05)
    restarted = Emulator(data_path=data)
    names = {o.external_id for o in restarted.state.organizations.values()}
    assert {f"burst-{n}" for n in range(5)} <= names
