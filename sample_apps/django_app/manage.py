#!/usr/bin/env python
"""Django's command line for the sample app (works from any directory).

With SCALEKIT_ENVIRONMENT_URL unset, ``runserver`` starts the bundled emulator (as ``run.py``
does); the other commands (check, migrate, makemigrations, ...) start nothing and never call
Scalekit, so placeholder values stand in for the unset connection settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Enough for the system checks; nothing listens at this address.
OFFLINE_PLACEHOLDERS = {
    "SCALEKIT_ENVIRONMENT_URL": "http://127.0.0.1:9",
    "SCALEKIT_CLIENT_ID": "offline-placeholder",
    "SCALEKIT_CLIENT_SECRET": "offline-placeholder",
}


def main() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_apps.django_app.settings")
    from django.core.management import execute_from_command_line

    from sample_apps.django_app import app_base_url
    from scalekit_emulator import start_unless_configured

    emulator = None
    if sys.argv[1:2] == ["runserver"]:
        # The autoreloader's child inherits the emulator's values and so starts none of its own.
        emulator = start_unless_configured(webhook_url=app_base_url() + "/auth/webhooks")
    elif not os.environ.get("SCALEKIT_ENVIRONMENT_URL"):
        for name, value in OFFLINE_PLACEHOLDERS.items():
            os.environ.setdefault(name, value)
    try:
        execute_from_command_line(sys.argv)
    finally:
        if emulator is not None:
            emulator.stop()


if __name__ == "__main__":
    main()
