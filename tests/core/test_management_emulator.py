"""The management sub-clients against the emulator over real HTTP, sync and async."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import jwt
import pytest

from scalekit_core import (
    AlreadyExistsError,
    AsyncScalekitClient,
    NotFoundError,
    RateLimitError,
    ScalekitClient,
    ServerError,
)
from scalekit_core.management import CreateOrganization, CreateUser, Timestamp

from .management_helpers import FAST_RETRY

ORGS = "/api/v1/organizations"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def client(scalekit_emulator: Any) -> Iterator[ScalekitClient]:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret, retry=FAST_RETRY) as c:
        yield c


@pytest.fixture
async def aclient(scalekit_emulator: Any) -> AsyncIterator[AsyncScalekitClient]:
    emu = scalekit_emulator
    async with AsyncScalekitClient(
        emu.url, emu.client_id, emu.client_secret, retry=FAST_RETRY
    ) as c:
        yield c


def _new_session(emu: Any, email: str = "alice@acme.test") -> str:
    """Sign a user in (a real Scalekit session) and return its session id."""
    tokens = emu.issue_tokens(email=email, scopes=("openid", "profile", "email"))
    sid = jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]
    assert isinstance(sid, str)
    return sid


# --- organizations ------------------------------------------------------------------------------


def test_organization_lifecycle(client: ScalekitClient, scalekit_emulator: Any) -> None:
    org = client.organization.create_organization(
        CreateOrganization(display_name="Initech", external_id="initech", metadata={"a": "b"})
    )
    assert org.id.startswith("org_") and org.display_name == "Initech"
    assert org.metadata == {"a": "b"} and org.create_time is not None
    assert org.create_time.tzinfo is not None
    assert client.organization.get_organization(org.id) == org
    assert client.organization.get_organization_by_external_id("initech").id == org.id
    assert client.organization.get_organization_by_external_id("acme").id == "org_acme"

    updated = client.organization.update_organization(org.id, display_name="Initech Ltd")
    assert updated.display_name == "Initech Ltd" and updated.external_id == "initech"
    assert client.organization.get_organization(org.id).display_name == "Initech Ltd"

    link = client.organization.generate_portal_link(org.id)
    assert link.id and link.location.startswith(scalekit_emulator.url)
    assert link.expire_time is not None and link.expire_time > datetime.now(timezone.utc)

    with pytest.raises(AlreadyExistsError) as caught:
        client.organization.create_organization(
            CreateOrganization(display_name="Copy", external_id="initech")
        )
    assert caught.value.code == 6 and caught.value.error_code == "ORGANIZATION_ALREADY_EXISTS"

    client.organization.delete_organization(org.id)
    with pytest.raises(NotFoundError) as missing:
        client.organization.get_organization(org.id)
    assert missing.value.status_code == 404 and missing.value.code == 5


def test_organization_pagination(client: ScalekitClient) -> None:
    created = [
        client.organization.create_organization(CreateOrganization(display_name=f"Org {i}")).id
        for i in range(5)
    ]
    first = client.organization.list_organizations(page_size=3)
    assert first.total_size == 7 and len(first.organizations) == 3 and first.next_page_token
    assert first.prev_page_token == ""
    second = client.organization.list_organizations(page_size=3, page_token=first.next_page_token)
    assert len(second.organizations) == 3 and second.prev_page_token
    third = client.organization.list_organizations(page_size=3, page_token=second.next_page_token)
    assert len(third.organizations) == 1 and third.next_page_token == ""
    ids = [o.id for o in client.organization.iter_organizations(page_size=2)]
    assert len(ids) == len(set(ids)) == 7
    assert {"org_acme", "org_globex", *created} == set(ids)
    pages = first.organizations + second.organizations + third.organizations
    assert [o.id for o in pages] == ids


@pytest.mark.anyio
async def test_async_organizations(aclient: AsyncScalekitClient) -> None:
    org = await aclient.organization.create_organization(
        CreateOrganization(display_name="Async Org", external_id="async-org")
    )
    assert (await aclient.organization.get_organization(org.id)).display_name == "Async Org"
    assert (await aclient.organization.get_organization_by_external_id("async-org")).id == org.id
    updated = await aclient.organization.update_organization(org.id, region_code="EU")
    assert updated.region_code == "EU"
    assert (await aclient.organization.generate_portal_link(org.id)).location
    ids = [o.id async for o in aclient.organization.iter_organizations(page_size=1)]
    assert sorted(ids) == sorted(["org_acme", "org_globex", org.id])
    page = await aclient.organization.list_organizations(page_size=2)
    assert page.total_size == 3 and page.next_page_token
    await aclient.organization.delete_organization(org.id)
    with pytest.raises(NotFoundError):
        await aclient.organization.get_organization(org.id)


# --- sessions -----------------------------------------------------------------------------------


def test_sessions_list_filter_and_revoke(client: ScalekitClient, scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    sids = [_new_session(emu) for _ in range(3)]
    _new_session(emu, "bob@acme.test")

    session = client.session.get_session(session_id=sids[0])
    assert session.session_id == sids[0] and session.user_id == "usr_alice"
    assert session.status == "active" and session.organization_id == "org_acme"
    assert session.device is not None and session.created_at is not None

    page = client.sessions.get_user_sessions(user_id="usr_alice", page_size=2)
    assert page.total_size == 3 and len(page.sessions) == 2 and page.next_page_token
    assert sorted(
        s.session_id for s in client.session.iter_user_sessions("usr_alice", 1)
    ) == sorted(sids)

    revoked = client.session.revoke_session(session_id=sids[0])
    assert revoked.session_id == sids[0] and revoked.status == "revoked"
    # Visible in later reads, through the API and in the emulator itself.
    assert client.session.get_session(session_id=sids[0]).status == "revoked"
    assert emu.session(sids[0])["status"] == "revoked"
    active = client.session.create_session_filter(status=["ACTIVE"])
    listed = client.session.get_user_sessions(user_id="usr_alice", filter=active)
    assert sorted(s.session_id for s in listed.sessions) == sorted(sids[1:])
    both = client.session.create_session_filter(status=["revoked", "Active"])
    assert client.session.get_user_sessions(user_id="usr_alice", filter=both).total_size == 3

    now = datetime.now(timezone.utc)
    future = client.session.create_session_filter(start_time=now + timedelta(hours=1))
    assert client.session.get_user_sessions(user_id="usr_alice", filter=future).sessions == ()
    ts = Timestamp()
    ts.FromDatetime(now - timedelta(hours=1))
    window = client.session.create_session_filter(
        start_time=ts, end_time=now + timedelta(minutes=5)
    )
    assert client.session.get_user_sessions(user_id="usr_alice", filter=window).total_size == 3

    result = client.session.revoke_all_user_sessions(user_id="usr_alice")
    assert result.total_revoked == 2
    assert sorted(s.session_id for s in result.revoked_sessions) == sorted(sids[1:])
    assert client.session.get_user_sessions(user_id="usr_alice", filter=active).total_size == 0
    assert {s.status for s in client.session.iter_user_sessions("usr_alice")} == {"revoked"}
    # Bob's session is untouched; repeating a revoke is harmless.
    assert client.session.get_user_sessions(user_id="usr_bob", filter=active).total_size == 1
    assert client.session.revoke_session(session_id=sids[0]).status == "revoked"
    with pytest.raises(NotFoundError):
        client.session.get_session(session_id="ses_missing")


@pytest.mark.anyio
async def test_async_sessions(aclient: AsyncScalekitClient, scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    sids = [_new_session(emu) for _ in range(3)]
    assert (await aclient.session.get_session(session_id=sids[1])).status == "active"
    seen = [s.session_id async for s in aclient.sessions.iter_user_sessions("usr_alice", 2)]
    assert sorted(seen) == sorted(sids)
    await aclient.session.revoke_session(session_id=sids[1])
    active = aclient.session.create_session_filter(status=["active"])
    page = await aclient.session.get_user_sessions(user_id="usr_alice", filter=active)
    assert sorted(s.session_id for s in page.sessions) == sorted([sids[0], sids[2]])
    result = await aclient.session.revoke_all_user_sessions(user_id="usr_alice")
    assert result.total_revoked == 2
    assert emu.session(sids[2])["status"] == "revoked"


# --- users --------------------------------------------------------------------------------------


def test_users(client: ScalekitClient) -> None:
    alice = client.user.get_user("usr_alice")
    assert alice.email == "alice@acme.test"
    assert alice.memberships[0].organization_id == "org_acme"
    assert [r.name for r in alice.memberships[0].roles] == ["admin"]
    assert alice.user_profile is not None and alice.user_profile.name == "Alice Anders"

    page = client.users.list_users(page_size=2)
    assert page.total_size == 4 and len(page.users) == 2 and page.next_page_token
    assert {u.id for u in client.user.iter_users(page_size=1)} == {
        "usr_alice",
        "usr_bob",
        "usr_carol",
        "usr_dana",
    }
    acme = client.user.list_organization_users("org_acme")
    assert {u.id for u in acme.users} == {"usr_alice", "usr_bob", "usr_dana"}
    # Dana belongs to two organizations, with other roles in each.
    dana = client.user.get_user("usr_dana")
    assert [(m.organization_id, [r.name for r in m.roles]) for m in dana.memberships] == [
        ("org_acme", ["member"]),
        ("org_globex", ["admin"]),
    ]

    dave = client.user.create_user(
        "org_globex", email="dave@globex.test", first_name="Dave", last_name="Doe", roles=["admin"]
    )
    assert dave.email == "dave@globex.test" and dave.memberships[0].organization_id == "org_globex"
    assert [r.name for r in dave.memberships[0].roles] == ["admin"]
    assert {u.id for u in client.user.iter_organization_users("org_globex")} == {
        "usr_carol",
        "usr_dana",
        dave.id,
    }
    with pytest.raises(AlreadyExistsError):
        client.user.create_user("org_globex", CreateUser(email="dave@globex.test"))

    renamed = client.user.update_user(dave.id, name="David Doe", metadata={"team": "x"})
    assert renamed.user_profile is not None and renamed.user_profile.name == "David Doe"
    assert client.user.get_user(dave.id).metadata == {"team": "x"}
    client.user.delete_user(dave.id)
    with pytest.raises(NotFoundError):
        client.user.get_user(dave.id)


@pytest.mark.anyio
async def test_async_users(aclient: AsyncScalekitClient) -> None:
    assert (await aclient.user.get_user("usr_bob")).email == "bob@acme.test"
    assert (await aclient.users.list_users()).total_size == 4
    assert len([u async for u in aclient.user.iter_users(page_size=2)]) == 4
    erin = await aclient.user.create_user("org_acme", email="erin@acme.test", roles=["member"])
    ids = [u.id async for u in aclient.user.iter_organization_users("org_acme", page_size=1)]
    assert erin.id in ids and len(ids) == 4
    assert (await aclient.user.list_organization_users("org_acme")).total_size == 4
    updated = await aclient.user.update_user(erin.id, external_id="ext-erin")
    assert updated.external_id == "ext-erin"
    await aclient.user.delete_user(erin.id)
    with pytest.raises(NotFoundError):
        await aclient.user.get_user(erin.id)


# --- the management token -----------------------------------------------------------------------


def test_token_fetched_lazily_and_reused(scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    client = ScalekitClient(emu.url, emu.client_id, emu.client_secret)
    assert emu.token_calls("client_credentials") == 0  # nothing at construction
    for _ in range(3):
        client.organization.get_organization("org_acme")
    assert emu.token_calls("client_credentials") == 1
    client.close()


def test_token_refetched_before_expiry(scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    # set_token_lifetimes covers user tokens; the machine token's lifetime is its own.
    emulator = emu.emulator
    with emulator.lock:
        emulator.lifetimes = dataclasses.replace(emulator.lifetimes, client_credentials=100)
    now = [time.time()]
    client = ScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=lambda: now[0])
    client.organization.get_organization("org_acme")
    now[0] += 85  # still comfortably valid
    client.organization.get_organization("org_acme")
    assert emu.token_calls("client_credentials") == 1
    now[0] += 10  # inside the safety margin before the token expires
    client.organization.get_organization("org_acme")
    assert emu.token_calls("client_credentials") == 2
    assert emu.calls(ORGS + "/org_acme") == 3  # no 401 round trip was needed
    client.close()


def test_token_rejected_with_401_is_refetched_once(
    client: ScalekitClient, scalekit_emulator: Any
) -> None:
    emu = scalekit_emulator
    client.organization.get_organization("org_acme")
    emu.set_clock_offset(2 * 86400)  # the cached token has expired on the server's clock
    assert client.organization.get_organization("org_acme").id == "org_acme"
    assert emu.token_calls("client_credentials") == 2
    assert emu.calls(ORGS + "/org_acme") == 3  # ok, 401, ok after the refetch


def test_concurrent_first_calls_share_one_token_threads(scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    emu.inject_fault("/oauth/token", delay=0.1)  # keep the first fetch in flight
    client = ScalekitClient(emu.url, emu.client_id, emu.client_secret)
    barrier = threading.Barrier(10)
    results: list[str] = []

    def work() -> None:
        barrier.wait()
        results.append(client.organization.get_organization("org_acme").id)

    threads = [threading.Thread(target=work) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["org_acme"] * 10
    assert emu.token_calls("client_credentials") == 1
    client.close()


@pytest.mark.anyio
async def test_concurrent_first_calls_share_one_token_tasks(scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    emu.inject_fault("/oauth/token", delay=0.1)
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(25):
                tg.start_soon(client.organization.get_organization, "org_acme")
        emu.set_clock_offset(2 * 86400)
        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(client.session.get_user_sessions, "usr_alice")
    assert emu.token_calls("client_credentials") == 2  # first use, then one shared refetch


# --- faults and retries -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_idempotent_calls_recover_from_faults(
    client: ScalekitClient, scalekit_emulator: Any, status: int
) -> None:
    emu = scalekit_emulator
    emu.inject_fault(ORGS + "/org_acme", status=status, count=2)
    started = time.monotonic()
    assert client.organization.get_organization("org_acme").id == "org_acme"
    assert time.monotonic() - started < FAST_RETRY.total_budget
    assert emu.calls(ORGS + "/org_acme") == 3


def test_retries_are_bounded(client: ScalekitClient, scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    emu.inject_fault(ORGS + "/org_acme", status=429, count=50)
    with pytest.raises(RateLimitError):
        client.organization.get_organization("org_acme")
    assert emu.calls(ORGS + "/org_acme") == FAST_RETRY.max_attempts


def test_every_idempotent_kind_is_retried(client: ScalekitClient, scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    sid = _new_session(emu)
    for path in (
        "/api/v1/organizations/org_globex/portal_links",
        f"/api/v1/sessions/{sid}/revoke",
        "/api/v1/users/usr_bob",
    ):
        emu.inject_fault(path, status=503)
    client.organization.generate_portal_link("org_globex")
    client.session.revoke_session(session_id=sid)
    client.user.delete_user("usr_bob")
    assert emu.calls("/api/v1/organizations/org_globex/portal_links") == 2
    assert emu.calls(f"/api/v1/sessions/{sid}/revoke") == 2
    assert emu.calls("/api/v1/users/usr_bob") == 2


def test_create_is_never_sent_twice(client: ScalekitClient, scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    emu.inject_fault(ORGS, status=503)  # a prefix: more uses would also hit the calls below
    with pytest.raises(ServerError):
        client.organization.create_organization(CreateOrganization(display_name="Once"))
    assert emu.calls(ORGS) == 1
    emu.inject_fault("/api/v1/organizations/org_acme/users", status=429, count=5)
    with pytest.raises(RateLimitError):
        client.user.create_user("org_acme", email="once@acme.test")
    assert emu.calls("/api/v1/organizations/org_acme/users") == 1
    assert client.organization.list_organizations().total_size == 2


@pytest.mark.anyio
async def test_async_faults(aclient: AsyncScalekitClient, scalekit_emulator: Any) -> None:
    emu = scalekit_emulator
    emu.inject_fault("/api/v1/users/usr_alice/sessions", status=503, count=2)
    await aclient.session.get_user_sessions(user_id="usr_alice")
    assert emu.calls("/api/v1/users/usr_alice/sessions") == 3
    emu.inject_fault(ORGS, status=502)
    with pytest.raises(ServerError):
        await aclient.organization.create_organization(CreateOrganization(display_name="Once"))
    assert emu.calls(ORGS) == 1


# --- the official docs' snippets, only the import lines changed ---------------------------------

IMPORTS = {
    "from scalekit.v1.organizations.organizations_pb2 import CreateOrganization": (
        "from scalekit_core.management import CreateOrganization"
    ),
    "from google.protobuf.timestamp_pb2 import Timestamp": (
        "from scalekit_core.management import Timestamp"
    ),
}

CREATE_ORGANIZATION = """\
from scalekit.v1.organizations.organizations_pb2 import CreateOrganization

