"""Any project with ``scalekit_django`` installed keeps callback codes out of its access log."""

from __future__ import annotations

import logging

import pytest

from scalekit_core.logging import RedactingFilter


@pytest.mark.parametrize("name", ["django.server", "uvicorn.access", "gunicorn.access"])
def test_access_loggers_redact_callback_codes_once_the_app_is_ready(name: str) -> None:
    logger = logging.getLogger(name)
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    record = logger.makeRecord(
        name,
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        ("GET /auth/callback?code=c0de&state=s1", 302),
        None,
    )
    for existing in logger.filters:
        existing.filter(record)
    assert "c0de" not in record.getMessage() and "s1" not in record.getMessage()
