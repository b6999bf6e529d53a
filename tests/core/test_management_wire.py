"""Wire shapes (method, path, query, body) of every management operation, against a recording
fake; flows driven by hand for errors and malformed bodies; models, filters and Timestamp."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from scalekit_core import (
    AlreadyExistsError,
    APIError,
    AsyncScalekitClient,
    CancelledError,
    ConflictError,
    GatewayTimeoutError,
    HTTPResponse,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    NotImplementedServerError,
    PermissionDeniedError,
    RateLimitError,
    ScalekitClient,
    ScalekitConfig,
    ScalekitError,
    ServerError,
    ServiceUnavailableError,
    UnauthenticatedError,
    UnknownAPIError,
)
from scalekit_core.context import ClientContext
from scalekit_core.flows import run_flow_with
from scalekit_core.management import (
    CreateOrganization,
    CreateUser,
    Organization,
    Session,
    Timestamp,
    UpdateOrganization,
    create_session_filter,
)
from scalekit_core.management.organizations import (
    create_organization_flow,
    get_organization_flow,
    list_organizations_flow,
)
from scalekit_core.management.sessions import get_session_flow, revoke_session_flow
from scalekit_core.management.wire import format_rfc3339, parse_rfc3339

from .management_helpers import ENV, FAST_RETRY, FakeScalekit, gateway_error
from .official_sdk import official


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> FakeScalekit:
    return FakeScalekit()


@pytest.fixture
def client(fake: FakeScalekit) -> Any:
    http = httpx.Client(transport=httpx.MockTransport(fake))
    with ScalekitClient(ENV, "skc_1", "s3cret", http_client=http, retry=FAST_RETRY) as c:
        yield c
    http.close()


def _ctx() -> ClientContext:
    return ClientContext(ScalekitConfig(ENV + "/", "skc_1", "s3cret"))


# (call on the client, method, path, query, body)
WIRE_CASES: list[tuple[str, Any, str, str, list[tuple[str, str]], Any]] = [
    (
        "create_organization",
        lambda c: c.organization.create_organization(
            CreateOrganization(display_name="Acme Corp", external_id="org_12345")
        ),
        "POST",
        "/api/v1/organizations",
        [],
        {"display_name": "Acme Corp", "external_id": "org_12345"},
    ),
    (
        "create_organization_full",
        lambda c: c.organization.create_organization(
            CreateOrganization("X", region_code="EU", metadata={"a": "b"}, slug="x")
        ),
        "POST",
        "/api/v1/organizations",
        [],
        {"display_name": "X", "region_code": "EU", "metadata": {"a": "b"}, "slug": "x"},
    ),
    (
        "get_organization",
        lambda c: c.organization.get_organization("org_1"),
        "GET",
        "/api/v1/organizations/org_1",
        [],
        None,
    ),
    (
        "get_by_external_id",
        lambda c: c.organization.get_organization_by_external_id("a/b c"),
        "GET",
        "/api/v1/organizations:external/a%2Fb%20c",
        [],
        None,
    ),
    (
        "list_organizations",
        lambda c: c.organization.list_organizations(),
        "GET",
        "/api/v1/organizations",
        [],
        None,
    ),
    (
        "list_organizations_paged",
        lambda c: c.organization.list_organizations(page_size=5, page_token="tok"),
        "GET",
        "/api/v1/organizations",
        [("page_size", "5"), ("page_token", "tok")],
        None,
    ),
    (
        "update_organization_fields",
        lambda c: c.organization.update_organization("org_1", display_name="New"),
        "PATCH",
        "/api/v1/organizations/org_1",
        [],
        {"display_name": "New"},
    ),
    (
        "update_organization_value",
        lambda c: c.organization.update_organization(
            "org_1", UpdateOrganization(external_id="", metadata={"k": "v"})
        ),
        "PATCH",
        "/api/v1/organizations/org_1",
        [],
        {"external_id": "", "metadata": {"k": "v"}},
    ),
    (
        "delete_organization",
        lambda c: c.organization.delete_organization("org_1"),
        "DELETE",
        "/api/v1/organizations/org_1",
        [],
        None,
    ),
    (
        "portal_link",
        lambda c: c.organization.generate_portal_link("org_1"),
        "PUT",
        "/api/v1/organizations/org_1/portal_links",
        [],
        None,
    ),
    (
        "get_session",
        lambda c: c.session.get_session(session_id="ses_1"),
        "GET",
        "/api/v1/sessions/ses_1",
        [],
        None,
    ),
    (
        "get_user_sessions",
        lambda c: c.sessions.get_user_sessions(
            user_id="usr_1",
            page_size=10,
            page_token="p2",
            filter=c.session.create_session_filter(
                status=["ACTIVE", "Revoked"],
                start_time=datetime(2025, 1, 1),
                end_time=datetime(2025, 12, 31, 23, 59, 59, 500000, tzinfo=timezone.utc),
            ),
        ),
        "GET",
        "/api/v1/users/usr_1/sessions",
        [
            ("page_size", "10"),
            ("page_token", "p2"),
            ("filter.status", "active"),
            ("filter.status", "revoked"),
            ("filter.start_time", "2025-01-01T00:00:00Z"),
            ("filter.end_time", "2025-12-31T23:59:59.5Z"),
        ],
        None,
    ),
    (
        "revoke_session",
        lambda c: c.session.revoke_session(session_id="ses_1"),
        "POST",
        "/api/v1/sessions/ses_1/revoke",
        [],
        None,
    ),
    (
        "revoke_all",
        lambda c: c.session.revoke_all_user_sessions(user_id="usr_1"),
        "POST",
        "/api/v1/users/usr_1/sessions/revoke",
        [],
        None,
    ),
    ("get_user", lambda c: c.user.get_user("usr_1"), "GET", "/api/v1/users/usr_1", [], None),
    (
        "list_users",
        lambda c: c.users.list_users(page_size=2),
        "GET",
        "/api/v1/users",
        [("page_size", "2")],
        None,
    ),
    (
        "list_org_users",
        lambda c: c.user.list_organization_users("org_1", page_token="t"),
        "GET",
        "/api/v1/organizations/org_1/users",
        [("page_token", "t")],
        None,
    ),
    (
        "create_user",
        lambda c: c.user.create_user(
            "org_1", email="n@acme.test", first_name="N", roles=["admin"], metadata={"m": "1"}
        ),
        "POST",
        "/api/v1/organizations/org_1/users",
        [("send_invitation_email", "true")],
        {
            "email": "n@acme.test",
            "metadata": {"m": "1"},
            "user_profile": {"first_name": "N"},
            "membership": {"roles": [{"name": "admin"}]},
        },
    ),
    (
        "update_user",
        lambda c: c.user.update_user("usr_1", last_name="L", external_id="e"),
        "PATCH",
        "/api/v1/users/usr_1",
        [],
        {"user_profile": {"last_name": "L"}, "external_id": "e"},
    ),
    (
        "delete_user",
        lambda c: c.user.delete_user("usr_1"),
        "DELETE",
        "/api/v1/users/usr_1",
        [],
        None,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body"),
    [case[1:] for case in WIRE_CASES],
    ids=[case[0] for case in WIRE_CASES],
)
def test_wire_shape_sync(
    client: Any, fake: FakeScalekit, call: Any, method: str, path: str, query: Any, body: Any
) -> None:
    call(client)
    [sent] = fake.api_calls()
    assert (sent.method, sent.path, sent.query, sent.body) == (method, path, query, body)
    assert sent.headers["authorization"] == "Bearer mgmt-token-1"
    if body is not None:
        assert sent.headers["content-type"] == "application/json"
    # The token came from one client_credentials POST with the secret in the body only.
    [token_call] = [r for r in fake.records if r.path == "/oauth/token"]
    assert token_call.body == {
        "grant_type": "client_credentials",
        "client_id": "skc_1",
        "client_secret": "s3cret",
    }
    assert "authorization" not in token_call.headers


def _async_call(name: str) -> Any:
    """The async twin's version of a WIRE_CASES call, by re-running it on an awaiting proxy."""
    return next(case[1] for case in WIRE_CASES if case[0] == name)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "method", "path", "query", "body"),
    [(case[0], *case[2:]) for case in WIRE_CASES],
    ids=[case[0] for case in WIRE_CASES],
)
async def test_wire_shape_async(
    fake: FakeScalekit, name: str, method: str, path: str, query: Any, body: Any
) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as http:
        client = AsyncScalekitClient(ENV, "skc_1", "s3cret", http_client=http, retry=FAST_RETRY)
        result = _async_call(name)(client)
        await result
    [sent] = fake.api_calls()
    assert (sent.method, sent.path, sent.query, sent.body) == (method, path, query, body)
    assert sent.headers["authorization"] == "Bearer mgmt-token-1"


