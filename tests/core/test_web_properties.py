"""Property tests: random or mutated cookies and query strings only ever give typed results."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scalekit_core import ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import (
    LoadResult,
    SessionManager,
    SessionSettings,
    WebRequest,
    safe_return_to,
)

SECRET = "property-secret-" + "p" * 32
NOW = 1_700_000_000.0

MANAGER = SessionManager(
    ScalekitClient("http://127.0.0.1:9", "skc_1", "secret", clock=lambda: NOW),
    SessionSettings(secrets=SECRET, base_url="http://localhost:8000"),
)
VALID = make_session_cookies(MANAGER.settings, now=NOW, permissions=["a:b"])
VALID_VALUE = VALID["scalekit_session"]
COOKIE_NAMES = st.sampled_from(
    ["scalekit_session", "scalekit_session.0", "scalekit_session.1", "scalekit_txn_abc", "other"]
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.dictionaries(COOKIE_NAMES, st.text(max_size=300), max_size=4))
def test_random_cookies_are_anonymous(cookies: dict[str, str]) -> None:
    result = MANAGER.load(WebRequest("GET", "/", "", {"accept": "text/html"}, cookies))
    assert isinstance(result, LoadResult) and result.user is None
    assert all(write.is_deletion for write in result.cookies)


@FAST
@given(st.integers(0, len(VALID_VALUE) - 1), st.sampled_from("ABCabc019-_"), st.integers(0, 40))
def test_mutated_session_cookie_never_authenticates(index: int, char: str, cut: int) -> None:
    mutated = VALID_VALUE[:index] + char + VALID_VALUE[index + 1 :]
    if cut:
        mutated = mutated[:-cut]
    result = MANAGER.load(WebRequest("GET", "/", cookies={"scalekit_session": mutated}))
    if _decoded(mutated) == _decoded(VALID_VALUE):
        # The unused low bits of the last base64 character carry no data.
        assert result.user is not None
    else:
        assert result.user is None and result.cookies[0].is_deletion


def _decoded(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        return None


QUERY_KEYS = st.sampled_from(["state", "code", "error", "error_description", "iss", "x"])


@FAST
@given(
    st.lists(st.tuples(QUERY_KEYS, st.text(max_size=60)), max_size=5),
    st.dictionaries(COOKIE_NAMES, st.text(max_size=80), max_size=2),
)
def test_random_callbacks_give_clean_pages(
    pairs: list[tuple[str, str]], cookies: dict[str, str]
) -> None:
    from urllib.parse import urlencode

    request = WebRequest("GET", "/auth/callback", urlencode(pairs), {}, cookies)
    response = MANAGER.complete_login(request)
    assert response.status in (302, 400, 503)
    # Whatever the query held, the page has only its own elements: nothing was injected.
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)", response.body))
    assert tags <= {"html", "head", "meta", "title", "body", "h1", "p", "a", "form", "button"}


@FAST
@given(st.text(max_size=120))
def test_random_login_queries(query: str) -> None:
    response = MANAGER.start_login(WebRequest("GET", "/auth/login", query))
    assert response.status in (302, 400, 503)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from(["/", "//", "/\\", "\\", "/%2F", "/%5C", "http:", "%2F%2F", "/%252F"]),
            st.text(max_size=20),
        ),
    )
)
def test_return_to_is_always_a_local_path(value: str) -> None:
    result = safe_return_to(value)
    # Kept as given, only percent-encoded to ASCII (what a Location header may carry).
    assert result == "/" or unquote(result) == unquote(value)
    assert result.isascii()
    decoded = unquote(unquote(unquote(result)))
    assert result.startswith("/") and not decoded.startswith(("//", "/\\"))
    assert "\\" not in decoded and not re.search(r"[\x00-\x1f\x7f]", decoded)
