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
:class:`~warden.accounts.sql_counters.SqlCounters` is the in-process state kept in the
embedded store's tables, so that it outlives the process.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

GRANULARITIES = (60, 3600, 86400)  # seconds per bucket: minute, hour, day
RETENTION = {60: 2 * 3600, 3600: 2 * 86400, 86400: 35 * 86400}  # seconds kept per size
PRUNE_EVERY = 6 * 3600  # seconds of event time between prunes


def first_kept(size: int, stamp: int) -> int:
    """The oldest bucket of ``size`` seconds kept as of ``stamp``: every older one ended more
    than its retention before (``(bucket + 1) * size < stamp - RETENTION[size]``)."""
    return (stamp - RETENTION[size] - 1) // size


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


#: The windows a key will be read with (None: any) — buckets are kept only at the sizes those
#: windows need, a third of the writes for most keys.
Windows = tuple[timedelta, ...] | None
_SIZES: dict[tuple[timedelta, ...], tuple[int, ...]] = {}


def sizes_for(windows: Windows) -> tuple[int, ...]:
    """Bucket sizes to keep for a key read with ``windows``."""
    if windows is None:
        return GRANULARITIES
    sizes = _SIZES.get(windows)
    if sizes is None:
        sizes = _SIZES[windows] = tuple(sorted({granularity_for(w) for w in windows}))
    return sizes


def bucket_span(at: datetime, window: timedelta) -> tuple[int, int, int]:
    """(bucket size, first bucket, last bucket) of ``window`` up to ``at`` — the same buckets
    as :func:`bucket_range`, without listing them."""
    cached = _SPANS.get(window)
    if cached is not None and cached[0] is at:
        return cached[1]  # type: ignore[no-any-return]
    shape = _SHAPES.get(window)
    if shape is None:
        size = granularity_for(window)
        shape = _SHAPES[window] = (size, max(1, int(window.total_seconds() // size)))
    size, count = shape
    last = _stamp(at) // size
    span = (size, last - count + 1, last)
    _SPANS[window] = (at, span)
    return span


_SHAPES: dict[timedelta, tuple[int, int]] = {}
_SPANS: dict[timedelta, tuple[datetime, Any]] = {}
_LAST: list[Any] = [None, 0]


def _stamp(at: datetime) -> int:
    """``int(at.timestamp())``, remembered for the last moment asked (features ask ~25
    questions about the same moment in a row)."""
    if _LAST[0] is not at:
        _LAST[0], _LAST[1] = at, int(at.timestamp())
    return int(_LAST[1])


class Counters(Protocol):
    """Windowed aggregates per key; ``at`` is event time. Writers may say which ``windows``
    a key will be read with; reading it with another window then answers from nothing."""

    def add(self, key: str, at: datetime, amount: float = 1.0, windows: Windows = None) -> None: ...

    def total(self, key: str, at: datetime, window: timedelta) -> float: ...

    def add_distinct(
        self, key: str, member: str, at: datetime, windows: Windows = None
    ) -> None: ...

    def distinct(self, key: str, at: datetime, window: timedelta) -> int: ...

    def keep_max(self, key: str, at: datetime, value: float, windows: Windows = None) -> None: ...

    def maximum(self, key: str, at: datetime, window: timedelta) -> float: ...

    def remember(self, key: str, member: str, ttl: timedelta) -> bool:
        """Add ``member`` to the set ``key``; True when it was not there yet."""
        ...

    def put(self, key: str, value: str) -> None: ...

    def put_if_absent(self, key: str, value: str) -> None:
        """``put`` unless ``key`` has a value already (a first-seen moment): no read needed."""
        ...

    def get(self, key: str) -> str | None: ...


class MemoryCounters:
    """In-process counters: the embedded default (one worker), and each shard of a sweep.

    Buckets are kept per (key, bucket size) in small dicts, and a window is answered from
    the buckets that exist rather than every bucket it spans: an account's "messages in the
    last hour" is one or two minute-buckets, not sixty lookups. Same numbers, far fewer
    operations — a sweep asks these questions millions of times."""

    def __init__(self) -> None:
        self._sums: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)
        self._sets: dict[tuple[str, int], dict[int, set[str]]] = defaultdict(dict)
        self._maxes: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)
        self._remembered: dict[str, dict[str, float]] = defaultdict(dict)
        self._values: dict[str, str] = {}
        self._newest = 0

    def add(self, key: str, at: datetime, amount: float = 1.0, windows: Windows = None) -> None:
        stamp = int(at.timestamp())
        for size in sizes_for(windows):
            buckets = self._sums[(key, size)]
            bucket = stamp // size
            buckets[bucket] = buckets.get(bucket, 0.0) + amount
        if stamp >= self._newest + PRUNE_EVERY:
            self._prune(stamp)

    def total(self, key: str, at: datetime, window: timedelta) -> float:
        size, first, last = bucket_span(at, window)
        buckets = self._sums.get((key, size))
        if not buckets:
            return 0.0
        if len(buckets) > last - first:  # more buckets kept than the window spans
            return sum(buckets.get(b, 0.0) for b in range(first, last + 1))
        return sum(value for bucket, value in buckets.items() if first <= bucket <= last)

    def add_distinct(self, key: str, member: str, at: datetime, windows: Windows = None) -> None:
        stamp = int(at.timestamp())
        for size in sizes_for(windows):
            buckets = self._sets[(key, size)]
            bucket = stamp // size
            members = buckets.get(bucket)
            if members is None:
                buckets[bucket] = {member}
            else:
                members.add(member)
        if stamp >= self._newest + PRUNE_EVERY:
            self._prune(stamp)

    def distinct(self, key: str, at: datetime, window: timedelta) -> int:
        size, first, last = bucket_span(at, window)
        buckets = self._sets.get((key, size))
        if not buckets:
            return 0
        if len(buckets) > last - first:
            inside = [buckets[b] for b in range(first, last + 1) if b in buckets]
        else:
            inside = [members for bucket, members in buckets.items() if first <= bucket <= last]
        if len(inside) == 1:
            return len(inside[0])
        return len(set().union(*inside))

    def keep_max(self, key: str, at: datetime, value: float, windows: Windows = None) -> None:
        stamp = int(at.timestamp())
        for size in sizes_for(windows):
            buckets = self._maxes[(key, size)]
            bucket = stamp // size
            old = buckets.get(bucket)
            if old is None or value > old:
                buckets[bucket] = value

    def maximum(self, key: str, at: datetime, window: timedelta) -> float:
        size, first, last = bucket_span(at, window)
        buckets = self._maxes.get((key, size))
        if not buckets:
            return 0.0
        if len(buckets) > last - first:
            return max((buckets[b] for b in range(first, last + 1) if b in buckets), default=0.0)
        return max(
            (value for bucket, value in buckets.items() if first <= bucket <= last), default=0.0
        )

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

    def put_if_absent(self, key: str, value: str) -> None:
        if key not in self._values:
            self.put(key, value)

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def _prune(self, stamp: int) -> None:
        """Drop buckets older than their retention, at most every six simulated hours
        (pruning walks every key; later is always correct, only less frugal)."""
        if stamp < self._newest + PRUNE_EVERY:
            return
        self._newest = stamp
        for store in (self._sums, self._sets, self._maxes):
            emptied = []
            for (key, size), buckets in store.items():
                first = first_kept(size, stamp)
                for bucket in [b for b in buckets if b < first]:
                    del buckets[bucket]
                if not buckets:
                    emptied.append((key, size))
            for slot in emptied:
                del store[slot]


def _bucket(at: datetime, size: int) -> int:
    return int(at.timestamp()) // size
