"""`/_emulator/*` JSON endpoints mirroring the Python control API (only when enabled)."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .emulator import Emulator

Control = Callable[[Emulator, dict[str, Any]], Any]


class _BadControl(Exception):
    pass


def _not_json(constant: str) -> None:
    # Python's json reads NaN and Infinity, which JSON (RFC 8259) does not have.
    raise ValueError(f"{constant} is not JSON")


def _number(data: dict[str, Any], name: str, *, required: bool = False) -> float | None:
    value = data.get(name)
    if value is None:
        if required:
            raise _BadControl(f"{name} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _BadControl(f"{name} must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer literal beyond float range
        number = math.inf
    # 1e400 parses as infinity; it would make the emulator's clock or expiries unusable.
    if not math.isfinite(number):
        raise _BadControl(f"{name} must be a finite number")
    return number


def _int(data: dict[str, Any], name: str) -> int | None:
    value = _number(data, name)
    if value is None:
        return None
    if not value.is_integer():
        raise _BadControl(f"{name} must be a whole number")
    return int(value)


def _bad_request(description: str) -> Response:
    return JSONResponse({"error": "invalid_request", "error_description": description}, 400)


def control(handler: Control) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        emu: Emulator = request.app.state.emulator
        if not emu.enable_controls:
            return JSONResponse({"error": "not_found"}, status_code=404)
        raw = await request.body()
        try:
            data = json.loads(raw, parse_constant=_not_json) if raw.strip() else {}
        except (ValueError, RecursionError):  # RecursionError: deeply nested arrays
            return _bad_request("body must be a JSON object")
        if not isinstance(data, dict):
            return _bad_request("body must be a JSON object")
        try:
            result = handler(emu, data)
        except (ValueError, _BadControl) as exc:
            return _bad_request(str(exc))
        return JSONResponse(result if result is not None else {"ok": True})

    return run


def set_lifetimes(emu: Emulator, data: dict[str, Any]) -> Any:
    lifetimes = emu.set_token_lifetimes(
        access_token=_int(data, "access_token"),
        id_token=_int(data, "id_token"),
        refresh_token=_int(data, "refresh_token"),
        code=_int(data, "code"),
    )
    return {
        "access_token": lifetimes.access_token,
        "id_token": lifetimes.id_token,
        "refresh_token": lifetimes.refresh_token,
        "code": lifetimes.code,
    }


def set_clock(emu: Emulator, data: dict[str, Any]) -> Any:
    offset = _number(data, "offset", required=True)
    assert offset is not None
    emu.set_clock_offset(offset)
    return {"offset": offset, "now": emu.now()}


def rotate_keys(emu: Emulator, data: dict[str, Any]) -> Any:
    return {"kid": emu.rotate_keys()}


def remove_key(emu: Emulator, data: dict[str, Any]) -> Any:
    kid = data.get("kid")
    if not isinstance(kid, str):
        raise _BadControl("kid is required")
    emu.remove_key(kid)
    return None


def add_fault(emu: Emulator, data: dict[str, Any]) -> Any:
    path = data.get("path")
    body = data.get("body")
    if not isinstance(path, str) or not path.startswith("/"):
        raise _BadControl("path must start with /")
    if body is not None and not isinstance(body, str):
        raise _BadControl("body must be a string")
    status = _int(data, "status")
    count = _int(data, "count")
    emu.inject_fault(
        path,
        status=status,
        delay=_number(data, "delay") or 0.0,
        body=body,
        count=1 if count is None else count,
    )
    return None


def clear_faults(emu: Emulator, data: dict[str, Any]) -> Any:
    emu.clear_faults()
    return None


def calls(emu: Emulator, data: dict[str, Any]) -> Any:
    return emu.call_counts()


def reset(emu: Emulator, data: dict[str, Any]) -> Any:
    emu.reset()
    return None


def register_webhook(emu: Emulator, data: dict[str, Any]) -> Any:
    url, secret = data.get("url"), data.get("secret")
    if not isinstance(url, str) or (secret is not None and not isinstance(secret, str)):
        raise _BadControl("url (and optional secret) must be strings")
    endpoint = emu.webhooks.register(url, secret)  # ValueError: a 400
    return {"url": endpoint.url, "secret": endpoint.secret}


def list_webhooks(emu: Emulator, data: dict[str, Any]) -> Any:
    return {
        "endpoints": [endpoint.url for endpoint in emu.webhooks.endpoints],
        "deliveries": [delivery.summary() for delivery in emu.webhooks.deliveries()],
    }


def clear_webhooks(emu: Emulator, data: dict[str, Any]) -> Any:
    emu.webhooks.clear()
    return None


routes = [
    Route("/_emulator/lifetimes", control(set_lifetimes), methods=["POST"]),
    Route("/_emulator/clock", control(set_clock), methods=["POST"]),
    Route("/_emulator/rotate-keys", control(rotate_keys), methods=["POST"]),
    Route("/_emulator/remove-key", control(remove_key), methods=["POST"]),
    Route("/_emulator/faults", control(add_fault), methods=["POST"]),
    Route("/_emulator/faults/clear", control(clear_faults), methods=["POST"]),
    Route("/_emulator/calls", control(calls), methods=["GET"]),
    Route("/_emulator/reset", control(reset), methods=["POST"]),
    Route("/_emulator/webhooks", control(register_webhook), methods=["POST"]),
    Route("/_emulator/webhooks", control(list_webhooks), methods=["GET"]),
    Route("/_emulator/webhooks/clear", control(clear_webhooks), methods=["POST"]),
]