organization = scalekit_client.organization.create_organization(
    CreateOrganization(
        display_name='Acme Corp',
        external_id='org_12345',
    )
)

print(f'Organization created: {organization.id}')
"""

PORTAL_LINK = """\
link = scalekit_client.organization.generate_portal_link(organization_id)

# Use link.location for iframe or shareable URL
return jsonify({'portal_url': link.location})
"""

GET_SESSION = """\
session_details = scalekit_client.session.get_session(
    session_id='ses_1234567890123456'
)
print(f'Session: {session_details}')
"""

LIST_SESSIONS = """\
from google.protobuf.timestamp_pb2 import Timestamp
from datetime import datetime

start_time = Timestamp()
start_time.FromDatetime(datetime(2025, 1, 1))
end_time = Timestamp()
end_time.FromDatetime(datetime(2025, 12, 31))

filter_obj = scalekit_client.session.create_session_filter(
    status=['ACTIVE'],
    start_time=start_time,
    end_time=end_time
)

user_sessions = scalekit_client.session.get_user_sessions(
    user_id='usr_1234567890123456',
    page_size=10,
    filter=filter_obj
)
"""

REVOKE_SESSION = """\
revoked_session = scalekit_client.session.revoke_session(
    session_id='ses_1234567890123456'
)
print('Session revoked')
"""

REVOKE_ALL = """\
revoked_sessions = scalekit_client.session.revoke_all_user_sessions(
    user_id='usr_1234567890123456'
)
print('All sessions revoked')
"""


def _run_snippet(snippet: str, namespace: dict[str, Any]) -> dict[str, Any]:
    for theirs, ours in IMPORTS.items():
        snippet = snippet.replace(theirs, ours)
    if "\nreturn " in snippet:  # a view-function body in the docs
        snippet = "def view():\n" + "".join(f"    {line}\n" for line in snippet.splitlines())
        snippet += "result = view()\n"
    exec(compile(snippet, "<official-docs>", "exec"), namespace)
    return namespace


def _adopt_documented_ids(emu: Any) -> None:
    """Give a real session and user the ids the docs use (the snippets stay untouched)."""
    state = emu.emulator.state
    with emu.emulator.lock:
        user = dataclasses.replace(state.users.pop("usr_bob"), id="usr_1234567890123456")
        state.users[user.id] = user
    sid = _new_session(emu, "bob@acme.test")
    with emu.emulator.lock:
        record = dataclasses.replace(state.sessions.pop(sid), session_id="ses_1234567890123456")
        state.sessions[record.session_id] = record
    _new_session(emu, "bob@acme.test")  # a second one for "revoke all"


def test_official_docs_snippets(
    client: ScalekitClient, scalekit_emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = scalekit_emulator
    _adopt_documented_ids(emu)
    ns: dict[str, Any] = {"scalekit_client": client, "jsonify": lambda value: value}

    _run_snippet(CREATE_ORGANIZATION, ns)
    assert ns["organization"].id.startswith("org_")
    assert (
        client.organization.get_organization_by_external_id("org_12345").id == ns["organization"].id
    )

    ns["organization_id"] = ns["organization"].id
    _run_snippet(PORTAL_LINK, ns)
    assert ns["result"]["portal_url"].startswith(emu.url)

    _run_snippet(GET_SESSION, ns)
    assert ns["session_details"].status == "active"

    _run_snippet(LIST_SESSIONS, ns)
    assert ns["user_sessions"].sessions == ()  # the docs' 2025 window; sessions are newer
    ns_now: dict[str, Any] = {"scalekit_client": client}
    _run_snippet(LIST_SESSIONS.replace("2025, 12, 31", "2100, 1, 1"), ns_now)
    assert ns_now["user_sessions"].total_size == 2

    _run_snippet(REVOKE_SESSION, ns)
    assert ns["revoked_session"].status == "revoked"
    assert emu.session("ses_1234567890123456")["status"] == "revoked"

    _run_snippet(REVOKE_ALL, ns)
    assert ns["revoked_sessions"].total_revoked == 1
    out = capsys.readouterr().out
    assert "Organization created: org_" in out and "All sessions revoked" in out
