"""Pure pieces of step-up sign-in and switching: the login parameters' rules, the
transaction's new fields, ``require_recent_login`` and ``member_organizations``."""

from __future__ import annotations

import pytest

from scalekit_core.management.models import Membership
from scalekit_core.management.models import User as DirectoryUser
from scalekit_core.web import ReauthenticationRequired, User, member_organizations
from scalekit_core.web.guards import require_recent_login
from scalekit_core.web.login import parse_acr_values, parse_max_age, parse_prompt
from scalekit_core.web.outcomes import Reason
from scalekit_core.web.transactions import Transaction


@pytest.mark.parametrize("value", ["login", "consent", "select_account", "create", "login consent"])
def test_oidc_prompts_are_accepted(value: str) -> None:
    assert parse_prompt(value) == value


@pytest.mark.parametrize("value", ["sudo", "none login", "login  consent", "LOGIN", "x" * 101])
def test_other_prompts_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_prompt(value)


@pytest.mark.parametrize(("value", "seconds"), [("0", 0), ("300", 300), (300, 300), (None, None)])
def test_max_age_is_a_whole_number_of_seconds(value: str | int | None, seconds: int | None) -> None:
    assert parse_max_age(value) == seconds


@pytest.mark.parametrize("value", ["-1", "1.5", "1e3", "٣", "1234567890", True, -5])
def test_other_max_ages_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_max_age(value)  # type: ignore[arg-type]


def test_acr_values_are_printable_words() -> None:
    assert parse_acr_values("mfa phr") == "mfa phr"
    for bad in ("mfa\nphr", "a  b", " a", "é"):
        with pytest.raises(ValueError):
            parse_acr_values(bad)


def test_transaction_keeps_max_age_and_switch_target_and_refuses_bad_ones() -> None:
    txn = Transaction("s" * 32, "n", "v", "/", 1.0, "https://app/cb", 300, "org_b")
    assert Transaction.from_payload(txn.to_payload()) == txn
    plain = Transaction("s" * 32, "n", "v", "/", 1.0, "https://app/cb")
    assert "m" not in plain.to_payload() and "w" not in plain.to_payload()
    for bad in ({"m": -1}, {"m": "300"}, {"m": True}, {"w": 5}):
        assert Transaction.from_payload({**txn.to_payload(), **bad}) is None


def test_require_recent_login() -> None:
    user = User("usr_1", auth_time=1000.0)
    assert require_recent_login(user, 300, 1300.0) is user
    for stale in (User("usr_1", auth_time=1000.0), User("usr_1")):
        with pytest.raises(ReauthenticationRequired) as raised:
            require_recent_login(stale, 300, 1300.5, api=True)
        assert raised.value.max_age == 300 and raised.value.api
        assert raised.value.reason is Reason.REAUTHENTICATION_REQUIRED


def test_member_organizations_lists_active_memberships_only() -> None:
    user = DirectoryUser(
        "usr_1",
        memberships=(
            Membership("org_a", "ACTIVE"),
            Membership("org_b", "PENDING_INVITE"),
            Membership("org_c"),
            Membership(None, "ACTIVE"),
        ),
    )
    assert member_organizations(user) == ("org_a", "org_c")