def test_results_are_parsed(client: Any) -> None:
    org = client.organization.get_organization("org_1")
    assert isinstance(org, Organization)
    assert org.id == "org_1" and org.metadata == {"tier": "gold"}
    assert org.create_time == datetime(2025, 1, 2, 3, 4, 5, 123000, tzinfo=timezone.utc)
    assert org.raw["brand_new_field"] == 1
    page = client.organization.list_organizations()
    assert page.total_size == 1 and page.next_page_token == "" and page.organizations[0] == org
    session = client.session.get_session(session_id="ses_1")
    assert isinstance(session, Session)
    assert session.status == "active" and session.id == "ses_1"
    assert session.created_at == datetime(2025, 3, 1, 10, tzinfo=timezone.utc)
    assert session.device is not None and session.device.location is not None
    assert session.device.location.city == "Paris" and session.updated_at is None
    revoked = client.session.revoke_all_user_sessions(user_id="usr_1")
    assert revoked.total_revoked == 1 and revoked.revoked_sessions[0].session_id == "ses_1"
    user = client.user.get_user("usr_1")
    assert user.memberships[0].roles[0].name == "admin"
    assert user.user_profile is not None and user.user_profile.email_verified is True
    link = client.organization.generate_portal_link("org_1")
    assert link.location == "https://portal" and link.expire_time is None
    assert client.organization.delete_organization("org_1") is None


