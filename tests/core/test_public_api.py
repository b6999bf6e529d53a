"""Guards on the core's public surface and its independence from web frameworks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

import pytest

import scalekit_core
from scalekit_core import WebhookVerificationError, verify_webhook_payload

FRAMEWORKS = ("flask", "django", "starlette", "fastapi", "werkzeug", "scalekit_emulator")


def test_all_lists_exactly_the_public_names() -> None:
    for name in scalekit_core.__all__:
        assert getattr(scalekit_core, name) is not None, name  # lazy ones resolve too
    public = {
        name
        for name in vars(scalekit_core)
        if not name.startswith("_") and not isinstance(getattr(scalekit_core, name), type(sys))
    }
    assert set(scalekit_core.__all__) == public | scalekit_core._MANAGEMENT_NAMES
    assert len(scalekit_core.__all__) == len(set(scalekit_core.__all__))


def test_core_never_imports_a_framework() -> None:
    code = (
        "import importlib, pkgutil, sys, scalekit_core\n"
        "for m in pkgutil.walk_packages(scalekit_core.__path__, 'scalekit_core.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(','.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        .stdout.strip()
        .split(",")
    )
    assert not {name.split(".")[0] for name in loaded} & set(FRAMEWORKS)
    for source in Path(scalekit_core.__file__).parent.rglob("*.py"):
        text = source.read_text()
        for framework in FRAMEWORKS:
            assert f"import {framework}" not in text and f"from {framework}" not in text, source


def test_import_leaves_http_and_jwt_libraries_for_first_use() -> None:
    # They are most of the import time; the client loads httpx when it builds its pool, token
    # validation loads PyJWT and cryptography.
    code = (
        "import sys, scalekit_core\n"
        "before = sorted(m for m in ('httpx', 'jwt', 'cryptography', 'anyio') if m in sys.modules)\n"
        "scalekit_core.ScalekitClient('https://acme.scalekit.dev', 'skc_1', 'secret')\n"
        "print(before, 'httpx' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "[] True"


def _signed(secret_key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(
        secret_key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256
    ).digest()
    return "v1," + base64.b64encode(digest).decode()


def test_webhook_verification() -> None:
    key = b"k" * 24
    secret = "whsec_" + base64.b64encode(key).decode()
    body = b'{"type":"organization.created"}'
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": "1700000000",
        "Webhook-Signature": "v1,bogus " + _signed(key, "msg_1", "1700000000", body),
    }
    assert verify_webhook_payload(secret, headers, body, now=1700000100) is True
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify_webhook_payload(secret, headers, body, now=1700000400)
    with pytest.raises(WebhookVerificationError, match="no webhook signature"):
        verify_webhook_payload(secret, headers, body + b" ", now=1700000000)
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify_webhook_payload(secret, {}, body)
    with pytest.raises(WebhookVerificationError, match="whsec"):
        verify_webhook_payload("whsec_***", headers, body, now=1700000000)
