"""The migration guide says true things: its imports import, its methods and classes exist."""

from __future__ import annotations

import re

import pytest

import scalekit_core
from scalekit_core import AsyncScalekitClient, ScalekitClient
from tests.processes import ROOT

GUIDE = (ROOT / "docs" / "migrating-from-scalekit-sdk.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(from [\w.]+ import [^`]+)` \| `(from [\w.]+ import [^`(]+)`", re.M)


def _imports() -> list[tuple[str, str]]:
    return ROW.findall(GUIDE)


def test_the_guide_lists_imports() -> None:
    assert len(_imports()) >= 20


@pytest.mark.official_sdk
@pytest.mark.parametrize(("official", "ours"), _imports())
def test_each_import_mapping(official: str, ours: str) -> None:
    exec(official, {})  # the official import is real...
    exec(ours.strip(), {})  # ...and ours works


def test_every_method_of_the_result_table_exists() -> None:
    methods = re.findall(r"^\| `(\w+)\.(\w+)`(?:, `(\w+)`)?(?:, `(\w+)`)? \|", GUIDE, re.M)
    assert len(methods) >= 20
    sync = ScalekitClient("https://acme.scalekit.test", "skc_1", "secret")
    asynchronous = AsyncScalekitClient("https://acme.scalekit.test", "skc_1", "secret")
    for attribute, *names in methods:
        for name in filter(None, names):
            assert callable(getattr(getattr(sync, attribute), name)), (attribute, name)
            assert callable(getattr(getattr(asynchronous, attribute), name)), (attribute, name)
    sync.close()


def test_every_official_exception_is_in_the_guide() -> None:
    for name in scalekit_core.OFFICIAL_EXCEPTION_NAMES:
        assert f"`{name}`" in GUIDE, name
