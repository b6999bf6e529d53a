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
        """The body parsed as JSON; ``ScalekitError`` (never ``JSONDecodeError``) when it is not."""
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ScalekitError(
                f"Scalekit answered HTTP {self.status_code} with a body that is not JSON"
            ) from exc


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
