"""The seam values between the session layer and a web framework (no framework types)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar, overload
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from .session_data import Machine, User

__all__ = [
    "CookieWrite",
    "LoadResult",
    "RequestCookies",
    "RequestHeaders",
    "WebRequest",
    "WebResponse",
    "environ_headers",
    "join_values",
]

_T = TypeVar("_T")

#: The default ``headers`` and ``cookies`` of a ``WebRequest``: none.
_NONE: Mapping[str, str] = MappingProxyType({})

_MAX_QUERY_LENGTH = 16 * 1024
#: Repeated request headers are joined as RFC 9110 says (``Cookie`` with ``; ``, RFC 6265).
_JOIN = {"cookie": "; "}


def _joined(pairs: Iterable[tuple[object, object]]) -> dict[str, str]:
    """Headers by lower-case name, a repeated header's values joined."""
    joined: dict[str, str] = {}
    for raw_name, raw_value in pairs:
        name, value = str(raw_name).lower(), str(raw_value)
        joined[name] = (joined[name] + _JOIN.get(name, ", ") + value) if name in joined else value
    return joined


def join_values(name: str, values: Iterable[str]) -> str | None:
    """The values of one repeated header as one (``None`` for none), joined as
    ``WebRequest`` joins them: what an adapter's header lookup returns."""
    values = list(values)
    if not values:
        return None
    return values[0] if len(values) == 1 else _JOIN.get(name, ", ").join(values)


class RequestHeaders(Mapping[str, str]):
    """A request's headers read from the framework one name at a time, on first use.

    ``lookup(name)`` gets a lower-case name and returns the header's value (a repeated
    header's values joined, see :func:`join_values`) or ``None``; each name is looked up at
    most once per request. The session layer reads two or three headers of a request, so
    nothing copies the others. Iterating (which nothing on the request path does) reads them
    all through ``everything()``, the framework's raw ``(name, value)`` pairs.
    """

    __slots__ = ("_everything", "_lookup", "_seen")

    def __init__(
        self,
        lookup: Callable[[str], str | None],
        everything: Callable[[], Iterable[tuple[str, str]]],
        known: dict[str, str | None] | None = None,
    ) -> None:
        self._lookup = lookup
        self._everything = everything
        #: Values already read, by lower-case name (``known``: an adapter's head start, e.g.
        #: the headers it read in one pass over the raw pairs; ``None`` for an absent one).
        self._seen: dict[str, str | None] = known if known is not None else {}

    @overload
    def get(self, name: str, /) -> str | None: ...
    @overload
    def get(self, name: str, /, default: str | _T) -> str | _T: ...
    def get(self, name: str, /, default: object = None) -> object:
        seen = self._seen
        if name in seen:  # the layer asks with lower-case names: no lower() then
            value = seen[name]
        else:
            key = name.lower()
            value = seen[key] if key in seen else self._lookup(key)
            seen[key] = seen[name] = value
        return default if value is None else value

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(_joined(self._everything()))

    def __len__(self) -> int:
        return len(_joined(self._everything()))


#: The two headers a WSGI environ (and Django's ``META``) holds without the ``HTTP_`` prefix.
_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def environ_headers(
    environ: Mapping[str, object], everything: Callable[[], Iterable[tuple[str, str]]]
) -> RequestHeaders:
    """The headers of a WSGI environ (PEP 3333; also Django's ``request.META`` under WSGI
    and ASGI), read by key as the layer asks: the server joined repeated ones already."""
    get = environ.get

    def lookup(name: str) -> str | None:
        key = name.upper().replace("-", "_")
        value = get(key if key in _UNPREFIXED else "HTTP_" + key)
        return value if isinstance(value, str) else None

    return RequestHeaders(lookup, everything)


class RequestCookies(Mapping[str, str]):
    """The request's cookies as the framework parsed them, plus the names the raw ``Cookie``
    header carries more than once (``repeated``): frameworks keep one of them (Flask the
    first, Starlette and Django the last), so the session layer refuses those names.

    ``cookies`` may be the parsed mapping or a function that parses them from ``header``
    (the framework's own cookie parser, run on first use; see ``source``). ``repeated`` is
    worked out on first use too, so a request whose session is never read (no cookie of the
    layer) parses nothing.
    """

    __slots__ = ("_cookies", "_from_header", "_header", "_parse", "_repeated")

    def __init__(
        self, cookies: Mapping[str, str] | Callable[[], Mapping[str, str]], header: str = ""
    ) -> None:
        self._header = header
        self._repeated: frozenset[str] | None = None
        if callable(cookies):
            self._from_header = True
            self._parse: Callable[[], Mapping[str, str]] | None = cookies
            self._cookies: Mapping[str, str] = _NONE
        else:
            self._from_header = False
            self._parse = None
            self._cookies = cookies

    @property
    def source(self) -> str | None:
        """The raw ``Cookie`` header when these cookies are parsed from it (a parser run on
        first use, as the adapters pass them), else ``None``: then they are a function of
        that string alone, and the session layer may remember what it read them to."""
        return self._header if self._from_header else None

    @property
    def _parsed(self) -> Mapping[str, str]:
        if self._parse is not None:
            self._cookies, self._parse = self._parse(), None
        return self._cookies

    def mentions(self, name: str) -> bool:
        """Whether a cookie named ``name`` (or a chunk ``name.N``) may be there: a substring
        test on the raw header when the cookies are still unparsed (``False`` is certain)."""
        if self._parse is not None:
            return name in self._header
        return any(key.startswith(name) for key in self._cookies)

    @property
    def repeated(self) -> frozenset[str]:
        """The cookie names the raw header carries more than once (worked out once)."""
        if self._repeated is None:
            counts = Counter(_cookie_names(self._header))
            self._repeated = frozenset(name for name, count in counts.items() if count > 1)
        return self._repeated

    def repeats_any(self, names: Iterable[str]) -> bool:
        """Whether the raw header carries one of ``names`` more than once. A name found at
        most once anywhere in the header (a substring test) cannot be repeated, so the
        header is split only when one appears twice."""
        header = self._header
        names = [name for name in names if header.count(name) > 1]
        return bool(names) and not self.repeated.isdisjoint(names)

    @overload
    def get(self, name: str, /) -> str | None: ...
    @overload
    def get(self, name: str, /, default: str | _T) -> str | _T: ...
    def get(self, name: str, /, default: object = None) -> object:
        return self._parsed.get(name, default)

    def __getitem__(self, name: str) -> str:
        return self._parsed[name]

    def __contains__(self, name: object) -> bool:
        return name in self._parsed

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed)

    def __len__(self) -> int:
        return len(self._parsed)


