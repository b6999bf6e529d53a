"""API keys for the adapters' API-key tests: real Scalekit API tokens made on the emulator."""

from __future__ import annotations

from dataclasses import dataclass

from scalekit_core import ScalekitClient
from scalekit_emulator import EmulatorHandle

#: The scope an API key is given through its ``scopes`` custom claim.
KEY_SCOPE = "orders:read"


@dataclass(frozen=True)
class Keys:
    acme: str  # org_acme, scope KEY_SCOPE, a custom claim
    globex: str  # org_globex, no scope
    revoked: str  # invalidated
    acme_token_id: str


def make_keys(emu: EmulatorHandle) -> Keys:
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        # A custom claim cannot choose the organization: "oid" here is overridden.
        acme = client.tokens.create_token(
            "org_acme", custom_claims={"scopes": KEY_SCOPE, "team": "ops", "oid": "org_globex"}
        )
        globex = client.tokens.create_token("org_globex")
        revoked = client.tokens.create_token("org_acme")
        client.tokens.invalidate_token(revoked.token)
    return Keys(acme.token, globex.token, revoked.token, acme.token_id)


def validations(emu: EmulatorHandle) -> int:
    """How many times the app asked Scalekit about an API key."""
    return emu.calls("/api/v1/tokens:validate")
