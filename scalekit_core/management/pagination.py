"""Walk every page of a listing, sync or async, following ``next_page_token``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Protocol, TypeVar

__all__ = ["iterate_pages", "iterate_pages_async"]

Item = TypeVar("Item")
PageT = TypeVar("PageT", bound="_Page")


class _Page(Protocol):
    @property
    def next_page_token(self) -> str: ...


def iterate_pages(
    fetch: Callable[[str | None], PageT], items: Callable[[PageT], Iterable[Item]]
) -> Iterator[Item]:
    """Every item of every page; stops on an empty or repeated ``next_page_token``."""
    token: str | None = None
    seen: set[str] = set()
    while True:
        page = fetch(token)
        yield from items(page)
        token = page.next_page_token
        if not token or token in seen:  # a repeated token would loop forever
            return
        seen.add(token)


async def iterate_pages_async(
    fetch: Callable[[str | None], Awaitable[PageT]], items: Callable[[PageT], Iterable[Item]]
) -> AsyncIterator[Item]:
    """The async twin of :func:`iterate_pages`."""
    token: str | None = None
    seen: set[str] = set()
    while True:
        page = await fetch(token)
        for item in items(page):
            yield item
        token = page.next_page_token
        if not token or token in seen:
            return
        seen.add(token)