def cookie_source(cookies: Mapping[str, str]) -> str | None:
    """The raw ``Cookie`` header ``cookies`` are parsed from (see ``RequestCookies.source``),
    or ``None``: cookies that are a function of that string alone."""
    return cookies.source if isinstance(cookies, RequestCookies) else None


def _cookie_names(header: str) -> list[str]:
    """Every cookie name of a raw ``Cookie`` header, in order (values are not parsed)."""
    names = []
    for part in header.split(";"):
        name, sep, _ = part.partition("=")
        if sep:
            names.append(name.strip())
    return names


@dataclass(frozen=True, init=False)
class WebRequest:
    """What the session layer needs to know about an incoming request.

    Adapters build it in one line, e.g. Flask::

        WebRequest(request.method, request.path, request.query_string.decode("latin-1"),
                   request.headers, request.cookies)

    ``headers`` is the framework's header mapping as is: a repeated header's values are
    joined (Starlette's ``Headers.items()`` yields every raw pair; WSGI servers and Django
    join them already), so that the session layer can refuse ambiguous ones.
    Header names are lower-cased here. The adapters pass a :class:`RequestHeaders` instead,
    which reads only the headers the layer asks for, and cookies as a :class:`RequestCookies`
    parsed on first use: a request translates in about a microsecond. ``query`` is parsed from ``query_string``; the first
    value of a repeated parameter wins, and ``repeated_query`` names those parameters.
    ``cookies`` are the framework's parsed cookies; the raw ``Cookie`` header tells which
    names were repeated (``cookies.repeated``).
    """

    method: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str = "",
        headers: Mapping[str, str] = _NONE,
        cookies: Mapping[str, str] = _NONE,
    ) -> None:
        if not method.isupper():
            method = method.upper()
        if not isinstance(headers, RequestHeaders):
            headers = _joined(headers.items())
        if not isinstance(cookies, RequestCookies):
            cookies = RequestCookies(cookies, headers.get("cookie", ""))
        # Stored straight into ``__dict__``, as for ``LoadResult``: built on every request,
        # and the generated ``__init__`` of a frozen dataclass (``object.__setattr__`` per
        # field) costs several times more.
        fields = self.__dict__
        fields["method"] = method
        fields["path"] = path
        fields["query_string"] = query_string
        fields["headers"] = headers
        fields["cookies"] = cookies

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
        authorization = self.headers.get("authorization")
        if authorization is None or "," in authorization:  # none, or ambiguous
            return None
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None

    @property
    def authorization_ambiguous(self) -> bool:
        """Several ``Authorization`` headers (joined with ``,``), or a comma in one: which
        credential is meant cannot be told, so the request is refused (401), never resolved
        by position."""
        return "," in self.headers.get("authorization", "")

    def may_be_signed_in(self, session_cookie: str, credential_headers: Iterable[str] = ()) -> bool:
        """Whether the request carries an ``Authorization`` header (or one of the other
        ``credential_headers``, e.g. an API key's) or may carry the session cookie
        ``session_cookie`` (or its chunks): when not, it is anonymous, and nothing needs to
        be parsed, decrypted or looked up."""
        return self.carries_credentials(credential_headers) or self.may_carry_cookie(session_cookie)

    def carries_credentials(self, credential_headers: Iterable[str] = ()) -> bool:
        """Whether the request has an ``Authorization`` header or one of the other
        ``credential_headers`` (valid or not)."""
        headers = self.headers
        if "authorization" in headers:
            return True
        for name in credential_headers:  # noqa: SIM110 (a loop: no generator per request)
            if name in headers:
                return True
        return False

    def may_carry_cookie(self, name: str) -> bool:
        """Whether a cookie ``name`` (or a chunk ``name.N``) may be there, parsing nothing:
        ``False`` is certain."""
        cookies = self.cookies
        if isinstance(cookies, RequestCookies):
            return cookies.mentions(name)
        return any(key.startswith(name) for key in cookies)

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


@dataclass(frozen=True, init=False)
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

    def __init__(
        self,
        user: User | None,
        cookies: tuple[CookieWrite, ...] = (),
        response: WebResponse | None = None,
        machine: Machine | None = None,
        reason: str | None = None,
    ) -> None:
        fields = self.__dict__  # see ``WebRequest.__init__``
        fields["user"] = user
        fields["cookies"] = cookies
        fields["response"] = response
        fields["machine"] = machine
        fields["reason"] = reason

    def cookies_to_add(self, already_set: Iterable[str]) -> tuple[CookieWrite, ...]:
        """The writes to add to a response that already sets the cookies named ``already_set``.

        Those win: a login's fresh session or a logout's deletions must not be undone by this
        request's refresh of the old session.
        """
        taken = set(already_set)
        return tuple(write for write in self.cookies if write.name not in taken)
