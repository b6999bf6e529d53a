"""EventsService: the environment's event log (what the emulator's APIs did), filtered and
paginated, newest first."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .emulator import Emulator
from .errors import invalid_argument
from .management import _json_body, _paginate, endpoint
from .shapes import ENVIRONMENT_ID, parse_rfc3339, rfc3339

MAX_EVENTS = 1000  # the log keeps the newest ones
_TEXT_FILTERS = ("organization_id", "auth_request_id", "connection_id")


def record_event(
    emu: Emulator,
    event_type: str,
    data: dict[str, Any],
    *,
    organization_id: str = "",
    object_type: str = "",
    display_name: str = "",
) -> dict[str, Any]:
    """Append an event to the log (call with the emulator's lock held)."""
    now = emu.now()
    event: dict[str, Any] = {
        "spec_version": "1",
        "id": "evt_" + secrets.token_hex(10),
        "type": event_type,
        "occurred_at": rfc3339(now),
        "environment_id": ENVIRONMENT_ID,
        "organization_id": organization_id,
        "object": object_type,
        "data": data,
        "display_name": display_name or event_type,
        "occurred_at_epoch": now,
    }
    emu.state.events[event["id"]] = event
    if len(emu.state.events) > MAX_EVENTS:
        del emu.state.events[next(iter(emu.state.events))]
    return event


def _time(data: dict[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_argument(f"{name} must be an RFC 3339 timestamp")
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise invalid_argument(f"{name} must be an RFC 3339 timestamp") from None


async def list_events(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "filter")
    types = data.get("event_types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise invalid_argument("event_types must be a list of strings")
    start, end = _time(data, "start_time"), _time(data, "end_time")
    texts = {name: data.get(name) for name in _TEXT_FILTERS if data.get(name)}
    with emu.lock:
        events = [
            e
            for e in reversed(emu.state.events.values())
            if (not types or e["type"] in types)
            and (start is None or e["occurred_at_epoch"] >= start)
            and (end is None or e["occurred_at_epoch"] <= end)
            and all(e.get(k, e["data"].get(k)) == v for k, v in texts.items())
        ]
    page, meta = _paginate(request, events)
    meta.pop("total_size")
    shown = [{k: v for k, v in e.items() if k != "occurred_at_epoch"} for e in page]
    return {"events": shown, **meta}


P = "/api/v1"
routes = [
    Route(P + "/events/paginated", endpoint(list_events), methods=["POST"]),
    Route(P + "/events", endpoint(list_events), methods=["POST"]),
]
