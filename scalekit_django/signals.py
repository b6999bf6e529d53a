"""Signals: ``scalekit_user_logged_in``, ``scalekit_auth_failed`` and ``scalekit_webhook_received``
(sent), and Django's ``user_logged_out`` (received).

``scalekit_user_logged_in`` is sent by the callback view after a successful login. Receivers
get ``request`` (the callback request), ``user`` (the Django user) and ``scalekit_user``
(the core ``User``)::

    from django.dispatch import receiver
    from scalekit_django.signals import scalekit_user_logged_in

    @receiver(scalekit_user_logged_in)
    def audit(sender, request, user, scalekit_user, **kwargs):
        log.info("login %s", scalekit_user.id)

``scalekit_auth_failed`` is sent whenever the integration answers a request with one of the
core's outcomes: a failed sign-in (callback, login or organization switch), a guard's
redirect to sign in, 401 or 403, a 503. Receivers get ``request``, ``reason`` (a
``scalekit_core.web.outcomes.Reason`` value, or an app's own ``PermissionDenied`` reason) and
``status_code``; they are called synchronously (write them as plain functions)::

    @receiver(scalekit_auth_failed)
    def count(sender, request, reason, status_code, **kwargs):
        metrics.increment("auth_failed", tags={"reason": reason})

Django's own sign-out (``django.contrib.auth.logout``, e.g. the admin's "Log out") ends the
Scalekit session too: :func:`end_scalekit_session` marks the request, and
``ScalekitMiddleware`` deletes the session (cookies and stored session) on its response, so
the next request is anonymous. It cannot go through Scalekit's logout page as the
``scalekit:logout`` view does, since Django renders that response itself: the user's session
at Scalekit stays, and the next sign-in may not ask for credentials again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction
from django.contrib.auth.models import AnonymousUser
from django.dispatch import Signal

from scalekit_core import WebhookEvent

__all__ = [
    "SIGNED_OUT",
    "end_scalekit_session",
    "on_event",
    "scalekit_auth_failed",
    "scalekit_user_logged_in",
    "scalekit_webhook_received",
]

scalekit_user_logged_in = Signal()
scalekit_auth_failed = Signal()

#: Sent for every verified Scalekit webhook (after the built-in handling ended the sessions
#: it names), with ``event`` (a ``WebhookEvent``). A receiver that raises makes the delivery
#: answer 500, so Scalekit retries it.
scalekit_webhook_received = Signal()

F = TypeVar("F", bound=Callable[..., Any])


def on_event(*event_types: str) -> Callable[[F], F]:
    """``@on_event("organization.created")``: ``handler(event)`` for those event types (a
    ``scalekit_webhook_received`` receiver filtered by type; sync or async)."""
    if not event_types:
        raise ValueError("on_event needs one or more event type names")
    wanted = frozenset(event_types)

    def register(handler: F) -> F:
        if iscoroutinefunction(handler):

            async def areceiver(sender: Any, event: WebhookEvent, **kwargs: Any) -> None:
                if event.type in wanted:
                    await handler(event)

            receiver: Callable[..., Any] = areceiver
        else:

            def receiver(sender: Any, event: WebhookEvent, **kwargs: Any) -> None:
                if event.type in wanted:
                    handler(event)

        # Strongly held: the wrapper has no other reference.
        scalekit_webhook_received.connect(receiver, weak=False, dispatch_uid=(handler, wanted))
        return handler

    return register


def send_webhook_event(event: WebhookEvent) -> None:
    """The blocking manager's ``"*"`` handler: the signal, errors raised (500, a retry)."""
    scalekit_webhook_received.send(sender=WebhookEvent, event=event)


async def asend_webhook_event(event: WebhookEvent) -> None:
    """The async manager's ``"*"`` handler (sync and async receivers)."""
    await scalekit_webhook_received.asend(sender=WebhookEvent, event=event)


#: The request attribute that tells ``ScalekitMiddleware`` to end the session on the response.
SIGNED_OUT = "_scalekit_signed_out"


async def _anonymous() -> AnonymousUser:
    return AnonymousUser()


def end_scalekit_session(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """``user_logged_out`` receiver: the Scalekit user is signed out for the rest of this
    request, and the middleware ends the session on its response."""
    if request is None:
        return
    setattr(request, SIGNED_OUT, True)
    if getattr(request, "scalekit", None) is not None:
        request.scalekit = None
        request.auser = _anonymous
