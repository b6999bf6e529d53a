"""The Django sample app (settings, URLs, views and templates)."""

from __future__ import annotations

import os

__all__ = ["app_base_url"]


def app_base_url() -> str:
    """The app's own URL: ``APP_BASE_URL``, else ``SCALEKIT_APP_BASE_URL``, else
    ``http://127.0.0.1:$PORT`` (8001)."""
    return (
        os.environ.get("APP_BASE_URL")
        or os.environ.get("SCALEKIT_APP_BASE_URL")
        or f"http://127.0.0.1:{os.environ.get('PORT', '8001')}"
    ).rstrip("/")
