"""When to retry an idempotent request: a pure policy that the drivers consult."""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time

from .flows import HTTPResponse

__all__ = ["RetryPolicy"]

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Jittered exponential backoff for idempotent requests, bounded in count and total time.

    Non-idempotent requests (a POST that creates) are never retried, whatever the policy.
    ``Retry-After`` is honoured when it fits within ``max_delay``.
    """

    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0
    total_budget: float = 15.0

    def delay(self, attempt: int, elapsed: float, response: HTTPResponse | None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to stop.

        ``response`` is ``None`` when the attempt failed with a connection error.
        """
        if attempt >= self.max_attempts:
            return None
        if response is not None and response.status_code not in RETRYABLE_STATUS:
            return None
        wait = self.base_delay * (2 ** (attempt - 1))
        wait = random.uniform(wait / 2, wait)  # noqa: S311 - jitter, not a secret
        if response is not None:
            hinted = _retry_after(response.headers.get("retry-after"))
            if hinted is not None:
                wait = hinted
        if wait > self.max_delay or elapsed + wait > self.total_budget:
            return None
        return wait


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
