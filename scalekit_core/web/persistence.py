"""Reading, writing and clearing a session, whichever store holds it (sans-I/O flows)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from .context import WebContext
from .cookies import chunk_names, read_chunked
from .effects import StoreDelete, StoreGet, StoreSet, WebFlow
from .requests import CookieWrite, cookie_source
from .session_data import SessionData

__all__ = [
    "StoredSession",
    "clear_session",
    "read_sealed",
    "read_session",
    "remaining_lifetime",
    "seal_session_cookies",
    "stored_session",
    "write_session",
]


@dataclass(frozen=True)
class StoredSession:
    """What the request carried: its session (if readable) and whether any cookie was there."""

    data: SessionData | None
    session_id: str | None
    present: bool


def remaining_lifetime(ctx: WebContext, data: SessionData, now: float) -> float:
    """Seconds until the idle or the absolute timeout ends the session (whichever first)."""
    settings = ctx.settings
    return (
        min(data.last_seen + settings.idle_timeout, data.created_at + settings.absolute_timeout)
        - now
    )


def read_sealed(ctx: WebContext, cookies: Mapping[str, str]) -> StoredSession | str:
    """What the session cookie says without asking a store: the session itself for the
    cookie store (or a missing, unreadable cookie), else the raw value to look up."""
    # The cookies parsed from a raw header: a header seen before reads to the same session.
    header = cookie_source(cookies)
    if header and not ctx.server_side:
        known = ctx.session_of_header(header)
        if known is not None:
            return known
    name = ctx.settings.session_cookie
    names = chunk_names(cookies, name)
    present = bool(names)
    raw = read_chunked(cookies, name, names) if present else None
    if raw is None:
        return StoredSession(None, None, present)
    if not ctx.server_side:
        stored = StoredSession(ctx.unsealed(raw), None, True)
        if header and stored.data is not None:
            ctx.remember_header(header, stored)
        return stored
    return raw


def read_session(ctx: WebContext, cookies: Mapping[str, str]) -> WebFlow[StoredSession]:
    raw = read_sealed(ctx, cookies)
    if isinstance(raw, StoredSession):
        return raw
    return (yield from stored_session(ctx, raw))


def stored_session(ctx: WebContext, raw: str) -> WebFlow[StoredSession]:
    """The server-side session whose signed id the cookie carries (``raw``, see
    :func:`read_sealed`)."""
    session_id = ctx.unsign_id(raw)
    if session_id is None:
        return StoredSession(None, None, True)
    data = yield StoreGet(session_id)
    return StoredSession(data, session_id, True)


def seal_session_cookies(
    ctx: WebContext, cookies: Mapping[str, str], data: SessionData, max_age: float
) -> list[CookieWrite]:
    """The cookie store's writes: the sealed session, chunked when large."""
    name = ctx.settings.session_cookie
    return ctx.jar.set_chunked(cookies, name, ctx.sessions.seal(data.to_payload(), name), max_age)


def write_session(
    ctx: WebContext,
    cookies: Mapping[str, str],
    data: SessionData,
    session_id: str | None,
    now: float,
) -> WebFlow[list[CookieWrite]]:
    """Persist ``data``; a server-side session gets a fresh id when ``session_id`` is None."""
    max_age = remaining_lifetime(ctx, data, now)
    if not ctx.server_side:
        return seal_session_cookies(ctx, cookies, data, max_age)
    if session_id is None:
        session_id = secrets.token_urlsafe(32)
    yield StoreSet(session_id, data, max_age, data.user_id)
    return ctx.jar.set_chunked(
        cookies, ctx.settings.session_cookie, ctx.sign_id(session_id), max_age
    )


def clear_session(
    ctx: WebContext, cookies: Mapping[str, str], session_id: str | None
) -> WebFlow[list[CookieWrite]]:
    """Deletions of every session cookie (and chunk) present, and of the stored session."""
    if session_id is not None:
        yield StoreDelete(session_id)
    name = ctx.settings.session_cookie
    names = set(chunk_names(cookies, name)) | {name}
    return ctx.jar.delete_all(sorted(names))
