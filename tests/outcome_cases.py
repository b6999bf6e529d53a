"""The sign-in failure paths every framework's outcome tests go through: for each, how to
turn a started login (its authorize URL) into the callback query that fails, and the
``Reason`` the failure must carry."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from scalekit_core.web.outcomes import EVENT_LOGGER
from scalekit_emulator import EmulatorHandle

#: case -> (HTTP status of the callback's answer, reason)
CALLBACK_FAILURES = {
    "access_denied": (400, "access_denied"),
    "provider_error": (400, "provider_error"),
    "state_mismatch": (400, "state_mismatch"),
    "repeated_parameter": (400, "state_mismatch"),
    "issuer_mismatch": (400, "issuer_mismatch"),
    "code_missing": (400, "code_missing"),
    "code_exchange_failed": (400, "code_exchange_failed"),
    "transaction_expired": (400, "transaction_expired"),
    "provider_unavailable": (503, "provider_unavailable"),
}


def _state(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["state"][0]


def callback_query(case: str, emulator: EmulatorHandle, authorize_url: str) -> str:
    """The query string of a callback that fails as ``case`` says."""
    state = _state(authorize_url)
    if case == "access_denied":
        return urlencode({"error": "access_denied", "error_description": "no", "state": state})
    if case == "provider_error":
        return urlencode({"error": "server_error", "state": state})
    if case == "state_mismatch":
        return urlencode({"code": "x", "state": "not a state!"})
    if case == "repeated_parameter":
        return f"code=x&state={state}&state={state}"
    if case == "issuer_mismatch":
        return urlencode({"code": "x", "state": state, "iss": "https://evil.example"})
    if case == "code_missing":
        return urlencode({"state": state})
    if case == "code_exchange_failed":
        return urlencode({"code": "not-a-code", "state": state, "iss": emulator.url})
    if case == "transaction_expired":
        # A restarted login whose cookie the browser did not keep either.
        return urlencode({"code": "x", "state": "retry." + "A" * 32})
    if case == "provider_unavailable":
        callback = emulator.sign_in(authorize_url)
        emulator.inject_fault("/oauth/token", status=503, count=10)
        return urlsplit(callback).query
    raise AssertionError(case)


@contextmanager
def events(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """The structured records of the ``scalekit`` logger emitted inside the block."""
    records: list[logging.LogRecord] = []
    with caplog.at_level(logging.INFO, logger=EVENT_LOGGER):
        start = len(caplog.records)
        yield records
        records.extend(r for r in caplog.records[start:] if r.name == EVENT_LOGGER)


def only_event(records: list[logging.LogRecord], event: str) -> logging.LogRecord:
    found = [r for r in records if getattr(r, "event", None) == event]
    assert len(found) == 1, [(r.getMessage()) for r in records]
    return found[0]


def assert_no_secret(records: list[logging.LogRecord], *secrets: str) -> None:
    for record in records:
        text = record.getMessage() + repr(record.__dict__)
        for secret in secrets:
            assert secret not in text, record.getMessage()
