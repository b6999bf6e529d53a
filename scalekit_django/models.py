"""``ScalekitIdentity``: which Django user a Scalekit identity (issuer, subject) is."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class ScalekitIdentity(models.Model):
    """Links a Django user to a Scalekit identity; one user may have several identities."""

    user: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scalekit_identities"
    )
    issuer: models.CharField[str, str] = models.CharField(max_length=255)
    subject: models.CharField[str, str] = models.CharField(max_length=255)
    # Whether SCALEKIT_STAFF_ORGANIZATIONS / _SUPERUSER_ORGANIZATIONS set the user's flag at a
    # sign-in with this identity: only such a flag is taken away when the mapping stops
    # matching, never one that the app granted itself.
    granted_staff: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    granted_superuser: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    created_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now_add=True)
    updated_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Scalekit identity"
        verbose_name_plural = "Scalekit identities"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="scalekit_identity_issuer_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.issuer})"
