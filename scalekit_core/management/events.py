"""``client.events``: the environment's event log, filtered and paginated.

>>> from scalekit_core.management import EventFilter
>>> page = client.events.list_events_paginated(  # doctest: +SKIP
...     page_size=50, filter=EventFilter(event_types=["user.login"], organization_id="org_1"))
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import _object, _objects, _text
from .organizations import page_query
from .pagination import iterate_pages, iterate_pages_async
from .values import SupportsToDatetime, _as_datetime
from .wire import api_request, format_rfc3339, json_object, parse_rfc3339

if TYPE_CHECKING:
    from ..context import ClientContext
    from .runner import AsyncManagementRunner, SyncManagementRunner

__all__ = ["AsyncEventsClient", "Event", "EventFilter", "EventsClient", "EventsPage"]

_TEXT_FILTERS = (
    "organization_id",
    "source",
    "auth_request_id",
    "interceptor_id",
    "interceptor_status",
    "interceptor_decision",
    "connection_id",
    "connected_account_id",
)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events to list (the official ``EventFilter`` message, as a value): any of
    ``event_types``, between ``start_time`` and ``end_time`` (``datetime``, naive is UTC,
    or anything with ``ToDatetime()``), and the given ids."""

    event_types: Sequence[str] = ()
    start_time: datetime | SupportsToDatetime | None = None
    end_time: datetime | SupportsToDatetime | None = None
    organization_id: str | None = None
    source: str | None = None
    auth_request_id: str | None = None
    interceptor_id: str | None = None
    interceptor_status: str | None = None
    interceptor_decision: str | None = None
    connection_id: str | None = None
    connected_account_id: str | None = None

    @classmethod
    def coerce(cls, value: object) -> EventFilter:
        """``value`` itself, a mapping of the fields, or a copy of the same-named attributes
        (e.g. the official protobuf message; its unset fields count as not given)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            try:
                return cls(**value)
            except TypeError as exc:
                raise ScalekitError(f"EventFilter: {exc}") from None
        has = getattr(value, "HasField", None)

        def when(name: str) -> Any:
            if callable(has) and not has(name):
                return None
            return getattr(value, name, None)

        types = getattr(value, "event_types", ())
        texts = {name: getattr(value, name, None) or None for name in _TEXT_FILTERS}
        return cls(
            event_types=list(types) if isinstance(types, Iterable) else (),
            start_time=when("start_time"),
            end_time=when("end_time"),
            **{k: v if isinstance(v, str) else None for k, v in texts.items()},
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if isinstance(self.event_types, str) or not all(
            isinstance(t, str) for t in self.event_types
        ):
            raise ScalekitError("event_types must be a list of strings")
        if self.event_types:
            body["event_types"] = list(self.event_types)
        for name in ("start_time", "end_time"):
            moment = _as_datetime(getattr(self, name), name)
            if moment is not None:
                body[name] = format_rfc3339(moment)
        for name in _TEXT_FILTERS:
            text = getattr(self, name)
            if text is not None:
                if not isinstance(text, str):
                    raise ScalekitError(f"{name} must be a string")
                body[name] = text
        return body


@dataclass(frozen=True, slots=True)
class Event:
    """One event (CloudEvents-like): ``type`` such as ``user.login``, ``data`` its payload."""

    id: str
    type: str | None = None
    occurred_at: datetime | None = None
    organization_id: str | None = None
    environment_id: str | None = None
    object: str | None = None
    display_name: str | None = None
    spec_version: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        ident = _text(data, "id")
        if not ident:
            raise ScalekitError("the events API answered with an event without 'id'")
        kind = data.get("object")
        return cls(
            id=ident,
            type=_text(data, "type"),
            occurred_at=parse_rfc3339(data.get("occurred_at")),
            organization_id=_text(data, "organization_id") or None,
            environment_id=_text(data, "environment_id") or None,
            object=kind if isinstance(kind, str) else None,
            display_name=_text(data, "display_name") or None,
            spec_version=_text(data, "spec_version") or None,
            data=_object(data.get("data")) or {},
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class EventsPage:
    """One page of events, newest first."""

    events: tuple[Event, ...]
    next_page_token: str = ""
    prev_page_token: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EventsPage:
        return cls(
            tuple(Event.from_json(e) for e in _objects(data.get("events"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
        )


def list_events_paginated_flow(
    ctx: ClientContext,
    page_size: int | None = None,
    page_token: str | None = None,
    filter: EventFilter | object | None = None,
) -> Flow[EventsPage]:
    """``POST /events/paginated``: the filter is the body, the page in the query (a read:
    safe to retry)."""
    body = EventFilter.coerce(filter).to_json() if filter is not None else {}
    request = api_request(
        ctx,
        "POST",
        "/events/paginated",
        query=page_query(page_size, page_token),
        body=body,
        idempotent=True,
    )
    response = yield request
    return EventsPage.from_json(json_object(response))


class EventsClient:
    """``client.events``: the event log."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def list_events_paginated(
        self,
        page_size: int | None = None,
        page_token: str | None = None,
        filter: EventFilter | object | None = None,
    ) -> EventsPage:
        return self._run(list_events_paginated_flow, page_size, page_token, filter)

    def iter_events(
        self, page_size: int | None = None, filter: EventFilter | object | None = None
    ) -> Iterator[Event]:
        """Every event matching ``filter``, page after page."""
        return iterate_pages(
            lambda token: self.list_events_paginated(page_size, token, filter),
            lambda p: p.events,
        )


class AsyncEventsClient:
    """The async twin of :class:`EventsClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def list_events_paginated(
        self,
        page_size: int | None = None,
        page_token: str | None = None,
        filter: EventFilter | object | None = None,
    ) -> EventsPage:
        return await self._run(list_events_paginated_flow, page_size, page_token, filter)

    def iter_events(
        self, page_size: int | None = None, filter: EventFilter | object | None = None
    ) -> AsyncIterator[Event]:
        """Every event matching ``filter`` (``async for``)."""
        return iterate_pages_async(
            lambda token: self.list_events_paginated(page_size, token, filter),
            lambda p: p.events,
        )
