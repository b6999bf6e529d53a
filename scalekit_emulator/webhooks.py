"""Webhook deliveries, as Scalekit sends them: Standard Webhooks signatures, retries.

Endpoints are registered with ``--webhook-url URL`` (and ``--webhook-secret``), the
``/_emulator/webhooks`` control, :meth:`WebhookDeliveries.register`, or
``start_unless_configured(webhook_url=...)``. Each event is POSTed to every endpoint from a
background thread: ``webhook-id`` (the same on every attempt), ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256>``; a body that is Scalekit's envelope. A delivery
answered with anything but 2xx (or not answered) is retried with growing delays, like
Scalekit's, up to ``len(RETRY_DELAYS)`` retries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

__all__ = [
    "RETRY_DELAYS",
    "Delivery",
    "WebhookDeliveries",
    "WebhookEndpoint",
    "new_webhook_secret",
    "signed_headers",
]

logger = logging.getLogger("scalekit_emulator")

#: Seconds before each retry of a failed delivery (Scalekit retries over hours; locally
#: seconds are enough to show the behaviour).
RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0)
#: Seconds an endpoint has to answer one attempt.
DELIVERY_TIMEOUT = 5.0


def new_webhook_secret() -> str:
    """A fresh ``whsec_<base64>`` signing secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signed_headers(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one delivery of ``body``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def _rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class WebhookEndpoint:
    url: str
    secret: str = field(repr=False)


@dataclass(eq=False)  # one delivery is itself, whatever its fields
class Delivery:
    """One event to one endpoint, and what happened to it."""

    endpoint: WebhookEndpoint
    webhook_id: str
    event_type: str
    body: bytes = field(repr=False)
    attempts: int = 0
    statuses: list[int | None] = field(default_factory=list)
    delivered: bool = False
    gave_up: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "url": self.endpoint.url,
            "webhook_id": self.webhook_id,
            "type": self.event_type,
            "attempts": self.attempts,
            "statuses": list(self.statuses),
            "delivered": self.delivered,
            "gave_up": self.gave_up,
        }


class WebhookDeliveries:
    """The emulator's outgoing webhooks: endpoints, a queue, one background sender thread
    (started on the first event, a daemon: it never holds a process open)."""

    def __init__(self, clock: Callable[[], float], environment_id: str = "env_emulator") -> None:
        self._clock = clock
        self._environment_id = environment_id
        self._lock = threading.Lock()
        self._endpoints: list[WebhookEndpoint] = []
        self._deliveries: list[Delivery] = []
        self._queue: queue.PriorityQueue[tuple[float, int, Delivery | None]] = queue.PriorityQueue()
        self._sequence = 0
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self.retry_delays = RETRY_DELAYS

    # --- endpoints ---

    def register(self, url: str, secret: str | None = None) -> WebhookEndpoint:
        """Deliver every event to ``url`` (an http(s) URL), signed with ``secret`` (a new one
        when omitted). Registering a URL again replaces its secret."""
        if not url.startswith(("http://", "https://")):
            raise ValueError("webhook url must be an http(s) URL")
        if secret is not None:
            try:
                if not base64.b64decode(secret.removeprefix("whsec_"), validate=True):
                    raise ValueError("empty")
            except ValueError:
                raise ValueError("webhook secret must be whsec_<base64>") from None
        endpoint = WebhookEndpoint(url, secret or new_webhook_secret())
        with self._lock:
            self._endpoints = [e for e in self._endpoints if e.url != url] + [endpoint]
        return endpoint

    def unregister(self, url: str | None = None) -> None:
        """Stop delivering to ``url`` (every endpoint when ``None``)."""
        with self._lock:
            self._endpoints = [e for e in self._endpoints if url is not None and e.url != url]

    @property
    def endpoints(self) -> list[WebhookEndpoint]:
        with self._lock:
            return list(self._endpoints)

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    # --- events ---

    def emit(
        self,
        event_type: str,
        data: Mapping[str, Any],
        *,
        organization_id: str | None = None,
        object_name: str = "Event",
    ) -> str:
        """Queue ``event_type`` for every endpoint; the event id (``evt_…``)."""
        event_id = "evt_" + secrets.token_hex(8)
        envelope = {
            "spec_version": "1",
            "id": event_id,
            "type": event_type,
            "occurred_at": _rfc3339(self._clock()),
            "environment_id": self._environment_id,
            "organization_id": organization_id,
            "object": object_name,
            "data": dict(data),
        }
        body = json.dumps(envelope, separators=(",", ":")).encode()
        with self._lock:
            endpoints = list(self._endpoints)
            for endpoint in endpoints:
                delivery = Delivery(endpoint, "msg_" + secrets.token_hex(12), event_type, body)
                self._deliveries.append(delivery)
                del self._deliveries[:-1000]  # a bounded history
                self._schedule(delivery, 0.0)
            if endpoints and self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="scalekit-emulator-webhooks", daemon=True
                )
                self._thread.start()
        return event_id

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery is queued or in flight (retries included)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def clear(self) -> None:
        """Forget endpoints and the delivery history (queued retries are dropped)."""
        with self._lock:
            self._endpoints = []
            self._deliveries = []

    def stop(self) -> None:
        """End the sender thread (queued deliveries are dropped)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._queue.put((float("-inf"), 0, None))
        if thread is not None:
            thread.join(timeout=DELIVERY_TIMEOUT + 1)
        with self._lock:
            self._queue = queue.PriorityQueue()
            self._pending = 0
            self._idle.notify_all()

    # --- the sender ---

    def _schedule(self, delivery: Delivery, delay: float) -> None:
        # Called with the lock held.
        self._sequence += 1
        self._pending += 1
        self._queue.put((time.monotonic() + delay, self._sequence, delivery))

    def _run(self) -> None:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, follow_redirects=False) as http:
            while True:
                due, sequence, delivery = self._queue.get()
                if delivery is None:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    # Not due yet: put it back and sleep until it is (or a sooner one comes).
                    with self._lock:
                        self._queue.put((due, sequence, delivery))
                    time.sleep(min(wait, 0.05))
                    continue
                self._attempt(http, delivery)

    def _attempt(self, http: httpx.Client, delivery: Delivery) -> None:
        timestamp = int(self._clock())
        headers = {
            "content-type": "application/json",
            "user-agent": "scalekit-emulator-webhooks",
            **signed_headers(
                delivery.endpoint.secret, delivery.webhook_id, timestamp, delivery.body
            ),
        }
        status: int | None
        try:
            status = http.post(
                delivery.endpoint.url, content=delivery.body, headers=headers
            ).status_code
        except httpx.HTTPError as exc:
            status = None
            logger.info(
                "webhook %s to %s failed: %s",
                delivery.event_type,
                delivery.endpoint.url,
                type(exc).__name__,
            )
        with self._lock:
            delivery.attempts += 1
            delivery.statuses.append(status)
            if status is not None and 200 <= status < 300:
                delivery.delivered = True
            elif delivery.attempts <= len(self.retry_delays) and delivery in self._deliveries:
                self._schedule(delivery, self.retry_delays[delivery.attempts - 1])
            else:
                delivery.gave_up = True
            self._pending -= 1
            if not self._pending:
                self._idle.notify_all()
