"""Windowed counters behind one interface: in-process by default, Redis to share across workers.

Account features are sliding-window aggregates — messages in the last hour, distinct
recipients today, the highest sexual_services score this week. They are kept in time
buckets keyed by *event time* (not the wall clock), so replaying a file or sweeping history
gives the same numbers as seeing the events live.

Bucket sizes follow the window asked for: windows up to an hour read 1-minute buckets, up to
a day 1-hour buckets, longer ones 1-day buckets. A window is therefore exact to its bucket
size (an "hour" is the last 60 one-minute buckets, the current one included), identically in
both implementations.

Distinct counts are exact sets in memory and HyperLogLog in Redis (≈ 0.8% standard error);
"remember" is an exact set with a time-to-live in both (used to de-duplicate reporters).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Protocol

GRANULARITIES = (60, 3600, 86400)  # seconds per bucket: minute, hour, day
RETENTION = {60: 2 * 3600, 3600: 2 * 86400, 86400: 35 * 86400}  # seconds kept per size


def granularity_for(window: timedelta) -> int:
    """Bucket size used to answer a window of this length."""
    seconds = window.total_seconds()
    if seconds <= 3600:
        return 60
    if seconds <= 86400:
        return 3600
    return 86400


def bucket_range(at: datetime, window: timedelta) -> tuple[int, list[int]]:
    """(bucket size, bucket numbers) covering ``window`` up to and including ``at``'s bucket."""
    size = granularity_for(window)
    last = int(at.timestamp()) // size
    count = max(1, int(window.total_seconds() // size))
    return size, list(range(last - count + 1, last + 1))


class Counters(Protocol):
    """Windowed aggregates per key; ``at`` is event time."""

    def add(self, key: str, at: datetime, amount: float = 1.0) -> None: ...

    def total(self, key: str, at: datetime, window: timedelta) -> float: ...

    def add_distinct(self, key: str, member: str, at: datetime) -> None: ...

    def distinct(self, key: str, at: datetime, window: timedelta) -> int: ...

    def keep_max(self, key: str, at: datetime, value: float) -> None: ...

    def maximum(self, key: str, at: datetime, window: timedelta) -> float: ...

    def remember(self, key: str, member: str, ttl: timedelta) -> bool:
        """Add ``member`` to the set ``key``; True when it was not there yet."""
        ...

    def put(self, key: str, value: str) -> None: ...

    def get(self, key: str) -> str | None: ...


class MemoryCounters:
    """In-process counters: the embedded default (one worker)."""

    def __init__(self) -> None:
        self._sums: dict[tuple[str, int, int], float] = defaultdict(float)
        self._sets: dict[tuple[str, int, int], set[str]] = defaultdict(set)
        self._maxes: dict[tuple[str, int, int], float] = {}
        self._remembered: dict[str, dict[str, float]] = defaultdict(dict)
        self._values: dict[str, str] = {}
        self._newest = 0

    def add(self, key: str, at: datetime, amount: float = 1.0) -> None:
        for size in GRANULARITIES:
            self._sums[(key, size, _bucket(at, size))] += amount
        self._prune(at)

    def total(self, key: str, at: datetime, window: timedelta) -> float:
        size, buckets = bucket_range(at, window)
        return sum(self._sums.get((key, size, b), 0.0) for b in buckets)

    def add_distinct(self, key: str, member: str, at: datetime) -> None:
        for size in GRANULARITIES:
            self._sets[(key, size, _bucket(at, size))].add(member)
        self._prune(at)

    def distinct(self, key: str, at: datetime, window: timedelta) -> int:
        size, buckets = bucket_range(at, window)
        members: set[str] = set()
        for b in buckets:
            members |= self._sets.get((key, size, b), set())
        return len(members)

    def keep_max(self, key: str, at: datetime, value: float) -> None:
        for size in GRANULARITIES:
            slot = (key, size, _bucket(at, size))
            self._maxes[slot] = max(self._maxes.get(slot, value), value)

    def maximum(self, key: str, at: datetime, window: timedelta) -> float:
        size, buckets = bucket_range(at, window)
        return max((self._maxes.get((key, size, b), 0.0) for b in buckets), default=0.0)

    def remember(self, key: str, member: str, ttl: timedelta) -> bool:
        now = datetime.now(UTC).timestamp()
        seen = self._remembered[key]
        expiry = seen.get(member)
        if expiry is not None and expiry > now:
            return False
        seen[member] = now + ttl.total_seconds()
        return True

    def put(self, key: str, value: str) -> None:
        self._values[key] = value

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def _prune(self, at: datetime) -> None:
        """Drop buckets older than their retention, at most once per simulated hour."""
        stamp = int(at.timestamp())
        if stamp < self._newest + 3600:
            return
        self._newest = stamp
        for store in (self._sums, self._sets, self._maxes):
            stale = [k for k in store if (k[2] + 1) * k[1] < stamp - RETENTION[k[1]]]
            for k in stale:
                del store[k]


def _bucket(at: datetime, size: int) -> int:
    return int(at.timestamp()) // size
