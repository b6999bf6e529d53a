"""Cookie headers for every adapter's tests: cookies planted beside the layer's own that only
look like them, and ambiguous copies of the session cookie."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: States the layer generates (``secrets.token_urlsafe(24)``), optionally a retry.
_CORE_NAME = re.compile(r"(?:__Host-)?scalekit_(?:session(?:\.[0-9])?|txn_(?:retry\.)?[\w-]{32})")

#: The raw bytes of a ``Cookie`` header naming only cookies the layer never writes: a ``/``
#: (illegal in a ``Set-Cookie`` name), non-ASCII digits (``²`` as one Latin-1 byte and as
#: UTF-8, Arabic-Indic ``٣``), a leading zero, an index past the chunk limit, a state of the
#: wrong length. A framework asked to delete any of them answers 500.
FOREIGN_COOKIES = (
    b"theme=dark; scalekit_txn_a/b=1; scalekit_txn_short=1; scalekit_txn_" + b"s" * 33 + b"=1; "
    b"scalekit_session.\xb2=1; "
    + "scalekit_session.\u00b2=1; ".encode()
    + "scalekit_session.\u0663=1; ".encode()
    + b"scalekit_session.01=1; scalekit_session.10=1"
)
#: The same header as a WSGI server hands it over (each byte one Latin-1 character).
FOREIGN_COOKIES_WSGI = FOREIGN_COOKIES.decode("latin-1")


def only_core_cookie_names(names: Iterable[str]) -> bool:
    """Whether every name (of a response's ``Set-Cookie`` headers) is one the layer writes."""
    return all(_CORE_NAME.fullmatch(name) for name in names)


def duplicated(name: str, value: str) -> list[str]:
    """``Cookie`` headers carrying the session cookie ``name=value`` ambiguously: beside a
    planted copy (first and last, as frameworks keep one or the other), and beside chunks."""
    return [
        f"{name}={value}; {name}=planted",
        f"{name}=planted; {name}={value}",
        f"{name}={value}; {name}.0=planted; {name}.1=planted",
    ]
