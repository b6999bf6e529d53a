"""The memory revocation record's bookkeeping: entries only ever lengthen, and expired ones
are swept once per ``PRUNE_INTERVAL`` (to the second), in each of its three tables."""

from __future__ import annotations

import hashlib

from scalekit_core.web import MemoryRevocations
from scalekit_core.web.revocation import PRUNE_INTERVAL, session_key
from scalekit_core.web.session_data import SessionData


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_sweep_interval() -> None:
    assert PRUNE_INTERVAL == 60.0


def test_session_key_is_the_sid_or_a_digest_of_subject_and_creation_time() -> None:
    local = SessionData("opaque", 0.0, created_at=1.5, last_seen=1.5, profile={"sub": "usr_a"})
    digest = hashlib.sha256(b"usr_a\x001.5").hexdigest()
    assert session_key(local) == "local:" + digest[:32]
    with_sid = SessionData(
        "opaque", 0.0, created_at=1.5, last_seen=1.5, profile={"sub": "usr_a", "sid": "ses_1"}
    )
    assert session_key(with_sid) == "ses_1"


def test_a_later_revocation_never_shortens_an_entry() -> None:
    clock = Clock()
    record = MemoryRevocations(clock=clock)
    record.revoke_session("ses_1", until=1200)
    record.revoke_session("ses_1", until=1100)
    record.revoke_user("usr_a", before_time=900, until=1200)
    record.revoke_user("usr_a", before_time=800, until=1100)
    clock.now = 1000 + PRUNE_INTERVAL + 50  # a sweep at 1110: both entries last until 1200
    record.revoke_session("ses_other", until=5000)
    assert record.is_revoked("ses_1", "usr_b", 0)
    assert record.is_revoked(None, "usr_a", 900)
    assert not record.is_revoked(None, "usr_a", 901)
    assert len(record) == 3


def test_a_user_cutoff_keeps_its_own_time() -> None:
    record = MemoryRevocations(clock=Clock())
    record.revoke_user("usr_a", before_time=900, until=5000)
    record.revoke_user("usr_a", before_time=950, until=1500)
    assert record.is_revoked(None, "usr_a", 950)
    assert not record.is_revoked(None, "usr_a", 951)
    assert not record.is_revoked(None, "usr_a", 1500)


def test_expired_entries_are_swept_once_per_interval() -> None:
    clock = Clock()
    record = MemoryRevocations(clock=clock)
    record.revoke_session("ses_1", until=1010)  # the first write sweeps: next one at +60
    record.revoke_user("usr_a", before_time=900, until=1010)
    assert record.remember_webhook_id("msg_1", until=1010)
    clock.now = 1000 + PRUNE_INTERVAL - 1  # expired, but not swept yet
    record.revoke_session("ses_2", until=5000)
    assert len(record) == 3
    assert not record.remember_webhook_id("msg_1", until=5000)
    clock.now = 1000 + PRUNE_INTERVAL  # the sweep is due to the second
    record.revoke_session("ses_2", until=5000)
    assert len(record) == 1
    assert not record.is_revoked("ses_1", "usr_a", 0)
    assert record.remember_webhook_id("msg_1", until=5000)


def test_an_entry_ends_at_its_until() -> None:
    clock = Clock()
    record = MemoryRevocations(clock=clock)
    due = 1000 + PRUNE_INTERVAL
    record.revoke_session("ses_1", until=due)
    record.revoke_session("ses_2", until=due + 1)
    record.revoke_user("usr_a", before_time=900, until=due)
    record.revoke_user("usr_b", before_time=900, until=due + 1)
    assert record.remember_webhook_id("msg_1", until=due)
    assert record.remember_webhook_id("msg_2", until=due + 1)
    clock.now = due
    record.revoke_session("ses_3", until=due + 100)
    assert not record.is_revoked("ses_1", "usr_a", 0)
    assert record.is_revoked("ses_2", "usr_x", 0) and record.is_revoked(None, "usr_b", 0)
    assert len(record) == 3
    assert record.remember_webhook_id("msg_1", until=due + 100)
    assert not record.remember_webhook_id("msg_2", until=due + 100)


def test_a_forgotten_webhook_id_is_handled_again() -> None:
    record = MemoryRevocations(clock=Clock())
    assert record.remember_webhook_id("msg_1", until=5000)
    assert record.remember_webhook_id("msg_2", until=5000)
    record.forget_webhook_id("msg_1")
    record.forget_webhook_id("msg_unknown")
    assert record.remember_webhook_id("msg_1", until=5000)
    assert not record.remember_webhook_id("msg_2", until=5000)
