"""Everything parsed from the network goes through ``HTTPResponse.json``, which bounds it: a
body too large or nested too deep is a provider fault (``ScalekitError``, a 503 page for the
web layer), never a ``RecursionError`` or an unbounded parse; the drivers read at most one
byte past the size bound. End-to-end cases (token endpoint, JWKS, management API) are in
``tests/test_faults/test_provider_faults.py``."""

from __future__ import annotations

import pytest

from scalekit_core import ScalekitClient, ScalekitError
from scalekit_core.flows import MAX_JSON_BYTES, MAX_JSON_DEPTH, HTTPResponse
from scalekit_emulator import EmulatorHandle


def nested(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"[1]" + b"}" * (depth - 1)


def test_deeply_nested_json_is_a_scalekit_error_not_a_recursion_error() -> None:
    for body in (b"[" * 200_000, b'{"a":' * 200_000, b"[" * 100_000 + b"]" * 100_000):
        with pytest.raises(ScalekitError, match=r"not JSON|nested deeper"):
            HTTPResponse(200, {}, body).json()


def test_json_nesting_is_bounded_at_max_json_depth() -> None:
    assert HTTPResponse(200, {}, nested(MAX_JSON_DEPTH)).json()
    with pytest.raises(ScalekitError, match=f"nested deeper than {MAX_JSON_DEPTH}"):
        HTTPResponse(200, {}, nested(MAX_JSON_DEPTH + 1)).json()
    wide = b"[" + b",".join([b"[1]"] * 10_000) + b"]"  # wide is fine: only depth is bounded
    assert len(HTTPResponse(200, {}, wide).json()) == 10_000


def test_oversized_json_is_a_scalekit_error() -> None:
    body = b'{"a":"' + b"x" * MAX_JSON_BYTES + b'"}'
    with pytest.raises(ScalekitError, match="over"):
        HTTPResponse(200, {}, body).json()


def test_an_oversized_answer_from_the_network_is_a_scalekit_error(
    scalekit_emulator: EmulatorHandle,
) -> None:
    """The emulator answers 5 MiB (read as a stream, kept only up to the bound): refused."""
    emu = scalekit_emulator
    big = '{"keys":["' + "x" * (5 * 1024 * 1024) + '"]}'
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        emu.inject_fault("/api/v1/organizations", status=200, body=big, count=3)
        with pytest.raises(ScalekitError, match=f"over {MAX_JSON_BYTES} bytes"):
            client.organization.list_organizations()
        emu.clear_faults()
        assert client.organization.list_organizations().organizations
