"""Small request/response helpers shared by the route modules."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

MAX_FORM_BYTES = 64 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """Parse an urlencoded body by hand: junk in, empty or partial dict out (never a 500)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    text = body.decode("utf-8", "replace")
    # The first value of a repeated parameter wins, like most OAuth servers.
    result: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        result.setdefault(key, value)
    return result


def with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def redirect(uri: str, status_code: int = 302) -> RedirectResponse:
    response = RedirectResponse(uri, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def json_response(body: Any, status_code: int = 200, **headers: str) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers=headers or None)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
