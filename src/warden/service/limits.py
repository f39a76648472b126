"""The per-key rate limit: a token bucket per API key, in the process that serves it.

Each key may make ``rate`` requests a second on average, in bursts of up to ``burst``. A
request over the limit gets 429 with ``Retry-After`` (whole seconds, at least 1): the time
until a token is back. Several service processes each apply the limit on their own share of
the traffic — good enough to stop one client starving the others, which is its job."""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    """Token buckets by key name."""

    def __init__(self, rate: float, burst: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate {rate} and burst {burst}: expected rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens for ``key``: 0 when allowed, else seconds until it would be."""
        now = time.monotonic()
        with self._lock:
            tokens, when = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - when) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / self.rate


def retry_after(seconds: float) -> str:
    """``Retry-After`` in whole seconds, never 0."""
    return str(max(1, math.ceil(seconds)))
