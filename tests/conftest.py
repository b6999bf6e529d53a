"""Test-session-wide options and ordering: ``--fuzz-long``; the browser tests run last.

Playwright's sync API keeps an event loop running in the main thread for as long as its
browser lives (the session-scoped fixture in ``tests/e2e``), so an ``asyncio.run`` in any
later test would fail with "Cannot run the event loop while another loop is running".
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="run the fuzz tests with many more (random) examples than CI's fixed set",
    )


def pytest_configure(config: pytest.Config) -> None:
    from tests import fuzzing

    fuzzing.LONG = bool(config.getoption("--fuzz-long"))
