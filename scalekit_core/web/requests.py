"""The seam values between the session layer and a web framework (no framework types)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from .session_data import Machine, User

__all__ = ["CookieWrite", "LoadResult", "RequestCookies", "WebRequest", "WebResponse"]

_MAX_QUERY_LENGTH = 16 * 1024
#: Repeated request headers are joined as RFC 9110 says (``Cookie`` with ``; ``, RFC 6265).
_JOIN = {"cookie": "; "}


class RequestCookies(dict[str, str]):
    """The request's cookies as the framework parsed them, plus the names the raw ``Cookie``
    header carries more than once (``repeated``): frameworks keep one of them (Flask the
    first, Starlette and Django the last), so the session layer refuses those names.

    ``repeated`` is worked out on first use, so a request whose session is never read (no
    cookie of the layer) costs no second parse of its ``Cookie`` header.
    """

    def __init__(self, cookies: Mapping[str, str], header: str = "") -> None:
        super().__init__(cookies)
        self._header = header

    @cached_property
    def repeated(self) -> frozenset[str]:
        counts = Counter(_cookie_names(self._header))
        return frozenset(name for name, count in counts.items() if count > 1)


def _cookie_names(header: str) -> list[str]:
    """Every cookie name of a raw ``Cookie`` header, in order (values are not parsed)."""
    names = []
    for part in header.split(";"):
        name, sep, _ = part.partition("=")
        if sep:
            names.append(name.strip())
    return names


@dataclass(frozen=True)
class WebRequest:
    """What the session layer needs to know about an incoming request.

    Adapters build it in one line, e.g. Flask::

        WebRequest(request.method, request.path, request.query_string.decode("latin-1"),
                   request.headers, request.cookies)

    ``headers`` is the framework's header mapping as is: a repeated header's values are
    joined (Starlette's ``Headers.items()`` yields every raw pair; WSGI servers and Django
    join them already), so that the session layer can refuse ambiguous ones.
    Header names are lower-cased here. ``query`` is parsed from ``query_string``; the first
    value of a repeated parameter wins, and ``repeated_query`` names those parameters.
    ``cookies`` are the framework's parsed cookies; the raw ``Cookie`` header tells which
    names were repeated (``cookies.repeated``).
    """

    method: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        joined: dict[str, str] = {}
        for raw_name, raw_value in self.headers.items():
            name, value = str(raw_name).lower(), str(raw_value)
            joined[name] = (
                (joined[name] + _JOIN.get(name, ", ") + value) if name in joined else value
            )
        object.__setattr__(self, "headers", joined)
        object.__setattr__(self, "cookies", RequestCookies(self.cookies, joined.get("cookie", "")))

    @cached_property
    def _query_pairs(self) -> list[tuple[str, str]]:
        if len(self.query_string) > _MAX_QUERY_LENGTH:
            return []
        return parse_qsl(self.query_string, keep_blank_values=True)

    @cached_property
    def query(self) -> Mapping[str, str]:
        values: dict[str, str] = {}
        for name, value in self._query_pairs:
            values.setdefault(name, value)
        return values

    @cached_property
    def repeated_query(self) -> frozenset[str]:
        """Names of the query parameters that appear more than once."""
        counts = Counter(name for name, _ in self._query_pairs)
        return frozenset(name for name, count in counts.items() if count > 1)

    @property
    def path_with_query(self) -> str:
        return f"{self.path}?{self.query_string}" if self.query_string else self.path

    @property
    def bearer_token(self) -> str | None:
        """The token of an ``Authorization: Bearer`` header, if any (``None`` when the header
        is ambiguous, see ``authorization_ambiguous``)."""
        if self.authorization_ambiguous:
            return None
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None

    @property
    def authorization_ambiguous(self) -> bool:
        """Several ``Authorization`` headers (joined with ``,``), or a comma in one: which
        credential is meant cannot be told, so the request is refused (401), never resolved
        by position."""
        return "," in self.headers.get("authorization", "")

    @property
    def presents_credentials(self) -> bool:
        """An ``Authorization`` bearer token (valid or not) or an ambiguous header: such a
        request is an API call, answered with 401 rather than a redirect."""
        return self.bearer_token is not None or self.authorization_ambiguous


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
    ``reason`` says why, machine-readably, for every error (and for a redirect to sign in):
    a ``Reason`` value (``scalekit_core.web.outcomes``), or an app's own ``PermissionDenied``
    reason; JSON errors carry it as their ``reason`` field too.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""
    cookies: tuple[CookieWrite, ...] = ()
    title: str = ""
    message: str = ""
    reason: str | None = None

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

    ``reason`` says why a session that came with the request gave no user (a ``Reason``
    value: ``session_revoked``, ``session_expired``, ``refresh_denied``...), ``None`` otherwise.
    """

    user: User | None
    cookies: tuple[CookieWrite, ...] = ()
    response: WebResponse | None = None
    machine: Machine | None = None
    reason: str | None = None

    def cookies_to_add(self, already_set: Iterable[str]) -> tuple[CookieWrite, ...]:
        """The writes to add to a response that already sets the cookies named ``already_set``.

        Those win: a login's fresh session or a logout's deletions must not be undone by this
        request's refresh of the old session.
        """
        taken = set(already_set)
        return tuple(write for write in self.cookies if write.name not in taken)
