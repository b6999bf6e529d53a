"""Cookie writes with the layer's attributes, and chunking of values too large for one cookie."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .requests import CookieWrite
from .settings import SessionSettings

__all__ = [
    "CHUNK_SIZE",
    "MAX_CHUNKS",
    "CookieJar",
    "chunk_names",
    "is_ambiguous",
    "read_chunked",
    "repeated_names",
]

#: Largest value per cookie: with name and attributes a cookie stays well under 4096 bytes.
CHUNK_SIZE = 3800
MAX_CHUNKS = 10
#: The chunk names the layer writes: ``name.0`` ... ``name.9`` (ASCII digits only).
_CHUNK_SUFFIXES = frozenset(str(index) for index in range(MAX_CHUNKS))


def repeated_names(cookies: Mapping[str, str]) -> frozenset[str]:
    """Names the raw ``Cookie`` header carried more than once (see ``RequestCookies``)."""
    return getattr(cookies, "repeated", frozenset())


def chunk_names(cookies: Mapping[str, str], name: str) -> list[str]:
    """Names in ``cookies`` that belong to the (possibly chunked) cookie ``name``: only names
    the layer itself writes, so no other name is ever deleted or rewritten."""
    prefix = name + "."
    return [
        key
        for key in cookies
        if key == name or (key.startswith(prefix) and key[len(prefix) :] in _CHUNK_SUFFIXES)
    ]


def is_ambiguous(cookies: Mapping[str, str], name: str, names: Sequence[str] | None = None) -> bool:
    """Whether the request carries ``name`` in more than one way: a name repeated in the raw
    header, or the plain cookie beside chunks. An injected cookie (a sibling subdomain, a
    network attacker on http) must not choose the session: such a request is anonymous.

    ``names``: ``chunk_names(cookies, name)`` when the caller has it already.
    """
    if names is None:
        names = chunk_names(cookies, name)
    if not names:
        return False
    if name in names and len(names) > 1:
        return True
    repeats_any = getattr(cookies, "repeats_any", None)
    if repeats_any is not None:
        return bool(repeats_any(names))
    return bool(repeated_names(cookies).intersection(names))


def read_chunked(
    cookies: Mapping[str, str], name: str, names: Sequence[str] | None = None
) -> str | None:
    """The whole value of ``name``: the cookie itself, or ``name.0``, ``name.1``... joined;
    ``None`` when missing or ambiguous (``is_ambiguous``). ``names`` as for ``is_ambiguous``."""
    if names is None:
        names = chunk_names(cookies, name)
    if not names or is_ambiguous(cookies, name, names):
        return None
    single = cookies.get(name)
    if single is not None:
        return single
    parts: list[str] = []
    for index in range(MAX_CHUNKS + 1):
        part = cookies.get(f"{name}.{index}")
        if part is None:
            break
        parts.append(part)
    if not parts or len(parts) > MAX_CHUNKS:
        return None
    return "".join(parts)


@dataclass(frozen=True)
class CookieJar:
    """Builds cookie writes and deletions that all carry the same attributes."""

    settings: SessionSettings

    def set(self, name: str, value: str, max_age: float) -> CookieWrite:
        return CookieWrite(
            name,
            value,
            max(1, int(max_age)),
            "/",
            self.settings.cookie_domain,
            bool(self.settings.cookie_secure),
        )

    def delete(self, name: str) -> CookieWrite:
        return CookieWrite(
            name, "", 0, "/", self.settings.cookie_domain, bool(self.settings.cookie_secure)
        )

    def delete_all(self, names: Iterable[str]) -> list[CookieWrite]:
        return [self.delete(name) for name in names]

    def set_chunked(
        self, cookies: Mapping[str, str], name: str, value: str, max_age: float
    ) -> list[CookieWrite]:
        """Write ``value`` as ``name`` or as chunks, deleting chunks the request still has."""
        parts = [value[i : i + CHUNK_SIZE] for i in range(0, len(value), CHUNK_SIZE)] or [""]
        if len(parts) == 1:
            written = {name}
            writes = [self.set(name, value, max_age)]
        else:
            written = {f"{name}.{index}" for index in range(len(parts))}
            writes = [
                self.set(f"{name}.{index}", part, max_age) for index, part in enumerate(parts)
            ]
        stale = [key for key in chunk_names(cookies, name) if key not in written]
        return writes + self.delete_all(sorted(stale))
