"""The README's Python code blocks, for the tests that run them as written."""

from __future__ import annotations

import re

from tests.processes import ROOT

README = ROOT / "README.md"

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[str]:
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


def block(marker: str) -> str:
    """The one Python block of the README that contains ``marker``."""
    found = [text for text in python_blocks() if marker in text]
    assert len(found) == 1, f"{len(found)} README Python blocks contain {marker!r}"
    return found[0]


def without_placeholders(source: str) -> str:
    """``[..., "a"]`` -> ``["a"]``: the README's ``...`` for "your other entries"."""
    return re.sub(r"\.\.\.,\s*", "", source)
