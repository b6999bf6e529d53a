"""Shared pieces of the per-framework fuzz tests: hypothesis settings, request strategies and
a log watcher.

Every test draws whole requests (method, route, query string, cookies, ``Authorization``,
``Host``, ``X-Forwarded-*``) and asserts no 5xx and no traceback in any log. In CI the run is
small and derandomized (the same examples every run); ``pytest --fuzz-long`` draws many more,
randomly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Set from ``--fuzz-long`` by ``tests/conftest.py`` before the test modules are imported.
LONG = False
CI_EXAMPLES = 150
LONG_EXAMPLES = 5000


def fuzz_settings() -> settings:
    return settings(
        max_examples=LONG_EXAMPLES if LONG else CI_EXAMPLES,
        deadline=None,
        derandomize=not LONG,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


ROUTES = ("/login", "/auth/callback", "/logout", "/dashboard", "/api/me", "/admin", "/")
METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH")
QUERY_KEYS = (
    "code",
    "state",
    "error",
    "error_description",
    "return_to",
    "next",
    "idp_initiated_login",
    "organization_id",
    "connection_id",
    "login_hint",
    "domain",
)
COOKIE_NAMES = (
    "scalekit_session",
    "scalekit_session.0",
    "scalekit_session.1",
    "scalekit_session.9",
    "scalekit_session.²",
    "scalekit_session.٣",
    "scalekit_session.-1",
    "scalekit_txn_",
    "scalekit_txn_a/b",
    "scalekit_txn_abc",
    "scalekit_txn_%2F",
    "__Host-scalekit_session",
    "csrftoken",
    "sessionid",
)

#: What a header value can carry on the wire (latin-1, no control characters).
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
    max_size=60,
)
ascii_token = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=';,= "\\'),
    min_size=1,
    max_size=20,
)
cookie_name = st.one_of(
    st.sampled_from(COOKIE_NAMES),
    st.builds(lambda a, b: a + b, st.sampled_from(COOKIE_NAMES), header_text.map(lambda t: t[:8])),
    ascii_token,
)
cookie_value = st.one_of(header_text, ascii_token, st.just(""))
query_key = st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=10))
query_value = st.one_of(st.text(max_size=40), st.just("/dashboard"), st.just("//evil.test"))


def _jwtish(parts: list[str]) -> str:
    return ".".join(parts)


authorization = st.one_of(
    st.none(),
    header_text,
    st.builds(lambda t: "Bearer " + t, header_text),
    st.builds(lambda p: "Bearer " + _jwtish(p), st.lists(ascii_token, min_size=3, max_size=3)),
    st.builds(
        lambda p: "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6Ing" + _jwtish(p),
        st.lists(ascii_token, min_size=3, max_size=3),
    ),
)
host = st.one_of(st.none(), st.sampled_from(["localhost", "evil.test", "localhost:1"]), header_text)
forwarded = st.dictionaries(
    st.sampled_from(
        ["X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-For", "X-Forwarded-Port", "Origin"]
    ),
    header_text,
    max_size=3,
)


@dataclass(frozen=True)
class FuzzRequest:
    method: str
    path: str
    query: str
    cookie: str | None  # the raw Cookie header
    headers: dict[str, str]  # Authorization, Host, X-Forwarded-*, Accept

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query if self.query else "")

    @property
    def cookie_bytes(self) -> bytes | None:
        """The Cookie header as a browser sends it (UTF-8: names like ``scalekit_session.٣``)."""
        return None if self.cookie is None else self.cookie.encode("utf-8")

    @property
    def cookie_wsgi(self) -> str | None:
        """The same bytes as a WSGI environ holds them (latin-1 decoded)."""
        raw = self.cookie_bytes
        return None if raw is None else raw.decode("latin-1")


@st.composite
def requests(draw: st.DrawFn, session_cookie: str | None = None) -> FuzzRequest:
    """A request to one of the routes; ``session_cookie`` (a real one) is mixed in at times."""
    pairs = draw(st.lists(st.tuples(query_key, query_value), max_size=4))
    query = draw(
        st.one_of(
            st.just(urlencode(pairs)),
            # Only partly escaped: raw '=', '&', '%', '+' and '/' inside keys and values.
            st.just("&".join(f"{quote(k, '=&%+/')}={quote(v, '=&%+/')}" for k, v in pairs)),
            st.text(st.sampled_from("%=&+;?#/abc0129"), max_size=20).map(
                lambda q: q.replace("#", "%23")
            ),
        )
    )
    cookies = draw(st.lists(st.tuples(cookie_name, cookie_value), max_size=4))
    if session_cookie is not None and draw(st.booleans()):
        cookies.append(("scalekit_session", session_cookie))
    cookie = "; ".join(f"{name}={value}" for name, value in cookies) if cookies else None
    headers: dict[str, str] = {
        "Accept": draw(st.sampled_from(["text/html", "application/json", "*/*", ""]))
    }
    if (value := draw(authorization)) is not None:
        headers["Authorization"] = value
    if (value := draw(host)) is not None:
        headers["Host"] = value
    headers.update(draw(forwarded))
    return FuzzRequest(
        draw(st.sampled_from(METHODS)), draw(st.sampled_from(ROUTES)), query, cookie, headers
    )


class TracebackWatcher(logging.Handler):
    """Every log record carrying an exception or a traceback, from any logger."""

    def __init__(self, ignore: tuple[str, ...] = ()) -> None:
        super().__init__(logging.DEBUG)
        self.ignore = ignore
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(self.ignore):
            return
        message = record.getMessage()
        if record.exc_info or "Traceback" in message:
            self.found.append(f"{record.name}: {message}")


@pytest.fixture
def tracebacks() -> Iterator[TracebackWatcher]:
    watcher = TracebackWatcher()
    root = logging.getLogger()
    root.addHandler(watcher)
    try:
        yield watcher
    finally:
        root.removeHandler(watcher)


def check(status: int, request: FuzzRequest, watcher: TracebackWatcher) -> None:
    """No 5xx, and no traceback logged since the previous example."""
    found, watcher.found = watcher.found, []
    assert status < 500, f"{status} for {request}"
    assert not found, f"traceback logged for {request}: {found}"
