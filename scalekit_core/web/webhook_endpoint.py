"""The webhook endpoint, framework-neutral: verify, refuse replays, end sessions, dispatch.

Every adapter mounts ``POST {webhook_path}`` (default ``/auth/webhooks``) once
``webhook_secret`` (``SCALEKIT_WEBHOOK_SECRET``) is set, reads at most
``MAX_WEBHOOK_BYTES + 1`` bytes of the body and calls ``manager.handle_webhook(request,
body)``. The answers, all JSON and quick (Scalekit waits for them):

- 413 for a body over ``MAX_WEBHOOK_BYTES``; 405 for another method;
- 401 for a bad or missing signature or a timestamp outside the tolerance;
- 400 for an authentic body that is not an event;
- 409 for a ``webhook-id`` already handled (a replay; the record keeps ids for the
  tolerance window on both sides, past which the timestamp check refuses them anyway);
- 503 when the revocation record (Redis) is down: Scalekit retries;
- 500 when an app handler raised (logged here, the id forgotten), so Scalekit retries;
- 200 ``{"received": true}`` otherwise.

Nothing a refused request carries is acted on. The built-in handling ends sessions:
``SESSION_ENDING_EVENTS`` the named Scalekit session, ``USER_ENDING_EVENTS`` every session
of the user; the app's handlers (``manager.webhook_handlers``) run after it.
"""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING

from ..errors import WebhookVerificationError
from ..webhook_events import (
    SESSION_ENDING_EVENTS,
    USER_ENDING_EVENTS,
    InvalidWebhookEvent,
    WebhookEvent,
    verify_webhook,
)
from ..webhooks import TOLERANCE_SECONDS
from .errors import SessionStoreUnavailable
from .outcomes import Reason
from .requests import WebRequest, WebResponse
from .responses import json_response

if TYPE_CHECKING:
    from .manager import AsyncSessionManager, SessionManager

__all__ = ["MAX_WEBHOOK_BYTES", "ahandle_webhook", "handle_webhook"]

log = logging.getLogger("scalekit_core.web")

#: The largest body accepted (Scalekit's events are a few KiB).
MAX_WEBHOOK_BYTES = 64 * 1024
#: How long a handled ``webhook-id`` is remembered: past it, its timestamp is refused.
REPLAY_WINDOW = 2 * TOLERANCE_SECONDS + 60


def _error(status: int, error: Reason, description: str) -> WebResponse:
    body = {"error": error.value, "reason": error.value, "error_description": description}
    return json_response(status, body)


RECEIVED = json_response(200, {"received": True})


def _checked(
    manager: SessionManager | AsyncSessionManager, request: WebRequest, body: bytes
) -> WebhookEvent | WebResponse:
    """The verified event, or the 4xx answer (no I/O)."""
    secret = manager.settings.webhook_secret
    if secret is None:
        return _error(404, Reason.NOT_FOUND, "webhooks are not configured")
    if request.method != "POST":
        method = Reason.METHOD_NOT_ALLOWED.value
        return json_response(405, {"error": method, "reason": method}, {"Allow": "POST"})
    if len(body) > MAX_WEBHOOK_BYTES:
        return _error(
            413, Reason.PAYLOAD_TOO_LARGE, f"webhook bodies are at most {MAX_WEBHOOK_BYTES}"
        )
    try:
        return verify_webhook(secret, request.headers, body, now=manager.clock())
    except WebhookVerificationError as exc:
        log.info("webhook refused: %s", exc)
        return _error(401, Reason.INVALID_SIGNATURE, str(exc))
    except InvalidWebhookEvent as exc:
        log.info("webhook refused: %s", exc)
        return _error(400, Reason.INVALID_EVENT, str(exc))


def _ending(event: WebhookEvent) -> tuple[str, str] | None:
    """``("session", sid)`` or ``("user", user_id)`` when the event ends sessions."""
    if event.type in SESSION_ENDING_EVENTS and event.session_id:
        return "session", event.session_id
    if event.type in USER_ENDING_EVENTS and event.user_id:
        return "user", event.user_id
    return None


def _replayed(event: WebhookEvent) -> WebResponse:
    log.info("webhook %s refused: already handled", event.type)
    return _error(409, Reason.REPLAYED, "this webhook-id was already handled")


def _failed(event: WebhookEvent) -> WebResponse:
    log.exception("webhook handler failed for a %s event", event.type)
    return _error(500, Reason.HANDLER_FAILED, "the event could not be handled; retry later")


def handle_webhook(manager: SessionManager, request: WebRequest, body: bytes) -> WebResponse:
    """Answer one delivery with the blocking manager (see the module's docstring)."""
    checked = _checked(manager, request, body)
    if isinstance(checked, WebResponse):
        return checked
    event = checked
    record = manager.revocations
    try:
        if not record.remember_webhook_id(event.webhook_id, manager.clock() + REPLAY_WINDOW):
            return _replayed(event)
        ending = _ending(event)
        if ending is not None:
            manager._end_by(*ending)
    except SessionStoreUnavailable as exc:
        return manager.store_unavailable(request, exc)
    try:
        for handler in manager.webhook_handlers.handlers_for(event.type):
            handler(event)
    except Exception:
        _forget(manager, event)
        return _failed(event)
    return RECEIVED


def _forget(manager: SessionManager, event: WebhookEvent) -> None:
    try:
        manager.revocations.forget_webhook_id(event.webhook_id)
    except SessionStoreUnavailable:
        log.warning("a failed webhook's id could not be forgotten: its retry will be refused")


async def ahandle_webhook(
    manager: AsyncSessionManager, request: WebRequest, body: bytes
) -> WebResponse:
    """The asyncio twin of :func:`handle_webhook` (handlers may be coroutine functions)."""
    checked = _checked(manager, request, body)
    if isinstance(checked, WebResponse):
        return checked
    event = checked
    record = manager.revocations
    try:
        fresh = record.remember_webhook_id(event.webhook_id, manager.clock() + REPLAY_WINDOW)
        if not (await fresh if inspect.isawaitable(fresh) else fresh):
            return _replayed(event)
        ending = _ending(event)
        if ending is not None:
            await manager._end_by(*ending)
    except SessionStoreUnavailable as exc:
        return manager.store_unavailable(request, exc)
    try:
        for handler in manager.webhook_handlers.handlers_for(event.type):
            result = handler(event)
            if inspect.isawaitable(result):
                await result
    except Exception:
        try:
            forgotten = record.forget_webhook_id(event.webhook_id)
            if inspect.isawaitable(forgotten):
                await forgotten
        except SessionStoreUnavailable:
            log.warning("a failed webhook's id could not be forgotten: its retry will be refused")
        return _failed(event)
    return RECEIVED
