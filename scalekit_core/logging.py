"""One log filter that keeps one-time codes and tokens out of access logs.

A sign-in ends on ``GET /auth/callback?code=…&state=…`` and a sign-out leaves on
``…/oidc/logout?id_token_hint=…``: every web server's access log would record them.
`RedactingFilter` replaces the values of those query parameters with ``[redacted]`` in a
log record's message and arguments, whatever the server: uvicorn's ``uvicorn.access``
(a tuple of arguments), gunicorn's ``gunicorn.access`` (a mapping of atoms, the query string
on its own included), Django's ``django.server`` and Werkzeug's ``werkzeug`` (Flask's
development server; both log the request line).

>>> import logging
>>> from scalekit_core.logging import RedactingFilter
>>> logging.getLogger("uvicorn.access").addFilter(RedactingFilter())

or `install_redacting_filter()`, which adds it to each of those loggers once. Framework-neutral:
it imports only the standard library.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

ACCESS_LOGGERS = ("uvicorn.access", "gunicorn.access", "django.server", "werkzeug")

REDACTED_PARAMETERS = (
    "code",
    "state",
    "id_token_hint",
    "id_token",
    "access_token",
    "refresh_token",
    "token",
    "client_secret",
    "code_verifier",
)

REDACTED = "[redacted]"

# A parameter at the start of a query string (gunicorn's %(q)s) or after ?, & or ;, its value
# up to the next separator, fragment, quote or whitespace.
_PARAMETER = re.compile(
    r"(?P<name>(?:^|(?<=[?&;]))(?:" + "|".join(REDACTED_PARAMETERS) + r")=)[^&;#\s\"']*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with the value of every code, state and token query parameter replaced."""
    if "=" not in text:
        return text
    return _PARAMETER.sub(lambda match: match.group("name") + REDACTED, text)


def _redact_value(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


class RedactingFilter(logging.Filter):
    """Replaces codes, state and tokens in query strings of a record's message and arguments.

    Never drops a record: it only rewrites it, so the request still shows in the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        args: Any = record.args
        if isinstance(args, Mapping):
            record.args = {key: _redact_value(value) for key, value in args.items()}
        elif isinstance(args, tuple):
            record.args = tuple(_redact_value(value) for value in args)
        return True


def install_redacting_filter(logger_names: Iterable[str] = ACCESS_LOGGERS) -> None:
    """Add one `RedactingFilter` to each named logger (default: the access loggers of
    uvicorn, gunicorn, Django and Werkzeug); calling it again adds none twice."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactingFilter) for existing in logger.filters):
            logger.addFilter(RedactingFilter())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with the filter on its access handler, for
    ``uvicorn.run(app, log_config=uvicorn_log_config())``. uvicorn resolves its formatter
    classes by name when it applies the configuration: this module does not import it."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "scalekit_core.logging.RedactingFilter"}},
        "formatters": {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
                "use_colors": None,
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        },
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "formatter": "access",
                "filters": ["redact"],
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
