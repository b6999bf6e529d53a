"""The management API on the wire: building requests, reading fields, turning errors into APIError.

Pure functions only; the flows in ``organizations.py``, ``sessions.py`` and ``users.py`` use
them and the drivers do the I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from ..errors import (
    AlreadyExistsError,
    APIError,
    CancelledError,
    ConflictError,
    GatewayTimeoutError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    NotImplementedServerError,
    PermissionDeniedError,
    RateLimitError,
    ScalekitError,
    ServiceUnavailableError,
    ToolError,
    ToolPermissionDeniedError,
    ToolRateLimitError,
    ToolUnauthenticatedError,
    UnauthenticatedError,
    UnknownAPIError,
)
from ..flows import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = [
    "api_request",
    "enum_name",
    "format_rfc3339",
    "json_object",
    "parse_rfc3339",
    "path_segment",
    "raise_for_api_error",
]

API_PREFIX = "/api/v1"
# Safe to repeat: reads, full replacements, absolute-value updates and deletes. A POST is
# only marked safe by the flow that sends it (see sessions.py), never a POST that creates.
_IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "PATCH", "DELETE"})
_GRPC_ALREADY_EXISTS = 6

Query = Sequence[tuple[str, str]]


def path_segment(value: str, what: str) -> str:
    """``value`` quoted as one path segment (an id with ``/`` or ``?`` cannot change the route)."""
    if not isinstance(value, str) or not value:
        raise ScalekitError(f"{what} must be a non-empty string")
    return quote(value, safe="")


def enum_name(value: object, names: Sequence[str], what: str) -> str:
    """An enum value as its wire name: a name, a ``str`` enum, or a protobuf enum number."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if isinstance(value, str) and value.strip():
        for name in names:
            if name.lower() == value.strip().lower():
                return name
    raise ScalekitError(f"{what} must be one of {', '.join(names[1:])}")


def api_request(
    ctx: ClientContext,
    method: str,
    path: str,
    *,
    query: Query = (),
    body: Mapping[str, Any] | None = None,
    idempotent: bool | None = None,
) -> HTTPRequest:
    """A management API request (no ``Authorization`` yet: the token is added when it is sent)."""
    url = f"{ctx.config.env_url}{API_PREFIX}{path}"
    pairs = [(name, value) for name, value in query if value != ""]
    if pairs:
        url += "?" + urlencode(pairs)
    headers = {"accept": "application/json"}
    content: bytes | None = None
    if body is not None:
        headers["content-type"] = "application/json"
        content = json.dumps(dict(body), separators=(",", ":")).encode()
    if idempotent is None:
        idempotent = method in _IDEMPOTENT_METHODS
    return HTTPRequest(method, url, headers, content, idempotent)


_TOOL_ERRORS: dict[int, type[APIError]] = {
    401: ToolUnauthenticatedError,
    403: ToolPermissionDeniedError,
    429: ToolRateLimitError,
}
_ERRORS: dict[int, type[APIError]] = {
    400: InvalidArgumentError,
    401: UnauthenticatedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    499: CancelledError,
    501: NotImplementedServerError,
    503: ServiceUnavailableError,
    504: GatewayTimeoutError,
}


def _error_class(status_code: int, code: int | None, error_code: str | None) -> type[APIError]:
    """The class of an error answer: by status, as the official SDK's exceptions split them."""
    if error_code == "TOOL_ERROR":  # an upstream provider's error during a tool call
        return _TOOL_ERRORS.get(status_code, ToolError)
    if status_code == 409:
        return AlreadyExistsError if code == _GRPC_ALREADY_EXISTS else ConflictError
    known = _ERRORS.get(status_code)
    if known is not None:
        return known
    return InternalServerError if status_code >= 500 else UnknownAPIError


def raise_for_api_error(response: HTTPResponse) -> None:
    """Nothing for a 2xx answer; otherwise the ``APIError`` subclass of its status.

    Reads the gRPC-gateway shape ``{"code", "message", "details"}``; a body that is not in
    that shape (an HTML error page, a proxy's text) still gives the right subclass.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    try:
        body = response.json()
    except ScalekitError:
        body = None
    code: int | None = None
    message = ""
    details: list[dict[str, Any]] = []
    if isinstance(body, dict):
        raw_code = body.get("code")
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            code = raw_code
        raw_message = body.get("message")
        if isinstance(raw_message, str):
            message = raw_message
        raw_details = body.get("details")
        if isinstance(raw_details, list):
            details = [d for d in raw_details if isinstance(d, dict)]
    error_code = next(
        (d["error_code"] for d in details if isinstance(d.get("error_code"), str)), None
    )
    raise _error_class(status, code, error_code)(
        status, code, message or f"Scalekit answered HTTP {status}", details
    )


def json_object(response: HTTPResponse, key: str | None = None) -> dict[str, Any]:
    """The JSON object of a successful answer (or its ``key`` member), else ``ScalekitError``."""
    raise_for_api_error(response)
    body = response.json() if response.content.strip() else {}
    if not isinstance(body, dict):
        raise ScalekitError("the management API answered with a body that is not a JSON object")
    if key is None:
        return body
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise ScalekitError(f"the management API answered without {key!r}")
    return inner


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$"
)


def parse_rfc3339(value: object) -> datetime | None:
    """An aware ``datetime`` for an RFC 3339 string (``Z``, offsets, up to nanoseconds).

    ``None`` for a missing, empty or unreadable value: timestamps are informative, and an
    odd one must not make a whole listing unreadable.
    """
    if not isinstance(value, str):
        return None
    match = _RFC3339.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if offset in ("Z", "z"):
        tz = timezone.utc
    else:
        sign = 1 if offset[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
        )
    except ValueError:
        return None


def format_rfc3339(value: datetime) -> str:
    """UTC RFC 3339 with ``Z``; a naive ``datetime`` is taken as UTC (as protobuf does)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"
