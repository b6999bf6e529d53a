"""Outcomes in Django: every failure path carries its ``Reason`` on the
``scalekit_auth_failed`` signal, in JSON answers and in one structured log event."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from scalekit_django.signals import scalekit_auth_failed
from scalekit_emulator import EmulatorHandle
from tests.outcome_cases import CALLBACK_FAILURES, callback_query, events, only_event

from .conftest import HTML, sign_in

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def signalled() -> Iterator[list[tuple[str, int]]]:
    seen: list[tuple[str, int]] = []

    def receiver(sender: Any, request: Any, reason: str, status_code: int, **kwargs: Any) -> None:
        seen.append((reason, status_code))

    scalekit_auth_failed.connect(receiver)
    yield seen
    scalekit_auth_failed.disconnect(receiver)


@pytest.mark.parametrize("case", sorted(CALLBACK_FAILURES))
def test_each_callback_failure_has_its_reason_on_the_signal_and_in_the_log(
    scalekit: EmulatorHandle,
    signalled: list[tuple[str, int]],
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    client = Client()
    status, reason = CALLBACK_FAILURES[case]
    query = callback_query(case, scalekit, client.get("/login", **HTML)["Location"])
    with events(caplog) as records:
        response = client.get(f"/auth/callback?{query}", **HTML)
    assert response.status_code == status
    assert signalled == [(reason, status)]
    assert only_event(records, "sign_in_failed").reason == reason  # type: ignore[attr-defined]


def test_guards_send_their_reasons(
    scalekit: EmulatorHandle, signalled: list[tuple[str, int]]
) -> None:
    client = Client()
    assert client.get("/dashboard", **HTML).status_code == 302
    assert client.get("/api/me", **JSON).json()["reason"] == "authentication_required"
    sign_in(client, scalekit, email="bob@acme.test")
    assert client.get("/admin", **HTML).status_code == 403
    assert client.get("/t/admins", **JSON).json()["reason"] == "missing_role"
    assert signalled == [
        ("authentication_required", 302),
        ("authentication_required", 401),
        ("missing_permission", 403),
        ("missing_role", 403),
    ]


def test_refresh_denied_and_revoked_sessions(
    scalekit: EmulatorHandle, signalled: list[tuple[str, int]], caplog: pytest.LogCaptureFixture
) -> None:
    scalekit.set_token_lifetimes(access_token=1)
    client = Client()
    with events(caplog) as records:
        sign_in(client, scalekit)
        time.sleep(1.1)
        me = client.get("/api/me", **JSON).json()
    assert only_event(records, "sign_in").user_id == "usr_alice"  # type: ignore[attr-defined]
    assert only_event(records, "refresh").sid == me["session_id"]  # type: ignore[attr-defined]

    scalekit.emulator.revoke_session(me["session_id"])
    time.sleep(1.1)
    with events(caplog) as records:
        answer = client.get("/api/me", **JSON)
    assert answer.status_code == 401 and answer.json()["reason"] == "refresh_denied"
    assert signalled[-1] == ("refresh_denied", 401)
    assert only_event(records, "refresh_failed").reason == "refresh_denied"  # type: ignore[attr-defined]


def test_logout_and_a_replayed_cookie(
    scalekit: EmulatorHandle, signalled: list[tuple[str, int]], caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    sign_in(client, scalekit)
    copied = client.cookies["scalekit_session"].value
    with events(caplog) as records:
        assert client.post("/logout", HTTP_ORIGIN="http://localhost:8000").status_code == 302
    assert only_event(records, "logout").user_id == "usr_alice"  # type: ignore[attr-defined]
    replay = Client()
    replay.cookies["scalekit_session"] = copied
    with events(caplog) as records:
        answer = replay.get("/api/me", **JSON)
    assert answer.json()["reason"] == "session_revoked"
    assert only_event(records, "session_ended").reason == "session_revoked"  # type: ignore[attr-defined]
    assert signalled[-1] == ("session_revoked", 401)