def test_token_fetched_once_then_reused(client: Any, fake: FakeScalekit) -> None:
    for _ in range(5):
        client.organization.get_organization("org_1")
    assert fake.token_count == 1


def test_token_refetched_when_expiring() -> None:
    now = [1000.0]
    fake = FakeScalekit(expires_in=100)
    http = httpx.Client(transport=httpx.MockTransport(fake))
    client = ScalekitClient(ENV, "skc_1", "s3cret", http_client=http, clock=lambda: now[0])
    client.organization.get_organization("org_1")
    now[0] += 85  # within the margin (a tenth of the lifetime) before expiry
    client.organization.get_organization("org_1")
    assert fake.token_count == 1
    now[0] += 6
    client.organization.get_organization("org_1")
    assert fake.token_count == 2
    assert fake.api_calls()[-1].headers["authorization"] == "Bearer mgmt-token-2"


def test_401_refetches_token_once_and_retries_once(client: Any, fake: FakeScalekit) -> None:
    fake.script["/api/v1/organizations/org_1"] = [
        gateway_error(401, 16, "token expired", "UNAUTHENTICATED")
    ]
    assert client.organization.get_organization("org_1").id == "org_1"
    assert fake.token_count == 2
    auths = [r.headers["authorization"] for r in fake.api_calls()]
    assert auths == ["Bearer mgmt-token-1", "Bearer mgmt-token-2"]
    # Rejected twice: the second 401 is raised, no third attempt.
    fake.script["/api/v1/organizations/org_1"] = [
        gateway_error(401, 16, "no", "UNAUTHENTICATED") for _ in range(3)
    ]
    with pytest.raises(UnauthenticatedError) as caught:
        client.organization.get_organization("org_1")
    assert fake.token_count == 3 and len(fake.api_calls()) == 4
    assert "mgmt-token" not in str(caught.value) and "s3cret" not in str(caught.value)


