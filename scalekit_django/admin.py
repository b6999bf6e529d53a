"""``ScalekitIdentity`` in Django's admin (read-only links between users and identities)."""

from __future__ import annotations

from django.contrib import admin

from .models import ScalekitIdentity


@admin.register(ScalekitIdentity)
class ScalekitIdentityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("subject", "issuer", "user", "granted_staff", "granted_superuser", "updated_at")
    search_fields = ("subject", "user__username", "user__email")
    readonly_fields = (
        "user",
        "issuer",
        "subject",
        "granted_staff",
        "granted_superuser",
        "created_at",
        "updated_at",
    )
