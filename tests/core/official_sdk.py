"""Import parts of the official ``scalekit-sdk-python`` (a dev dependency) for comparison.

Importing it sets off deprecation warnings of its own dependencies (pydantic's class-based
config), which the suite otherwise turns into errors; they are not ours to fix.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType


def official(module: str) -> ModuleType:
    """``importlib.import_module(module)`` with the official package's warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module(module)
