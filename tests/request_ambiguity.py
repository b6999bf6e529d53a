"""Ambiguous cookies, parameters and headers, run the same way against every adapter.

Each framework's test module gives a ``Site``: an async ``send(path, headers)`` over its own
test client (no cookie jar: the raw ``Cookie`` header is the test's), and its routes. The
checks here speak plain HTTP, so all adapters are held to the same answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from scalekit_emulator import EmulatorHandle

HTML = ("accept", "text/html")
JSON = ("accept", "application/json")
SESSION = "scalekit_session"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]  # names lower-cased, Set-Cookie lines included
    body: str

    def get(self, name: str) -> str | None:
        values = self.all(name)
        return ", ".join(values) if values else None

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    def cookies(self) -> dict[str, str]:
        """Name -> value of every ``Set-Cookie`` (a deletion has an empty value)."""
        written = {}
        for line in self.all("set-cookie"):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            deleted = "max-age=0" in line.lower() or "1970" in line
            written[name.strip()] = "" if deleted else value
        return written


Send = Callable[[str, list[tuple[str, str]]], Awaitable[Reply]]


@dataclass(frozen=True)
class Site:
    send: Send
    #: Who is signed in, as text: contains "anonymous" or the email. Its view marks its
    #: response ``Cache-Control: public, max-age=600`` and ``Vary: Accept``.
    whoami: str
    #: An API route that needs a user: 401 JSON when anonymous.
    api: str
    login: str = "/auth/login"
    callback: str = "/auth/callback"
    #: The login route's parameter for the destination (Django also reads ``next``).
    return_to: str = "return_to"


def cookie_header(cookies: dict[str, str]) -> tuple[str, str]:
    return ("cookie", "; ".join(f"{name}={value}" for name, value in cookies.items()))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def start(site: Site, return_to: str | None = None) -> Reply:
    path = site.login
    if return_to is not None:
        path += f"?{site.return_to}={quote(return_to, safe='')}"
    started = await site.send(path, [HTML])
    assert started.status == 302, started.body
    return started


async def sign_in(
    site: Site, emu: EmulatorHandle, return_to: str | None = None
) -> tuple[Reply, dict[str, str], str]:
    """A whole login: the callback's reply, the session cookies it set, the callback URL."""
    started = await start(site, return_to)
    transaction = {k: v for k, v in started.cookies().items() if v}
    callback = path_of(emu.sign_in(started.get("location") or ""))
    done = await site.send(callback, [HTML, cookie_header(transaction)])
    assert done.status == 302, done.body
    session = {k: v for k, v in done.cookies().items() if k.startswith(SESSION) and v}
    return done, session, callback


async def check_repeated_session_cookies_are_anonymous_and_cleared(
    site: Site, emu: EmulatorHandle
) -> None:
    _, session, _ = await sign_in(site, emu)
    value = session[SESSION]
    alone = await site.send(site.whoami, [HTML, cookie_header(session)])
    assert "alice@acme.test" in alone.body
    for header in (
        f"{SESSION}={value}; {SESSION}=forged",
        f"{SESSION}=forged; {SESSION}={value}",
        f"{SESSION}={value}; {SESSION}.0={value}",
        f"{SESSION}.0={value}; {SESSION}.0=forged",
    ):
        reply = await site.send(site.whoami, [HTML, ("cookie", header)])
        assert reply.status == 200 and "anonymous" in reply.body, header
        written = reply.cookies()
        names = {part.split("=")[0].strip() for part in header.split(";")}
        assert all(written.get(name) == "" for name in names), (header, written)


async def check_unusual_cookie_names_never_cause_a_500(site: Site, emu: EmulatorHandle) -> None:
    login = await site.send(site.login, [HTML, ("cookie", "scalekit_txn_a/b=1; x=y")])
    assert login.status == 302
    assert "scalekit_txn_a/b" not in login.cookies()
    # UTF-8 bytes, as the server hands them over (latin-1 strings).
    odd = "scalekit_session.\u00b2=1; scalekit_session.\u0663=1".encode().decode("latin-1")
    for path in (site.whoami, site.login):
        reply = await site.send(path, [HTML, ("cookie", odd)])
        assert reply.status in (200, 302), reply.body
        assert all(name.isascii() for name in reply.cookies())
    _, session, _ = await sign_in(site, emu)
    mixed = "; ".join([f"{k}={v}" for k, v in session.items()] + ["scalekit_txn_a/b=1"])
    reply = await site.send(site.login, [HTML, ("cookie", mixed)])
    assert reply.status == 302 and "scalekit_txn_a/b" not in reply.cookies()


