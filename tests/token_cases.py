"""Tokens the emulator's own key signed that no user guard may accept, for every adapter's
tests: another client's audience, a malformed audience, an ID token, absurd times, and a
client-credentials (machine) token."""

from __future__ import annotations

import dataclasses

import httpx

from scalekit_emulator import EmulatorHandle

#: What a machine endpoint of the adapters' test apps asks for.
MACHINE_SCOPE = "events:write"


def machine_token(emulator: EmulatorHandle, scope: str = MACHINE_SCOPE) -> str:
    """A client-credentials access token from the emulator's token endpoint."""
    response = httpx.post(
        f"{emulator.url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "scope": scope,
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def refused_as_user(emulator: EmulatorHandle) -> dict[str, str]:
    """Name -> bearer token that must never pass a user guard."""
    return {
        "other_audience": emulator.mint_access_token(aud=["skc_other_app"]),
        "non_string_audience": emulator.mint_access_token(aud=[7]),
        "id_token": str(emulator.issue_tokens()["id_token"]),
        "nan_exp": emulator.mint_access_token(exp=float("nan")),
        "infinite_exp": emulator.mint_access_token(exp=float("inf")),
        "huge_exp": emulator.mint_access_token(exp=10**100),
        "machine": machine_token(emulator),
    }


def hand_refreshes_to(emulator: EmulatorHandle, user_id: str) -> None:
    """Make the emulator misbehave: every refresh token it holds now yields tokens for
    ``user_id`` (a provider bug or an attack that must never switch a session's user)."""
    emu = emulator.emulator
    with emu.lock:
        for token, record in list(emu.state.refresh_tokens.items()):
            emu.state.refresh_tokens[token] = dataclasses.replace(record, user_id=user_id)
