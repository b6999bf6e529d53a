"""Webhook signature verification (Standard Webhooks: ``webhook-id/-timestamp/-signature``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

from .errors import WebhookVerificationError

__all__ = ["verify_interceptor_payload", "verify_webhook_payload"]

TOLERANCE_SECONDS = 300


def verify_webhook_payload(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """``True`` when the payload is authentic and recent; else ``WebhookVerificationError``.

    ``secret`` is the dashboard's ``whsec_<base64>`` value; header names are case-insensitive.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    return _verify(
        secret,
        lowered.get("webhook-id"),
        lowered.get("webhook-timestamp"),
        lowered.get("webhook-signature"),
        body,
        now,
        tolerance,
    )


def verify_interceptor_payload(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """The same check for an interceptor call (Scalekit asking the app to allow a login or
    sign-up): ``interceptor-id/-timestamp/-signature`` headers, or the ``webhook-*`` ones."""
    lowered = {name.lower(): value for name, value in headers.items()}
    return _verify(
        secret,
        lowered.get("interceptor-id") or lowered.get("webhook-id"),
        lowered.get("interceptor-timestamp") or lowered.get("webhook-timestamp"),
        lowered.get("interceptor-signature") or lowered.get("webhook-signature"),
        body,
        now,
        tolerance,
    )


def _verify(
    secret: str,
    webhook_id: str | None,
    timestamp: str | None,
    signatures: str | None,
    body: bytes | str,
    now: float | None,
    tolerance: int,
) -> bool:
    if not webhook_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing the id, timestamp or signature header")
    if not timestamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not a unix time")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the webhook secret is not whsec_<base64>") from None
    payload = body if isinstance(body, bytes) else body.encode()
    signed = f"{webhook_id}.{timestamp}.".encode() + payload
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return True
    raise WebhookVerificationError("no webhook signature matches")
