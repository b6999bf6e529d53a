from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from scalekit_emulator import EmulatorHandle, pkce_s256

REDIRECT_URI = "http://localhost:3000/auth/callback"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def http(scalekit_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=scalekit_emulator.url, timeout=10) as client:
        yield client


def authorize_url(emu: EmulatorHandle, **params: str) -> str:
    query = {
        "response_type": "code",
        "client_id": emu.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email offline_access",
        "state": "st-" + secrets.token_hex(4),
        **params,
    }
    query = {k: v for k, v in query.items() if v != ""}
    return f"{emu.url}/oauth/authorize?{urlencode(query)}"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def login(
    emu: EmulatorHandle, http: httpx.Client, email: str = "alice@acme.test", **params: str
) -> dict[str, object]:
    """Full code flow with PKCE; returns the token response."""
    verifier = secrets.token_urlsafe(48)
    final = emu.sign_in(
        authorize_url(
            emu, code_challenge=pkce_s256(verifier), code_challenge_method="S256", **params
        ),
        email,
    )
    code = query_of(final)["code"]
    response = http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def machine_token(emu: EmulatorHandle, http: httpx.Client) -> str:
    response = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