def test_concurrent_first_calls_share_one_token_fetch_threads() -> None:
    fake = FakeScalekit()
    gate = threading.Barrier(8)

    def slow(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            threading.Event().wait(0.05)
        return fake(request)

    http = httpx.Client(transport=httpx.MockTransport(slow))
    client = ScalekitClient(ENV, "skc_1", "s3cret", http_client=http)
    errors: list[BaseException] = []

    def work() -> None:
        gate.wait()
        try:
            client.organization.get_organization("org_1")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and fake.token_count == 1 and len(fake.api_calls()) == 8


@pytest.mark.anyio
async def test_concurrent_first_calls_share_one_token_fetch_tasks() -> None:
    import anyio

    fake = FakeScalekit()

    async def slow(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            await anyio.sleep(0.05)
        return fake(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
        client = AsyncScalekitClient(ENV, "skc_1", "s3cret", http_client=http)
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(client.organization.get_organization, "org_1")
    assert fake.token_count == 1 and len(fake.api_calls()) == 20


def test_retries_idempotent_calls_with_retry_after(client: Any, fake: FakeScalekit) -> None:
    fake.script["/api/v1/organizations/org_1"] = [
        httpx.Response(503, text="busy", headers={"retry-after": "0"}),
        gateway_error(429, 8, "slow down", "RATE_LIMITED"),
    ]
    assert client.organization.get_organization("org_1").id == "org_1"
    assert len(fake.api_calls()) == 3


def test_revoke_posts_are_retried(client: Any, fake: FakeScalekit) -> None:
    fake.script["/api/v1/sessions/ses_1/revoke"] = [httpx.Response(503)]
    client.session.revoke_session(session_id="ses_1")
    assert len(fake.api_calls()) == 2


def test_create_post_is_never_retried(client: Any, fake: FakeScalekit) -> None:
    fake.script["/api/v1/organizations"] = [httpx.Response(503, headers={"retry-after": "0"})]
    with pytest.raises(ServerError):
        client.organization.create_organization(CreateOrganization(display_name="X"))
    fake.script["/api/v1/organizations/org_1/users"] = [httpx.Response(502)]
    with pytest.raises(ServerError):
        client.user.create_user("org_1", CreateUser(email="x@acme.test"))
    assert [r.method for r in fake.api_calls()] == ["POST", "POST"]


# --- flows driven by hand ---------------------------------------------------------------------


def _answer(status: int, body: Any, raw: bytes | None = None) -> HTTPResponse:
    content = raw if raw is not None else json.dumps(body).encode()
    return HTTPResponse(status, {"content-type": "application/json"}, content)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, 3, InvalidArgumentError),
        (401, 16, UnauthenticatedError),
        (403, 7, PermissionDeniedError),
        (404, 5, NotFoundError),
        (409, 6, AlreadyExistsError),
        (409, 10, ConflictError),
        (429, 8, RateLimitError),
        (500, 13, InternalServerError),
        (502, 14, InternalServerError),
        (503, 14, ServiceUnavailableError),
        (504, 4, GatewayTimeoutError),
        (501, 12, NotImplementedServerError),
        (499, 1, CancelledError),
        (418, 2, UnknownAPIError),
    ],
)
def test_gateway_errors_map_to_subclasses(status: int, code: int, kind: type[APIError]) -> None:
    body = {
        "code": code,
        "message": "it went wrong",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "error_code": "E_X"}],
    }
    with pytest.raises(kind) as caught:
        run_flow_with(get_organization_flow(_ctx(), "org_1"), lambda _: _answer(status, body))
    error = caught.value
    assert type(error) is kind
    assert (error.status_code, error.code, error.message) == (status, code, "it went wrong")
    assert error.error_code == "E_X" and error.details[0]["error_code"] == "E_X"


@pytest.mark.parametrize(
    "raw",
    [b"<html>bad gateway</html>", b"", b"[1,2]", b'{"code": "x", "details": "y"}'],
)
def test_error_without_gateway_shape(raw: bytes) -> None:
    with pytest.raises(ServerError) as caught:
        run_flow_with(get_session_flow(_ctx(), "ses_1"), lambda _: _answer(502, None, raw))
    assert caught.value.status_code == 502 and caught.value.code is None


