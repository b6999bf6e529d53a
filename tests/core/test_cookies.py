"""Cookie writes (attributes pinned: ``Secure``, ``Domain``, path, ``Max-Age``) and chunking:
which names are the layer's chunks, the chunk size and the ten-chunk maximum."""

from __future__ import annotations

from typing import Any

import pytest

from scalekit_core import ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import CookieWrite, SessionManager, SessionSettings, WebRequest
from scalekit_core.web.cookies import (
    CHUNK_SIZE,
    MAX_CHUNKS,
    CookieJar,
    chunk_names,
    is_ambiguous,
    read_chunked,
    repeated_names,
)
from scalekit_core.web.requests import RequestCookies

SECRET = "cookie-test-secret-" + "c" * 32


def settings(**overrides: Any) -> SessionSettings:
    values: dict[str, Any] = {"secrets": SECRET, "base_url": "https://app.example"}
    values.update(overrides)
    return SessionSettings(**values)


def chunks(name: str, count: int) -> dict[str, str]:
    return {f"{name}.{index}": str(index) for index in range(count)}


def test_the_limits() -> None:
    assert (CHUNK_SIZE, MAX_CHUNKS) == (3800, 10)


@pytest.mark.parametrize(
    ("overrides", "domain", "secure"),
    [
        ({}, None, True),
        ({"cookie_domain": "app.example"}, "app.example", True),
        ({"base_url": "http://localhost:8000"}, None, False),
        ({"base_url": "http://localhost:8000", "cookie_domain": "localhost"}, "localhost", False),
        ({"base_url": "http://localhost:8000", "cookie_secure": True}, None, True),
    ],
)
def test_writes_and_deletions_carry_the_same_attributes(
    overrides: dict[str, Any], domain: str | None, secure: bool
) -> None:
    jar = CookieJar(settings(**overrides))
    assert jar.set("n", "v", 120.9) == CookieWrite("n", "v", 120, "/", domain, secure)
    assert jar.delete("n") == CookieWrite("n", "", 0, "/", domain, secure)
    assert jar.delete_all(["a", "b"]) == [jar.delete("a"), jar.delete("b")]
    for write in (jar.set("n", "v", 1), jar.delete("n")):
        assert (write.httponly, write.samesite) == (True, "Lax")


def test_a_write_lives_at_least_a_second() -> None:
    jar = CookieJar(settings())
    assert [jar.set("n", "v", age).max_age for age in (0, 0.5, 1, 1.9, 2, -5)] == [1, 1, 1, 1, 2, 1]
    assert not jar.set("n", "v", 0).is_deletion


def test_session_cookies_on_https_are_secure_and_carry_the_configured_domain() -> None:
    client = ScalekitClient("http://127.0.0.1:9", "skc_1", "secret", clock=lambda: 1e9)
    for domain in (None, "app.example"):
        manager = SessionManager(client, settings(cookie_domain=domain))
        request = WebRequest("GET", "/", "", {"accept": "text/html"}, {})
        [transaction] = manager.start_login(request).cookies
        assert (transaction.secure, transaction.domain, transaction.path) == (True, domain, "/")
        session = make_session_cookies(manager.settings, now=1e9)
        loaded = manager.load(WebRequest("GET", "/", "", {}, session))
        assert loaded.user is not None
        cleared = manager.end_session(WebRequest("POST", "/", "", {}, session))
        assert cleared and all(c.is_deletion for c in cleared)
        assert all((c.secure, c.domain, c.path) == (True, domain, "/") for c in cleared)


def test_chunk_names_are_only_the_layers_own() -> None:
    cookies = {
        "s": "a",
        "s.0": "b",
        "s.9": "c",
        "s.10": "d",
        "s.foo": "e",
        "s.": "f",
        "s.01": "g",
        "s.-1": "h",
        "s.\u0661": "i",
        "sx.0": "j",
        "x.s.0": "k",
        "s0": "l",
    }
    assert chunk_names(cookies, "s") == ["s", "s.0", "s.9"]
    assert chunk_names({"s.foo": "e"}, "s") == []
    assert chunk_names({"s.1": "e"}, "s") == ["s.1"]


def test_ambiguity() -> None:
    assert not is_ambiguous({"s": "a", "s.foo": "b"}, "s")
    assert not is_ambiguous({"s.0": "a", "s.1": "b"}, "s")
    assert not is_ambiguous({"s": "a"}, "s")
    assert not is_ambiguous({}, "s")
    assert is_ambiguous({"s": "a", "s.0": "b"}, "s")
    repeated = RequestCookies({"s.0": "a", "t": "x"}, "s.0=a; s.0=b; t=x")
    assert repeated_names(repeated) == frozenset({"s.0"})
    assert repeated_names({"s": "a"}) == frozenset()
    assert is_ambiguous(repeated, "s") and read_chunked(repeated, "s") is None
    other = RequestCookies({"s": "a", "t": "x"}, "s=a; t=x; t=y")
    assert not is_ambiguous(other, "s") and read_chunked(other, "s") == "a"


@pytest.mark.parametrize("count", range(1, MAX_CHUNKS + 1))
def test_up_to_ten_chunks_are_read(count: int) -> None:
    assert read_chunked(chunks("s", count), "s") == "".join(str(i) for i in range(count))


@pytest.mark.parametrize("count", [MAX_CHUNKS + 1, MAX_CHUNKS + 2])
def test_more_chunks_than_ten_are_refused(count: int) -> None:
    assert read_chunked(chunks("s", count), "s") is None


def test_chunks_are_read_in_order_until_one_is_missing() -> None:
    assert read_chunked({"s.0": "a", "s.1": "b", "s.3": "d"}, "s") == "ab"
    assert read_chunked({"s.1": "b"}, "s") is None
    assert read_chunked({}, "s") is None
    assert read_chunked({"s": ""}, "s") == ""


def test_set_chunked_sizes_and_stale_chunks() -> None:
    jar = CookieJar(settings())
    assert jar.set_chunked({}, "s", "", 60) == [jar.set("s", "", 60)]
    single = "v" * CHUNK_SIZE
    assert jar.set_chunked({"s.0": "x", "s.1": "y", "s.foo": "z"}, "s", single, 60) == [
        jar.set("s", single, 60),
        jar.delete("s.0"),
        jar.delete("s.1"),
    ]
    value = "a" * CHUNK_SIZE + "b" * CHUNK_SIZE + "c"
    writes = jar.set_chunked({"s": "old", "s.0": "x", "s.3": "y"}, "s", value, 60)
    assert writes == [
        jar.set("s.0", "a" * CHUNK_SIZE, 60),
        jar.set("s.1", "b" * CHUNK_SIZE, 60),
        jar.set("s.2", "c", 60),
        jar.delete("s"),
        jar.delete("s.3"),
    ]
    browser = {w.name: w.value for w in writes if not w.is_deletion}
    assert read_chunked(browser, "s") == value


def test_the_largest_sealed_value_fits_in_ten_chunks() -> None:
    from scalekit_core.web.sealing import MAX_SEALED_LENGTH

    jar = CookieJar(settings())
    writes = jar.set_chunked({}, "s", "x" * MAX_SEALED_LENGTH, 60)
    assert [w.name for w in writes] == [f"s.{index}" for index in range(MAX_CHUNKS)]
    assert read_chunked({w.name: w.value for w in writes}, "s") == "x" * MAX_SEALED_LENGTH
