"""Cookie names, ambiguous requests and replays, decided in the core (the adapters' tests run
the same cases over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import (
    AsyncSessionManager,
    CookieWrite,
    SessionManager,
    SessionSettings,
    WebRequest,
    private_headers,
    safe_return_to,
)
from scalekit_core.web.context import WebContext
from scalekit_core.web.cookies import chunk_names, is_ambiguous, read_chunked
from scalekit_core.web.requests import RequestCookies
from scalekit_core.web.return_to import MAX_RETURN_TO_LENGTH
from scalekit_core.web.transactions import ConsumedStates
from scalekit_emulator import EmulatorHandle

if TYPE_CHECKING:
    from tests.core.conftest import Browser, FakeClock

SECRET = "core-ambiguity-secret-" + "s" * 32
HTTPS = "https://app.example"


def settings(base_url: str = HTTPS, **overrides: object) -> SessionSettings:
    return SessionSettings(secrets=SECRET, base_url=base_url, **overrides)  # type: ignore[arg-type]


def test_https_app_uses_host_prefixed_cookie_names() -> None:
    secure = settings()
    assert secure.session_cookie == "__Host-scalekit_session"
    assert secure.transaction_cookie_prefix == "__Host-scalekit_txn_"
    local = settings("http://localhost:8000")
    assert local.session_cookie == "scalekit_session"
    shared = settings(cookie_domain="example.com")  # __Host- forbids a Domain
    assert shared.session_cookie == "scalekit_session"


@pytest.fixture
def client(scalekit_emulator: EmulatorHandle, clock: FakeClock) -> Iterator[ScalekitClient]:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        yield sk


def test_https_login_sets_reads_and_deletes_the_same_host_prefixed_names(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    # Secure cookies on the emulator's registered redirect URI (TLS ends at a proxy).
    manager = SessionManager(client, settings("http://localhost:8000", cookie_secure=True))
    started = manager.start_login(browser.request("/auth/login"))
    [transaction] = started.cookies
    assert transaction.name.startswith("__Host-scalekit_txn_")
    assert transaction.secure and transaction.path == "/" and transaction.domain is None
    callback = scalekit_emulator.sign_in(browser.follow(started), "alice@acme.test")
    done = manager.complete_login(browser.request(callback))
    assert {w.name: w.is_deletion for w in done.cookies} == {
        transaction.name: True,
        "__Host-scalekit_session": False,
    }
    browser.follow(done)
    assert manager.load(browser.request("/")).user is not None
    logout = manager.logout(browser.request("/auth/logout", "POST", {"sec-fetch-site": "none"}))
    assert [w.name for w in logout.cookies if w.is_deletion] == ["__Host-scalekit_session"]


def test_only_names_the_layer_writes_are_deleted() -> None:
    cookies = {
        "scalekit_session.\u00b2": "1",
        "scalekit_session.\u0663": "1",
        "scalekit_session.10": "1",
        "scalekit_session.01": "1",
        "scalekit_session.1": "v",
    }
    assert chunk_names(cookies, "scalekit_session") == ["scalekit_session.1"]
    ctx = WebContext(settings("http://localhost"), None, lambda: 0.0)  # type: ignore[arg-type]
    names = ctx.transactions.names_in(
        {
            "scalekit_txn_a/b": "1",
            "scalekit_txn_" + "x" * 32: "1",
            "scalekit_txn_retry." + "y" * 32: "1",
            "scalekit_txn_" + "z" * 33: "1",  # valid characters, but never a generated state
            "scalekit_txn_" + "\u00e9" * 32: "1",
        }
    )
    assert names == ["scalekit_txn_" + "x" * 32, "scalekit_txn_retry." + "y" * 32]


def test_repeated_session_cookie_names_are_ambiguous() -> None:
    def parsed(header: str) -> RequestCookies:
        pairs = dict(part.strip().split("=", 1) for part in header.split(";"))
        return WebRequest("GET", "/", "", {"cookie": header}, pairs).cookies  # type: ignore[return-value]

    name = "scalekit_session"
    assert not is_ambiguous(parsed(f"{name}=a"), name)
    for header in (f"{name}=a; {name}=b", f"{name}=a; {name}.0=a", f"{name}.0=a; {name}.0=b"):
        assert is_ambiguous(parsed(header), name) and read_chunked(parsed(header), name) is None
    # Repeated names outside the layer's own are not its business.
    assert not is_ambiguous(parsed(f"{name}=a; theme=x; theme=y"), name)


def test_repeated_callback_parameters_and_authorization_are_flagged() -> None:
    request = WebRequest("GET", "/auth/callback", "code=A&code=B&state=S")
    assert request.repeated_query == frozenset({"code"}) and request.query["code"] == "A"
    joined = WebRequest("GET", "/", "", {"authorization": "Bearer a, Bearer b"})
    assert joined.authorization_ambiguous and joined.bearer_token is None
    assert joined.presents_credentials
    single = WebRequest("GET", "/", "", {"Authorization": "Bearer a"})
    assert not single.authorization_ambiguous and single.bearer_token == "a"


def test_private_headers_override_caching_and_add_vary_cookie() -> None:
    write = CookieWrite("scalekit_session", "v", 60)
    assert private_headers([]) == {}
    assert private_headers([write]) == {
        "Cache-Control": "private, no-store",
        "Pragma": "no-cache",
        "Vary": "Cookie",
    }
    assert private_headers([write], "Accept, cookie")["Vary"] == "Accept, cookie"
    assert private_headers([write], "*")["Vary"] == "*"


def test_return_to_is_percent_encoded_ascii_and_bounded() -> None:
    assert safe_return_to("/caf\u00e9\u2028?q=\u00fc") == "/caf%C3%A9%E2%80%A8?q=%C3%BC"
    assert safe_return_to("/a%20b#top") == "/a%20b#top"  # already encoded: kept
    assert safe_return_to("/" + "a" * MAX_RETURN_TO_LENGTH) == "/"
    assert safe_return_to("/" + "\u00e9" * 100) == "/"  # too long once encoded


def test_consumed_states_claim_once_within_the_transaction_lifetime() -> None:
    consumed = ConsumedStates(ttl=600, max_size=3)
    assert consumed.claim("state-a", 0) and not consumed.claim("state-a", 599)
    assert consumed.claim("state-a", 600)  # expired: a transaction this old is refused anyway
    for name in ("b", "c", "d"):
        assert consumed.claim(name, 700)
    assert len(consumed._seen) <= 3


@pytest.mark.anyio
async def test_async_twin_refuses_a_replayed_callback_before_the_token_endpoint(
    scalekit_emulator: EmulatorHandle, clock: FakeClock, browser: Browser
) -> None:
    emu = scalekit_emulator
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        manager = AsyncSessionManager(sk, settings("http://localhost:8000"))
        started = await manager.start_login(browser.request("/auth/login"))
        callback = emu.sign_in(browser.follow(started), "alice@acme.test")
        request = browser.request(callback)
        assert (await manager.complete_login(request)).status == 302
        replay = await manager.complete_login(request)
        assert replay.status == 400 and "already used" in replay.message
        assert emu.token_calls("authorization_code") == 1
