"""Shared fixtures of tests/core: the anyio backend, a movable clock, a cookie-keeping browser."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import pytest

from scalekit_core.web import CookieWrite, WebRequest, WebResponse


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class Browser:
    """Keeps cookies the way a browser does when it receives ``CookieWrite``s."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def apply(self, writes: Iterable[CookieWrite]) -> None:
        for write in writes:
            if write.is_deletion:
                self.cookies.pop(write.name, None)
            else:
                self.cookies[write.name] = write.value

    def request(
        self, target: str, method: str = "GET", headers: Mapping[str, str] | None = None
    ) -> WebRequest:
        """A request for ``target`` (a path with query, or an absolute URL)."""
        if "://" in target:
            target = "/" + target.split("://", 1)[1].split("/", 1)[1]
        path, _, query = target.partition("?")
        return WebRequest(method, path, query, headers or {"accept": "text/html"}, self.cookies)

    def follow(self, response: WebResponse) -> str:
        """Apply the response's cookies and return its ``Location``."""
        self.apply(response.cookies)
        assert response.location is not None, response
        return response.location


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def browser() -> Browser:
    return Browser()
