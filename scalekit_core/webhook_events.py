"""Scalekit webhook events: verified, parsed into a typed :class:`WebhookEvent`, dispatched to
the handlers an app registered (:class:`WebhookHandlers`).

>>> handlers = WebhookHandlers()
>>> @handlers.on_event("organization.created")
... def created(event: WebhookEvent) -> None:
...     print(event.organization_id)

A delivery is a Standard Webhooks request (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) whose JSON body is Scalekit's envelope: ``{id, type, occurred_at,
environment_id, organization_id, object, spec_version, data}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from .errors import ScalekitError
from .flows import _depth_exceeds
from .webhooks import TOLERANCE_SECONDS, verify_webhook_payload

__all__ = [
    "SESSION_ENDING_EVENTS",
    "USER_ENDING_EVENTS",
    "InvalidWebhookEvent",
    "WebhookEvent",
    "WebhookHandler",
    "WebhookHandlers",
    "parse_webhook_event",
    "verify_webhook",
]

#: Events that end one Scalekit session (``data`` names the session).
SESSION_ENDING_EVENTS = frozenset({"user.logout", "session.revoked", "session.expired"})
#: Events that end every session of a user: deletion, removal from an organization, SCIM
#: deprovisioning.
USER_ENDING_EVENTS = frozenset(
    {"user.deleted", "user.organization_membership_deleted", "organization.directory.user_deleted"}
)
#: Bodies nested deeper are refused (Scalekit's events nest < 10 levels).
MAX_EVENT_DEPTH = 32

#: ``handler(event)``; may be a coroutine function for the async adapters.
WebhookHandler = Callable[["WebhookEvent"], "Awaitable[None] | None"]
H = TypeVar("H", bound=WebhookHandler)


class InvalidWebhookEvent(ScalekitError):
    """An authentic delivery whose body is not a Scalekit event (answered with 400)."""


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: object) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    # RFC 3339 with nanoseconds ("...:00.123456789Z"): Python keeps microseconds.
    head, dot, tail = text.replace("Z", "+00:00").partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        tail = tail[:digits][:6].ljust(6, "0") + tail[digits:]
        text = f"{head}.{tail}"
    else:
        text = head
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _nested(data: Mapping[str, Any], *names: str) -> str | None:
    """The first id found: ``data[name]`` for a plain name, ``data[a][b]`` for ``"a.b"``."""
    for name in names:
        value: Any = data
        for part in name.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if _text(value):
            return str(value)
    return None


@dataclass(frozen=True)
class WebhookEvent:
    """One Scalekit event. ``data`` is the event's object as sent; ``user_id`` and
    ``session_id`` read the ids the session events carry wherever they are."""

    id: str
    type: str
    occurred_at: datetime | None
    data: Mapping[str, Any]
    organization_id: str | None = None
    environment_id: str | None = None
    object: str | None = None
    #: The ``webhook-id`` header of the delivery (what replays are recognized by).
    webhook_id: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def user_id(self) -> str | None:
        return _nested(self.data, "user_id", "userId", "user.id")

    @property
    def session_id(self) -> str | None:
        return _nested(self.data, "session_id", "sessionId", "session.id")


def parse_webhook_event(body: bytes | str, webhook_id: str = "") -> WebhookEvent:
    """The event in ``body``; ``InvalidWebhookEvent`` for anything that is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidWebhookEvent("the webhook body is not JSON") from None
    if not isinstance(payload, dict) or _depth_exceeds(payload, MAX_EVENT_DEPTH):
        raise InvalidWebhookEvent("the webhook body is not an event object")
    event_id, event_type, data = (
        _text(payload.get("id")),
        _text(payload.get("type")),
        payload.get("data", {}),
    )
    if event_id is None or event_type is None or not isinstance(data, dict):
        raise InvalidWebhookEvent("the webhook event needs an id, a type and a data object")
    return WebhookEvent(
        id=event_id,
        type=event_type,
        occurred_at=_time(payload.get("occurred_at")),
        data=data,
        organization_id=_text(payload.get("organization_id")) or _nested(data, "organization_id"),
        environment_id=_text(payload.get("environment_id")),
        object=_text(payload.get("object")),
        webhook_id=webhook_id,
        raw=payload,
    )


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> WebhookEvent:
    """Verify a delivery (signature and timestamp, ``WebhookVerificationError``) and parse
    its event (``InvalidWebhookEvent``)."""
    verify_webhook_payload(secret, headers, body, now=now, tolerance=tolerance)
    webhook_id = next(v for k, v in headers.items() if k.lower() == "webhook-id")
    return parse_webhook_event(body, webhook_id)


class WebhookHandlers:
    """The app's handlers, by event type (``"*"``: every event). Handlers run in the order
    registered; one that raises makes the delivery fail (500), so Scalekit retries it."""

    def __init__(self) -> None:
        self._by_type: dict[str, list[WebhookHandler]] = {}

    def on_event(self, *event_types: str) -> Callable[[H], H]:
        """Decorator: ``@handlers.on_event("organization.created", "organization.updated")``."""
        if not event_types or not all(isinstance(t, str) and t for t in event_types):
            raise ValueError("on_event needs one or more event type names")

        def register(handler: H) -> H:
            for event_type in event_types:
                self._by_type.setdefault(event_type, []).append(handler)
            return handler

        return register

    def add(self, event_type: str, handler: WebhookHandler) -> None:
        """Register ``handler`` for ``event_type`` without the decorator."""
        self.on_event(event_type)(handler)

    def handlers_for(self, event_type: str) -> list[WebhookHandler]:
        return [*self._by_type.get(event_type, ()), *self._by_type.get("*", ())]
