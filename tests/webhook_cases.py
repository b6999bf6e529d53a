"""Webhook deliveries for tests: signed the way the emulator (Scalekit) signs them, and the
refused cases every adapter must answer with a clean 4xx."""

from __future__ import annotations

import json
import time
from typing import Any

from scalekit_core.web.webhook_endpoint import MAX_WEBHOOK_BYTES
from scalekit_emulator.webhooks import new_webhook_secret, signed_headers

__all__ = ["bad_deliveries", "event_body", "signed"]


def event_body(event_type: str, data: dict[str, Any], event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "occurred_at": "2024-01-15T10:30:00.123456789Z",
            "environment_id": "env_1",
            "organization_id": "org_acme",
            "object": "Session",
            "spec_version": "1",
            "data": data,
        }
    ).encode()


def signed(
    secret: str, body: bytes, webhook_id: str = "msg_1", timestamp: float | None = None
) -> dict[str, str]:
    stamp = int(time.time() if timestamp is None else timestamp)
    return {"content-type": "application/json", **signed_headers(secret, webhook_id, stamp, body)}


def bad_deliveries(secret: str, body: bytes) -> list[tuple[str, dict[str, str], bytes, int]]:
    """``(what, headers, body, expected status)``: each must be refused and revoke nothing."""
    big = b'{"pad": "' + b"x" * MAX_WEBHOOK_BYTES + b'"}'
    return [
        ("bad signature", signed(new_webhook_secret(), body, "msg_bad"), body, 401),
        ("stale timestamp", signed(secret, body, "msg_old", time.time() - 600), body, 401),
        ("unsigned", {"content-type": "application/json"}, body, 401),
        ("another body", signed(secret, b'{"id":"evt_x"}', "msg_swap"), body, 401),
        ("oversized", signed(secret, big, "msg_big"), big, 413),
        ("malformed", signed(secret, b"{not json", "msg_junk"), b"{not json", 400),
        ("not an event", signed(secret, b'{"id": 1}', "msg_shape"), b'{"id": 1}', 400),
    ]
