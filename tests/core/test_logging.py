"""`scalekit_core.logging.RedactingFilter` on the access loggers of uvicorn, gunicorn, Django
and Werkzeug, and the uvicorn log configuration the README's multi-worker recipe uses."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scalekit_core.logging import (
    RedactingFilter,
    install_redacting_filter,
    redact,
    uvicorn_log_config,
)
from scalekit_emulator import EmulatorHandle
from tests.processes import ROOT, free_port, start_process, wait_until

CODE = "c0de-SECRET-4f9a"
STATE = "st4te-SECRET-77b1"
CALLBACK = f"/auth/callback?code={CODE}&state={STATE}&iss=http%3A%2F%2F127.0.0.1"


@pytest.fixture
def access_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    logger = logging.getLogger("tests.access")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.addFilter(RedactingFilter())
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)
    logger.filters.clear()


def assert_redacted(text: str) -> None:
    assert CODE not in text and STATE not in text, text
    assert "code=[redacted]&state=[redacted]" in text, text


def test_redact_keeps_other_parameters_and_lookalike_names() -> None:
    assert redact("/x?barcode=1&mystate=2&next=/a") == "/x?barcode=1&mystate=2&next=/a"
    assert redact("/oidc/logout?id_token_hint=eyJ.a.b&post_logout_redirect_uri=x") == (
        "/oidc/logout?id_token_hint=[redacted]&post_logout_redirect_uri=x"
    )
    assert redact("refresh_token=r1;access_token=a1") == (
        "refresh_token=[redacted];access_token=[redacted]"
    )


def test_uvicorn_access_record_has_no_code(
    access_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = access_log
    # uvicorn.protocols.http: '%s - "%s %s HTTP/%s" %d' with a tuple of five arguments.
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5555", "GET", CALLBACK, "1.1", 302)
    assert_redacted(stream.getvalue())
    assert "iss=http%3A%2F%2F127.0.0.1" in stream.getvalue()


def test_gunicorn_access_record_has_no_code(
    access_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = access_log
    # gunicorn.glogging.Logger.access: the format with one mapping of atoms (r: request
    # line, U: path, q: the query string alone).
    atoms = {
        "h": "127.0.0.1",
        "r": f"GET {CALLBACK} HTTP/1.1",
        "U": "/auth/callback",
        "q": CALLBACK.split("?", 1)[1],
        "s": "302",
    }
    logger.info('%(h)s "%(r)s" %(s)s %(U)s ?%(q)s', atoms)
    text = stream.getvalue()
    assert CODE not in text and STATE not in text, text
    assert text.count("code=[redacted]&state=[redacted]") == 2, text


def test_django_server_record_has_no_code(
    access_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = access_log
    # django.core.servers.basehttp.WSGIRequestHandler.log_message: '"%s" %s %s'.
    logger.info('"%s" %s %s', f"GET {CALLBACK} HTTP/1.1", "302", "0")
    assert_redacted(stream.getvalue())


def test_install_adds_the_filter_once_to_every_access_logger() -> None:
    names = ("uvicorn.access", "gunicorn.access", "django.server", "werkzeug")
    before = {name: list(logging.getLogger(name).filters) for name in names}
    try:
        install_redacting_filter()
        install_redacting_filter()
        for name in names:
            added = [f for f in logging.getLogger(name).filters if f not in before[name]]
            already = any(isinstance(f, RedactingFilter) for f in before[name])
            assert len(added) == (0 if already else 1), name
    finally:
        for name in names:
            logging.getLogger(name).filters[:] = before[name]


def test_uvicorn_log_config_is_uvicorns_own_plus_the_filter() -> None:
    from uvicorn.config import LOGGING_CONFIG

    config = uvicorn_log_config()
    assert config["handlers"]["access"].pop("filters") == ["redact"]
    assert config.pop("filters") == {"redact": {"()": "scalekit_core.logging.RedactingFilter"}}
    assert config == LOGGING_CONFIG
    # The file the README's uvicorn command line uses is the same configuration.
    shipped = json.loads((ROOT / "sample_apps" / "uvicorn_logging.json").read_text())
    assert shipped == uvicorn_log_config()


def test_readme_uvicorn_recipe_logs_no_code(
    scalekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """The README's ``uvicorn --factory … --log-config sample_apps/uvicorn_logging.json``."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")},
        **scalekit_emulator.env(),
        "SCALEKIT_COOKIE_SECRET": "a-cookie-secret-of-at-least-32-characters",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "sample_apps.fastapi_app.app:create_app",
        "--port",
        str(port),
        "--log-config",
        "sample_apps/uvicorn_logging.json",
    ]
    process = start_process("uvicorn_recipe", command, env, tmp_path)
    try:
        wait_until(process, lambda: "Uvicorn running" in process.output(), "listening")
        answer = httpx.get(f"http://127.0.0.1:{port}{CALLBACK}", timeout=5)
        assert answer.status_code < 500
        wait_until(process, lambda: "/auth/callback" in process.output(), "logging the callback")
    finally:
        process.stop()
    assert_redacted(process.output())
