"""``scalekit_user_logged_in``: sent by the callback view after a successful login.

Receivers get ``request`` (the callback request), ``user`` (the Django user) and
``scalekit_user`` (the core ``User``)::

    from django.dispatch import receiver
    from scalekit_django.signals import scalekit_user_logged_in

    @receiver(scalekit_user_logged_in)
    def audit(sender, request, user, scalekit_user, **kwargs):
        log.info("login %s", scalekit_user.id)
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["scalekit_user_logged_in"]

scalekit_user_logged_in = Signal()
