"""ASGI entry point (``run.py`` serves it with uvicorn)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_apps.django_app.settings")

application = get_asgi_application()
