"""Test-session-wide ordering: the browser tests run last.

Playwright's sync API keeps an event loop running in the main thread for as long as its
browser lives (the session-scoped fixture in ``tests/e2e``), so an ``asyncio.run`` in any
later test would fail with "Cannot run the event loop while another loop is running".
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
