"""A session's ``last_active_at`` moves with its use (a refresh), as Scalekit's does, so a
sessions page shows when it was last used rather than when it signed in."""

from __future__ import annotations

import jwt

from scalekit_core import ScalekitClient
from scalekit_emulator import EmulatorHandle


def test_refresh_updates_the_sessions_last_active_time(scalekit_emulator: EmulatorHandle) -> None:
    tokens = scalekit_emulator.issue_tokens("alice@acme.test")
    sid = jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]
    signed_in = scalekit_emulator.session(sid)
    assert signed_in is not None
    assert signed_in["last_active_at"] == signed_in["created_at"]

    scalekit_emulator.set_clock_offset(600)  # ten minutes later
    env = scalekit_emulator.env()
    with ScalekitClient(
        env["SCALEKIT_ENVIRONMENT_URL"], env["SCALEKIT_CLIENT_ID"], env["SCALEKIT_CLIENT_SECRET"]
    ) as client:
        client.refresh_access_token(tokens["refresh_token"])

    used = scalekit_emulator.session(sid)
    assert used is not None
    assert used["last_active_at"] > signed_in["last_active_at"]
    assert used["created_at"] == signed_in["created_at"]
