"""Sans-I/O plumbing: the values a flow yields and receives, and the flow type itself.

A *flow* is a generator that yields :class:`HTTPRequest` values and receives
:class:`HTTPResponse` values, and finally returns its result (``StopIteration.value``).
Protocol logic lives in flows; only :mod:`scalekit_core.drivers` performs I/O. Tests drive
flows by hand::

    flow = exchange_code_flow(...)
    request = next(flow)
    try:
        flow.send(HTTPResponse(200, {"content-type": "application/json"}, b"{...}"))
    except StopIteration as done:
        result = done.value
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from .errors import ScalekitError

__all__ = ["Flow", "HTTPRequest", "HTTPResponse", "run_flow_with"]

T = TypeVar("T")

#: The largest body :meth:`HTTPResponse.json` parses (a page of 100 users is ~100 KB).
MAX_JSON_BYTES = 4 * 1024 * 1024
#: The deepest nesting of lists and objects it accepts (Scalekit's answers nest < 10 levels).
MAX_JSON_DEPTH = 32


@dataclass(frozen=True, slots=True)
class HTTPRequest:
    """A request a flow wants made. ``idempotent`` tells a driver whether a retry is safe."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    idempotent: bool = False

    @classmethod
    def form(cls, url: str, data: Mapping[str, str]) -> HTTPRequest:
        """A POST of ``application/x-www-form-urlencoded`` data (the token endpoint's format)."""
        return cls(
            "POST",
            url,
            {"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
            urlencode(data).encode(),
        )


@dataclass(frozen=True, slots=True)
class HTTPResponse:
    """A response handed back to a flow. Header names are lower-case."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body parsed as JSON; ``ScalekitError`` (never ``JSONDecodeError``) when it is not.

        Every answer read from the network is parsed here, so here it is bounded: a body over
        :data:`MAX_JSON_BYTES` or nested deeper than :data:`MAX_JSON_DEPTH` is a provider
        fault like a body that is not JSON (never a ``RecursionError`` or an unbounded parse).
        """
        if len(self.content) > MAX_JSON_BYTES:
            raise ScalekitError(
                f"Scalekit answered HTTP {self.status_code} with a body over {MAX_JSON_BYTES} bytes"
            )
        try:
            value = json.loads(self.content)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ScalekitError(
                f"Scalekit answered HTTP {self.status_code} with a body that is not JSON"
            ) from exc
        if _depth_exceeds(value, MAX_JSON_DEPTH):
            raise ScalekitError(
                f"Scalekit answered HTTP {self.status_code} with JSON nested deeper than "
                f"{MAX_JSON_DEPTH} levels"
            )
        return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


Flow = Generator[HTTPRequest, HTTPResponse, T]


def run_flow_with(flow: Flow[T], respond: Any) -> T:
    """Run ``flow`` answering every request with ``respond(request)`` (a sync callable).

    Useful for tests and for flows whose answers are already known (e.g. a cached JWKS).
    """
    try:
        request = next(flow)
        while True:
            request = flow.send(respond(request))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
