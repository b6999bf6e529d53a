"""Record which ``is_staff`` / ``is_superuser`` flags the organization mapping granted.

Before this version every linked user's flags followed ``SCALEKIT_ADMIN_ROLE`` (default
``"admin"``, whatever the organization), so the flags linked users hold now were granted by
that role unless it was set to ``None``: they are marked as granted, and the next request
of such a user takes them away unless ``SCALEKIT_STAFF_ORGANIZATIONS`` /
``SCALEKIT_SUPERUSER_ORGANIZATIONS`` grant them again.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def mark_role_granted_flags(apps: Any, schema_editor: Any) -> None:
    if not getattr(settings, "SCALEKIT_ADMIN_ROLE", "admin"):
        return  # the role mapping was off: the flags were the app's own
    identity_model = apps.get_model("scalekit_django", "ScalekitIdentity")
    for identity in identity_model.objects.select_related("user").iterator():
        identity.granted_staff = bool(getattr(identity.user, "is_staff", False))
        identity.granted_superuser = bool(getattr(identity.user, "is_superuser", False))
        if identity.granted_staff or identity.granted_superuser:
            identity.save(update_fields=["granted_staff", "granted_superuser"])


class Migration(migrations.Migration):
    dependencies = [
        ("scalekit_django", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="scalekitidentity",
            name="granted_staff",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="scalekitidentity",
            name="granted_superuser",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_role_granted_flags, migrations.RunPython.noop),
    ]
