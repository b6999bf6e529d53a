"""Webhook and interceptor verification (Standard Webhooks): every refusal with its message,
the tolerance's boundaries, the production call (no ``now=``, the client's clock) and ``str``
bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from scalekit_core import ScalekitClient, WebhookVerificationError, verify_webhook_payload
from scalekit_core.webhooks import TOLERANCE_SECONDS, verify_interceptor_payload

# The Standard Webhooks specification's example (secret, id, timestamp, body, signature).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_HEADERS = {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}
SPEC_BODY = '{"test": 2432232314}'
SPEC_NOW = 1614265330

KEY = b"webhook-key-" * 2
SECRET = "whsec_" + base64.b64encode(KEY).decode()
BODY = b'{"type":"organization.created"}'
MISSING = "missing the id, timestamp or signature header"


def sign(timestamp: int | str, body: bytes = BODY, webhook_id: str = "msg_1") -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(KEY, signed, hashlib.sha256).digest()).decode()


def headers(timestamp: int | str, signature: str | None = None) -> dict[str, str]:
    return {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature if signature is not None else sign(timestamp),
    }


def refusal(*args: object, **kwargs: object) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook_payload(*args, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


def test_the_default_tolerance_is_five_minutes() -> None:
    assert TOLERANCE_SECONDS == 300
    now = 1_700_000_000
    assert verify_webhook_payload(SECRET, headers(now - 300), BODY, now=now) is True
    assert refusal(SECRET, headers(now - 301), BODY, now=now).endswith("tolerance")


def test_the_specification_example_verifies_as_str_and_bytes() -> None:
    assert verify_webhook_payload(SPEC_SECRET, SPEC_HEADERS, SPEC_BODY, now=SPEC_NOW) is True
    body = SPEC_BODY.encode()
    assert verify_webhook_payload(SPEC_SECRET, SPEC_HEADERS, body, now=SPEC_NOW) is True
    upper = {name.upper(): value for name, value in SPEC_HEADERS.items()}
    assert verify_webhook_payload(SPEC_SECRET, upper, body, now=SPEC_NOW) is True
    # The secret's base64 without the whsec_ prefix is the same key.
    assert verify_webhook_payload(SPEC_SECRET[6:], SPEC_HEADERS, body, now=SPEC_NOW) is True
    assert refusal(SPEC_SECRET, SPEC_HEADERS, SPEC_BODY + " ", now=SPEC_NOW) == (
        "no webhook signature matches"
    )


def test_a_str_body_is_signed_as_its_utf8() -> None:
    body = '{"name":"Zoë"}'
    now = 1_700_000_000
    signature = sign(now, body.encode())
    assert verify_webhook_payload(SECRET, headers(now, signature), body, now=now) is True


def test_without_now_the_current_time_is_used() -> None:
    now = int(time.time())
    assert verify_webhook_payload(SECRET, headers(now), BODY) is True
    old = now - TOLERANCE_SECONDS - 60
    assert refusal(SECRET, headers(old), BODY) == "webhook-timestamp is outside the tolerance"


def test_the_client_verifies_with_its_clock() -> None:
    client = ScalekitClient("http://127.0.0.1:9", "skc_1", "secret", clock=lambda: 1_700_000_000)
    assert client.verify_webhook_payload(SECRET, headers(1_700_000_000), BODY) is True
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        client.verify_webhook_payload(SECRET, headers(1_600_000_000), BODY)


@pytest.mark.parametrize("offset", [-TOLERANCE_SECONDS, TOLERANCE_SECONDS])
def test_the_tolerance_is_inclusive_both_ways(offset: int) -> None:
    now = 1_700_000_000
    stamp = now + offset
    assert verify_webhook_payload(SECRET, headers(stamp), BODY, now=now) is True
    beyond = stamp + (1 if offset > 0 else -1)
    assert refusal(SECRET, headers(beyond), BODY, now=now) == (
        "webhook-timestamp is outside the tolerance"
    )
    # A tolerance of its own.
    assert verify_webhook_payload(SECRET, headers(beyond), BODY, now=now, tolerance=301) is True
    assert refusal(SECRET, headers(now + 2), BODY, now=now, tolerance=1).endswith("tolerance")


@pytest.mark.parametrize("missing", ["Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"])
def test_each_header_is_required_on_its_own(missing: str) -> None:
    now = 1_700_000_000
    given = headers(now)
    del given[missing]
    assert refusal(SECRET, given, BODY, now=now) == MISSING
    given[missing] = ""
    assert refusal(SECRET, given, BODY, now=now) == MISSING


def test_no_headers() -> None:
    assert refusal(SECRET, {}, BODY) == MISSING


@pytest.mark.parametrize("stamp", ["abc", "-5", "1.5", "1700000000 "])
def test_a_timestamp_that_is_not_digits(stamp: str) -> None:
    assert refusal(SECRET, headers(stamp, sign(1_700_000_000)), BODY, now=1_700_000_000) == (
        "webhook-timestamp is not a unix time"
    )


@pytest.mark.parametrize("secret", ["whsec_***", "whsec_a", "not base64!"])
def test_a_secret_that_is_not_base64(secret: str) -> None:
    now = 1_700_000_000
    assert refusal(secret, headers(now), BODY, now=now) == (
        "the webhook secret is not whsec_<base64>"
    )


def test_another_secret_is_refused() -> None:
    now = 1_700_000_000
    other = "whsec_" + base64.b64encode(b"another-key-" * 2).decode()
    assert refusal(other, headers(now), BODY, now=now) == "no webhook signature matches"


@pytest.mark.parametrize(
    ("make", "accepted"),
    [
        (lambda good: "v1,bogus " + good, True),
        (lambda good: good + " v1,bogus", True),
        (lambda good: "v1a," + good[3:], False),
        (lambda good: "v2," + good[3:], False),
        (lambda good: "V1," + good[3:], False),
        (lambda good: good[3:], False),
        (lambda good: "v1," + good[4:], False),
        (lambda good: "v1,x," + good[3:], False),
    ],
)
def test_signature_list(make: object, accepted: bool) -> None:
    now = 1_700_000_000
    signature = make(sign(now))  # type: ignore[operator]
    if accepted:
        assert verify_webhook_payload(SECRET, headers(now, signature), BODY, now=now) is True
    else:
        assert refusal(SECRET, headers(now, signature), BODY, now=now) == (
            "no webhook signature matches"
        )


def test_the_id_and_timestamp_are_signed() -> None:
    now = 1_700_000_000
    other_id = sign(now, webhook_id="msg_2")
    assert refusal(SECRET, headers(now, other_id), BODY, now=now).startswith("no webhook")
    other_time = sign(now + 1)
    assert refusal(SECRET, headers(now, other_time), BODY, now=now).startswith("no webhook")


def interceptor_headers(timestamp: int) -> dict[str, str]:
    return {
        "Interceptor-Id": "msg_1",
        "Interceptor-Timestamp": str(timestamp),
        "Interceptor-Signature": sign(timestamp),
    }


def test_interceptor_headers_or_webhook_headers() -> None:
    now = 1_700_000_000
    given = interceptor_headers(now)
    assert verify_interceptor_payload(SECRET, given, BODY, now=now) is True
    assert verify_interceptor_payload(SECRET, headers(now), BODY, now=now) is True
    assert verify_interceptor_payload(SECRET, headers(now), BODY.decode(), now=now) is True
    # Without now=, the current time.
    current = int(time.time())
    assert verify_interceptor_payload(SECRET, interceptor_headers(current), BODY) is True
    # interceptor-* first; each header falls back to its webhook-* twin on its own.
    names = ("Id", "Timestamp", "Signature")
    for name in names:
        mixed = dict(given)
        mixed["Webhook-" + name] = mixed.pop("Interceptor-" + name)
        assert verify_interceptor_payload(SECRET, mixed, BODY, now=now) is True
        del mixed["Webhook-" + name]
        with pytest.raises(WebhookVerificationError) as caught:
            verify_interceptor_payload(SECRET, mixed, BODY, now=now)
        assert str(caught.value) == MISSING
    shadowed = {**headers(now), **interceptor_headers(now), "Webhook-Signature": "v1,bogus"}
    assert verify_interceptor_payload(SECRET, shadowed, BODY, now=now) is True
    wrong = {**headers(now), **interceptor_headers(now), "Interceptor-Signature": "v1,bogus"}
    with pytest.raises(WebhookVerificationError, match=r"^no webhook signature matches$"):
        verify_interceptor_payload(SECRET, wrong, BODY, now=now)
    with pytest.raises(WebhookVerificationError, match=r"tolerance$"):
        verify_interceptor_payload(SECRET, interceptor_headers(now - 301), BODY, now=now)
    assert verify_interceptor_payload(
        SECRET, interceptor_headers(now - 301), BODY, now=now, tolerance=301
    )


def test_webhook_headers_are_not_read_as_interceptor_ones_or_back() -> None:
    now = 1_700_000_000
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook_payload(SECRET, interceptor_headers(now), BODY, now=now)
    assert str(caught.value) == MISSING