@pytest.mark.parametrize(
    ("flow", "raw"),
    [
        (lambda: get_organization_flow(_ctx(), "org_1"), b"not json"),
        (lambda: get_organization_flow(_ctx(), "org_1"), b"[]"),
        (lambda: get_organization_flow(_ctx(), "org_1"), b'{"organization": "x"}'),
        (lambda: get_organization_flow(_ctx(), "org_1"), b'{"organization": {"id": 5}}'),
        (lambda: get_session_flow(_ctx(), "ses_1"), b'{"status": "active"}'),
        (lambda: revoke_session_flow(_ctx(), "ses_1"), b"{}"),
        (lambda: create_organization_flow(_ctx(), CreateOrganization("X")), b"\xff"),
    ],
)
def test_malformed_success_bodies_raise_scalekit_error(flow: Any, raw: bytes) -> None:
    with pytest.raises(ScalekitError) as caught:
        run_flow_with(flow(), lambda _: _answer(200, None, raw))
    assert not isinstance(caught.value, APIError)


def test_tolerates_missing_and_unknown_fields() -> None:
    page = run_flow_with(
        list_organizations_flow(_ctx()),
        lambda _: _answer(200, {"organizations": [{"id": "org_9", "x": {}}, "junk"], "y": 1}),
    )
    assert [o.id for o in page.organizations] == ["org_9"]
    assert page.organizations[0].display_name is None and page.organizations[0].create_time is None
    assert (page.next_page_token, page.total_size) == ("", 0)


def test_flow_requests_are_idempotent_except_creates() -> None:
    get = next(get_organization_flow(_ctx(), "org_1"))
    create = next(create_organization_flow(_ctx(), CreateOrganization("X")))
    revoke = next(revoke_session_flow(_ctx(), "ses_1"))
    assert get.idempotent and revoke.idempotent and not create.idempotent
    assert get.url == ENV + "/api/v1/organizations/org_1"  # trailing "/" of ENV stripped
    assert "authorization" not in get.headers  # the runner adds the token


def test_official_protobuf_like_create_organization_is_accepted(client: Any, fake: Any) -> None:
    class Proto:  # what a user of the official SDK might still pass
        display_name = "Proto Org"
        external_id = ""
        region_code = ""
        metadata: dict[str, str] = {}
        slug = ""

    client.organization.create_organization(Proto())
    assert fake.api_calls()[0].body == {"display_name": "Proto Org"}


@pytest.mark.official_sdk
def test_official_protobuf_messages_are_accepted(client: Any, fake: Any) -> None:
    organizations_pb2 = official("scalekit.v1.organizations.organizations_pb2")
    users_pb2 = official("scalekit.v1.users.users_pb2")

    client.organization.create_organization(
        organizations_pb2.CreateOrganization(display_name="Pb", external_id="pb", region_code=1)
    )
    client.organization.update_organization(
        "org_1", organizations_pb2.UpdateOrganization(display_name="Pb 2", metadata={"a": "b"})
    )
    client.users.create_user_and_membership(
        "org_1",
        users_pb2.CreateUser(
            email="pb@acme.test",
            user_profile=users_pb2.CreateUserProfile(first_name="P", last_name="B"),
            membership=users_pb2.CreateMembership(roles=[{"name": "admin"}]),
        ),
        send_invitation_email=False,
    )
    client.users.update_user("usr_1", users_pb2.UpdateUser(external_id="x"))
    create, update, user, user_update = fake.api_calls()
    assert create.body == {"display_name": "Pb", "external_id": "pb", "region_code": "US"}
    assert update.body == {"display_name": "Pb 2", "metadata": {"a": "b"}}
    assert user.query == [("send_invitation_email", "false")]
    assert user.body == {
        "email": "pb@acme.test",
        "user_profile": {"first_name": "P", "last_name": "B"},
        "membership": {"roles": [{"name": "admin"}]},
    }
    assert user_update.body == {"external_id": "x"}


def test_bad_inputs_fail_before_any_request(client: Any, fake: FakeScalekit) -> None:
    with pytest.raises(ScalekitError):
        client.organization.create_organization(CreateOrganization(display_name=" "))
    with pytest.raises(ScalekitError):
        client.organization.update_organization("org_1")
    with pytest.raises(ScalekitError):
        client.organization.update_organization("org_1", colour="red")
    with pytest.raises(ScalekitError):
        client.organization.get_organization("")
    with pytest.raises(ScalekitError):
        client.organization.list_organizations(page_size=-1)
    with pytest.raises(ScalekitError):
        client.session.create_session_filter(status=["sleeping"])
    with pytest.raises(ScalekitError):
        client.session.create_session_filter(start_time="2025-01-01")
    assert fake.api_calls() == []


