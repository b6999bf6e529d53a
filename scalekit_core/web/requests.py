"""The seam values between the session layer and a web framework (no framework types)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from .session_data import Machine, User

__all__ = ["CookieWrite", "LoadResult", "WebRequest", "WebResponse"]

_MAX_QUERY_LENGTH = 16 * 1024


@dataclass(frozen=True)
class WebRequest:
    """What the session layer needs to know about an incoming request.

    Adapters build it in one line, e.g. Flask::

        WebRequest(request.method, request.path, request.query_string.decode("latin-1"),
                   request.headers, request.cookies)

    Header names are lower-cased here. ``query`` is parsed from ``query_string``; the first
    value of a repeated parameter wins.
    """

    method: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(
            self, "headers", {str(name).lower(): str(value) for name, value in self.headers.items()}
        )
        object.__setattr__(self, "cookies", dict(self.cookies))

    @cached_property
    def query(self) -> Mapping[str, str]:
        if len(self.query_string) > _MAX_QUERY_LENGTH:
            return {}
        values: dict[str, str] = {}
        for name, value in parse_qsl(self.query_string, keep_blank_values=True):
            values.setdefault(name, value)
        return values

    @property
    def path_with_query(self) -> str:
        return f"{self.path}?{self.query_string}" if self.query_string else self.path

    @property
    def bearer_token(self) -> str | None:
        """The token of an ``Authorization: Bearer`` header, if any."""
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None


@dataclass(frozen=True)
class CookieWrite:
    """One ``Set-Cookie`` to apply with the framework's own ``set_cookie``.

    A deletion is the same cookie (same path, domain, flags) with an empty value and
    ``max_age=0``; ``is_deletion`` tells them apart.
    """

    name: str
    value: str
    max_age: int | None
    path: str = "/"
    domain: str | None = None
    secure: bool = True
    httponly: bool = True
    samesite: str = "Lax"

    @property
    def is_deletion(self) -> bool:
        return self.max_age == 0


@dataclass(frozen=True)
class WebResponse:
    """A complete response: status, headers (``Location``, ``Content-Type``...), body, cookies.

    An HTML error page also carries its ``title`` and ``message`` as plain (unescaped) text,
    so an app's error hook can show them in its own layout without reading the body.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""
    cookies: tuple[CookieWrite, ...] = ()
    title: str = ""
    message: str = ""

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


@dataclass(frozen=True)
class LoadResult:
    """The outcome of ``load``: the user (or ``None``) and cookies to set on any response.

    ``machine`` is set instead of ``user`` for a client-credentials bearer token: a machine
    is never a user, so nothing that reads ``user`` treats it as signed in.

    ``response`` is set when the request must not go on (the session store is down): the
    adapter sends it as is (a 503 page or JSON) instead of calling the view.
    """

    user: User | None
    cookies: tuple[CookieWrite, ...] = ()
    response: WebResponse | None = None
    machine: Machine | None = None

    def cookies_to_add(self, already_set: Iterable[str]) -> tuple[CookieWrite, ...]:
        """The writes to add to a response that already sets the cookies named ``already_set``.

        Those win: a login's fresh session or a logout's deletions must not be undone by this
        request's refresh of the old session.
        """
        taken = set(already_set)
        return tuple(write for write in self.cookies if write.name not in taken)