async def check_repeated_callback_parameters_are_refused(site: Site, emu: EmulatorHandle) -> None:
    started = await start(site)
    transaction = {k: v for k, v in started.cookies().items() if v}
    callback = path_of(emu.sign_in(started.get("location") or ""))
    query = callback.split("?", 1)[1]
    for extra in (
        "code=B",
        "state=XXXXXXXXXXXXXXXXXXXXXXXX",
        f"iss={quote(emu.url)}",
        "error=x&error=y",
    ):
        for doubled in (f"{query}&{extra}", f"{extra}&{query}"):
            reply = await site.send(
                f"{site.callback}?{doubled}", [HTML, cookie_header(transaction)]
            )
            assert reply.status == 400 and "repeats a parameter" in reply.body, doubled
            assert not any(k.startswith(SESSION) for k in reply.cookies())
    assert emu.token_calls("authorization_code") == 0


async def check_repeated_authorization_headers_are_refused(
    site: Site, emu: EmulatorHandle, *, separate_lines: bool
) -> None:
    _, session, _ = await sign_in(site, emu)
    token = emu.mint_access_token("bob@acme.test")
    single = await site.send(site.api, [JSON, ("authorization", f"Bearer {token}")])
    assert single.status == 200
    variants = [[("authorization", f"Bearer {token}, Bearer {token}")]]
    if separate_lines:
        variants.append([("authorization", f"Bearer {token}"), ("authorization", "Bearer x")])
    for headers in variants:
        for cookies in ([], [cookie_header(session)]):
            reply = await site.send(site.api, [JSON, *headers, *cookies])
            assert reply.status == 401, (headers, reply.body)
            page = await site.send(site.whoami, [HTML, *headers, *cookies])
            assert "anonymous" in page.body


async def check_session_writes_are_never_shared_cacheable(site: Site, emu: EmulatorHandle) -> None:
    done, session, _ = await sign_in(site, emu)
    assert done.get("cache-control") == "private, no-store"
    assert "cookie" in (done.get("vary") or "").lower()
    plain = await site.send(site.whoami, [HTML, cookie_header(session)])
    assert "public" in (plain.get("cache-control") or "")  # nothing written: the view's own
    cleared = await site.send(site.whoami, [HTML, (("cookie", f"{SESSION}=garbage"))])
    assert cleared.cookies().get(SESSION) == ""
    assert cleared.get("cache-control") == "private, no-store"
    vary = [part.strip().lower() for part in (cleared.get("vary") or "").split(",")]
    assert "accept" in vary and "cookie" in vary


async def check_callback_and_error_pages_send_no_referrer(site: Site, emu: EmulatorHandle) -> None:
    done, _, _ = await sign_in(site, emu)
    assert done.get("referrer-policy") == "no-referrer"
    bogus = await site.send(f"{site.callback}?code=abc&state=not-a-state!", [HTML])
    assert bogus.status == 400 and bogus.get("referrer-policy") == "no-referrer"


async def check_bogus_state_says_what_happened(site: Site, emu: EmulatorHandle) -> None:
    reply = await site.send(f"{site.callback}?code=abc&state=%3Cscript%3E", [HTML])
    assert reply.status == 400
    assert "missing its state" not in reply.body
    assert "does not belong to a sign-in started here" in reply.body
    assert f'href="{site.login}">Sign in again</a>' in reply.body


async def check_non_ascii_return_to_is_percent_encoded(site: Site, emu: EmulatorHandle) -> None:
    done, _, _ = await sign_in(site, emu, return_to="/caf\u00e9/\u2028x?q=\u00fc")
    assert done.get("location") == "/caf%C3%A9/%E2%80%A8x?q=%C3%BC"


async def check_long_return_to_keeps_the_cookie_header_small(
    site: Site, emu: EmulatorHandle
) -> None:
    jar: dict[str, str] = {}
    for index in range(5):
        started = await site.send(
            f"{site.login}?{site.return_to}=/{'a' * 2000}{index}", [HTML, cookie_header(jar)]
        )
        assert started.status == 302
        jar.update(started.cookies())
        jar = {k: v for k, v in jar.items() if v}
    assert len(cookie_header(jar)[1]) < 4096
    # The destination is dropped (too long), not kept in part.
    done, _, _ = await sign_in(site, emu, return_to="/" + "b" * 2000)
    assert done.get("location") == "/"


async def check_replayed_callback_reaches_the_token_endpoint_once(
    site: Site, emu: EmulatorHandle
) -> None:
    started = await start(site)
    transaction = {k: v for k, v in started.cookies().items() if v}
    callback = path_of(emu.sign_in(started.get("location") or ""))
    first = await site.send(callback, [HTML, cookie_header(transaction)])
    assert first.status == 302
    assert emu.token_calls("authorization_code") == 1
    replay = await site.send(callback, [HTML, cookie_header(transaction)])
    assert replay.status == 400 and "already used" in replay.body
    assert emu.token_calls("authorization_code") == 1