# --- values -------------------------------------------------------------------------------------


def test_timestamp_matches_protobuf_semantics() -> None:
    ts = Timestamp()
    ts.FromDatetime(datetime(2025, 1, 1, 12, 30, 0, 250000))
    assert (ts.seconds, ts.nanos) == (1735734600, 250000000)
    assert ts.ToDatetime() == datetime(2025, 1, 1, 12, 30, 0, 250000)
    assert ts.ToDatetime(timezone.utc).tzinfo is timezone.utc
    assert ts.ToJsonString() == "2025-01-01T12:30:00.25Z"
    other = Timestamp()
    other.FromDatetime(datetime(2025, 1, 1, 13, 30, 0, 250000, tzinfo=timezone(timedelta(hours=1))))
    assert other == ts


def test_session_filter_accepts_datetimes_and_to_datetime_objects() -> None:
    start = Timestamp()
    start.FromDatetime(datetime(2025, 1, 1))
    flt = create_session_filter(status="Expired", start_time=start, end_time=datetime(2025, 2, 1))
    assert flt.to_query() == [
        ("filter.status", "expired"),
        ("filter.start_time", "2025-01-01T00:00:00Z"),
        ("filter.end_time", "2025-02-01T00:00:00Z"),
    ]
    assert create_session_filter(status=["ACTIVE", "active"]).status == ("active",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-02T03:04:05Z", datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ("2025-01-02t03:04:05.5z", datetime(2025, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc)),
        (
            "2025-01-02T05:04:05.123456789+02:00",
            datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc),
        ),
        ("2025-13-02T03:04:05Z", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_parse_rfc3339(text: Any, expected: datetime | None) -> None:
    assert parse_rfc3339(text) == expected
    if expected is not None:
        assert parse_rfc3339(format_rfc3339(expected)) == expected


def test_repr_never_shows_the_token(client: Any) -> None:
    client.organization.get_organization("org_1")
    assert "mgmt-token" not in repr(client._ctx) and "mgmt-token" not in repr(
        client._ctx.management_token
    )


def test_connection_errors_retry_reads_but_not_creates() -> None:
    from scalekit_core import ScalekitConnectionError

    fake = FakeScalekit()
    failures = {"/api/v1/organizations/org_1": 2, "/api/v1/organizations": 1}
    attempts: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts.append(f"{request.method} {request.url.path}")
        if failures.get(request.url.path, 0) > 0:
            failures[request.url.path] -= 1
            raise httpx.ConnectError("connection refused", request=request)
        return fake(request)

    http = httpx.Client(transport=httpx.MockTransport(flaky))
    client = ScalekitClient(ENV, "skc_1", "s3cret", http_client=http, retry=FAST_RETRY)
    assert client.organization.get_organization("org_1").id == "org_1"
    with pytest.raises(ScalekitConnectionError) as caught:
        client.organization.create_organization(CreateOrganization("X"))
    assert "mgmt-token" not in str(caught.value) and "s3cret" not in str(caught.value)
    assert attempts.count("GET /api/v1/organizations/org_1") == 3
    assert attempts.count("POST /api/v1/organizations") == 1


def test_sync_and_async_sub_clients_have_the_same_surface() -> None:
    import inspect

    from scalekit_core.management import clients

    def public(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(member).parameters)
            for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")
        }

    for sync, async_ in [
        (clients.OrganizationClient, clients.AsyncOrganizationClient),
        (clients.SessionClient, clients.AsyncSessionClient),
        (clients.UserClient, clients.AsyncUserClient),
    ]:
        assert public(sync) == public(async_)
        for name, member in inspect.getmembers(async_, inspect.isfunction):
            if name.startswith(("get_", "list_", "create_", "update_", "delete_", "revoke_")):
                assert inspect.iscoroutinefunction(member) or name == "create_session_filter"
