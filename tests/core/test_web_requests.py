"""The adapters' lazy request: headers read one name at a time, cookies parsed on first use,
and a request without credentials known to be anonymous without reading anything."""

from __future__ import annotations

from scalekit_core import ScalekitClient
from scalekit_core.testing import cookie_header, make_session_cookies
from scalekit_core.web import (
    RequestCookies,
    RequestHeaders,
    SessionManager,
    SessionSettings,
    WebRequest,
    join_values,
)

RAW = [("Accept", "text/html"), ("X-Many", "a"), ("X-Many", "b"), ("Cookie", "theme=dark")]


def lazy_request(raw: list[tuple[str, str]], parse_log: list[str]) -> tuple[WebRequest, list[str]]:
    looked_up: list[str] = []

    def lookup(name: str) -> str | None:
        looked_up.append(name)
        return join_values(name, [v for n, v in raw if n.lower() == name])

    def parse() -> dict[str, str]:
        parse_log.append("parsed")
        header = lookup("cookie") or ""
        return dict(part.strip().split("=", 1) for part in header.split(";") if "=" in part)

    request = WebRequest(
        "get",
        "/",
        "",
        RequestHeaders(lookup, lambda: raw),
        RequestCookies(parse, join_values("cookie", [v for n, v in raw if n == "Cookie"]) or ""),
    )
    return request, looked_up


def test_headers_are_read_once_each_and_on_demand() -> None:
    request, looked_up = lazy_request(RAW, [])
    assert looked_up == [] and request.method == "GET"
    assert request.headers.get("Accept") == "text/html" and request.headers["accept"] == "text/html"
    assert request.headers.get("x-many") == "a, b"
    assert request.headers.get("origin") is None and "origin" not in request.headers
    assert request.headers.get("origin", "") == ""
    assert looked_up == ["accept", "x-many", "origin"]
    # Iterating is the plain mapping's view: lower-case names, repeated values joined.
    assert dict(request.headers) == {
        "accept": "text/html",
        "x-many": "a, b",
        "cookie": "theme=dark",
    }


def test_cookies_are_parsed_on_first_use_only() -> None:
    parses: list[str] = []
    request, _ = lazy_request(RAW, parses)
    assert isinstance(request.cookies, RequestCookies)
    assert not request.may_be_signed_in("scalekit_session") and parses == []
    assert request.cookies.get("theme") == "dark" and dict(request.cookies) == {"theme": "dark"}
    assert parses == ["parsed"]


def test_a_request_without_credentials_is_anonymous_without_parsing() -> None:
    settings = SessionSettings(secrets="s" * 32, base_url="http://localhost:8000")
    manager = SessionManager(ScalekitClient("https://acme.scalekit.dev", "skc_1", "x"), settings)
    parses: list[str] = []
    anonymous, _ = lazy_request(RAW, parses)
    assert manager.load(anonymous).user is None and parses == []
    signed_in = [*RAW[:3], ("Cookie", cookie_header(make_session_cookies(settings)))]
    request, _ = lazy_request(signed_in, parses)
    assert request.may_be_signed_in(settings.session_cookie)
    user = manager.load(request).user
    assert user is not None and user.id == "usr_test" and parses == ["parsed"]
    bearer, _ = lazy_request([("Authorization", "Bearer not-a-jwt")], parses)
    assert bearer.may_be_signed_in(settings.session_cookie)
    # A plain mapping of cookies (no raw header) is checked by name.
    assert WebRequest("GET", "/", cookies={"scalekit_session.0": "x"}).may_be_signed_in(
        "scalekit_session"
    )
    assert not WebRequest("GET", "/", cookies={"theme": "x"}).may_be_signed_in("scalekit_session")
