"""Results that also read as the official SDK's dicts, while keeping their typed attributes.

The official ``scalekit-sdk-python`` answers ``authenticate_with_code``,
``refresh_access_token`` and ``get_idp_initiated_login_claims`` with plain dicts; code
written for it indexes them (``result["access_token"]``). Our frozen results inherit
:class:`OfficialMapping`, a read-only ``Mapping`` over the official keys, so that code runs
unchanged and new code keeps ``result.access_token``, type-checked.

>>> from scalekit_core import TokenResponse
>>> tokens = TokenResponse("at", 300, refresh_token="rt")
>>> tokens["refresh_token"], tokens.refresh_token
('rt', 'rt')
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["OfficialMapping"]


class OfficialMapping(Mapping[str, Any]):
    """A read-only mapping over :meth:`_official_items` (no state of its own: slots-safe).

    Subclasses are frozen dataclasses; their own ``__eq__``/``__hash__`` (field-wise) win
    over ``Mapping``'s, so two results still compare as values.
    """

    __slots__ = ()

    @abstractmethod
    def _official_items(self) -> Mapping[str, Any]:
        """The official SDK's dict for this result (built on each access: results are small)."""

    def __getitem__(self, key: str) -> Any:
        return self._official_items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._official_items())

    def __len__(self) -> int:
        return len(self._official_items())
