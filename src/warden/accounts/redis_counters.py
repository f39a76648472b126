"""Counters in Redis, so several ingestion workers share one view of every account.

Same buckets as :mod:`warden.accounts.counters` (minute / hour / day, by event time): sums are
``INCRBYFLOAT`` on one key per bucket, distinct counts are HyperLogLog (``PFADD`` per bucket,
``PFCOUNT`` over the window's buckets is their union), maxima a tiny Lua compare-and-set.
Every bucket key expires after its retention, so Redis holds a bounded window, not history.

Round trips are what cost: an event's fold writes a dozen keys and its features read forty.
So writes are buffered and sent with the next read (or :meth:`RedisCounters.push`: other
processes see a write once it is sent), and :meth:`RedisCounters.batched_reads`
lets :meth:`~warden.accounts.features.FeatureFolder.features` ask every question of an
account at once — the getters run once to *record* what they will ask, one pipeline sends
the buffered writes and every read, and the getters run again answered from the replies
(a question the first run could not foresee is asked live). An event costs a few round
trips instead of fifty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import redis

from warden.accounts.counters import RETENTION, Windows, bucket_range, sizes_for

_KEEP_MAX = """
local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


#: A read the features will ask: (operation, key, window, at).
Read = tuple[str, str, timedelta, datetime]


class RedisCounters:
    """Counters shared through Redis (``WARDEN_REDIS_URL``)."""

    def __init__(self, client: redis.Redis, namespace: str = "warden") -> None:
        self._redis = client
        self._ns = namespace
        self._keep_max = client.register_script(_KEEP_MAX)
        self._writes = client.pipeline(transaction=False)
        self._pending = 0
        self._recording: list[Read] | None = None  # record mode: the reads asked
        self._answers: dict[Read, Any] | None = None  # replay mode: their answers

    @classmethod
    def from_url(cls, url: str, namespace: str = "warden") -> RedisCounters:
        return cls(redis.Redis.from_url(url), namespace)

    def _key(self, kind: str, key: str, size: int, bucket: int) -> str:
        return f"{self._ns}:{kind}:{key}:{size}:{bucket}"

    # -- writes: buffered, sent before the next read ---------------------------------------

    def add(self, key: str, at: datetime, amount: float = 1.0, windows: Windows = None) -> None:
        for size in sizes_for(windows):
            name = self._key("sum", key, size, int(at.timestamp()) // size)
            self._writes.incrbyfloat(name, amount)
            self._writes.expire(name, RETENTION[size])
        self._pending += 1

    def add_distinct(self, key: str, member: str, at: datetime, windows: Windows = None) -> None:
        for size in sizes_for(windows):
            name = self._key("hll", key, size, int(at.timestamp()) // size)
            self._writes.pfadd(name, member)
            self._writes.expire(name, RETENTION[size])
        self._pending += 1

    def keep_max(self, key: str, at: datetime, value: float, windows: Windows = None) -> None:
        for size in sizes_for(windows):
            name = self._key("max", key, size, int(at.timestamp()) // size)
            self._keep_max(
                keys=[name], args=[repr(float(value)), RETENTION[size]], client=self._writes
            )
        self._pending += 1

    def put(self, key: str, value: str) -> None:
        self._writes.set(f"{self._ns}:val:{key}", value)
        self._pending += 1

    def push(self) -> None:
        """Send the buffered writes now: every read does this first, and the decision path
        before each commit, so other workers see them."""
        if self._pending:
            self._pending = 0
            self._writes.execute()

    def remember(self, key: str, member: str, ttl: timedelta) -> bool:
        name = f"{self._ns}:seen:{key}:{member}"
        self._writes.set(name, b"1", nx=True, ex=max(1, int(ttl.total_seconds())))
        self._pending = 0
        return bool(self._writes.execute()[-1])

    # -- reads --------------------------------------------------------------------------------

    def total(self, key: str, at: datetime, window: timedelta) -> float:
        return float(self._read(("sum", key, window, at)))

    def distinct(self, key: str, at: datetime, window: timedelta) -> int:
        return int(self._read(("hll", key, window, at)))

    def maximum(self, key: str, at: datetime, window: timedelta) -> float:
        return float(self._read(("max", key, window, at)))

    def get(self, key: str) -> str | None:
        value = self._read(("val", key, _NO_WINDOW, _NO_TIME))
        return value if value is None else str(value)

    @contextmanager
    def batched_reads(self, ask: Callable[[], object]) -> Iterator[None]:
        """Within the block, reads are answered from one pipeline: ``ask()`` is run first to
        record the reads (answered with nothing), then the buffered writes and every recorded
        read go to Redis at once."""
        self._recording = []
        try:
            ask()
            reads = list(dict.fromkeys(self._recording))
        finally:
            self._recording = None
        replies = self._send(reads)
        self._answers = {
            read: _answer(read[0], reply) for read, reply in zip(reads, replies, strict=True)
        }
        try:
            yield
        finally:
            self._answers = None

    def _read(self, read: Read) -> Any:
        if self._recording is not None:
            self._recording.append(read)
            return None if read[0] == "val" else 0
        if self._answers is not None and read in self._answers:
            return self._answers[read]
        return _answer(read[0], self._send([read])[0])

    def _send(self, reads: list[Read]) -> list[Any]:
        """The buffered writes, then ``reads``, in one round trip; the reads' replies."""
        pipe = self._writes
        first = len(pipe.command_stack)
        for read in reads:
            self._queue(pipe, read)
        self._pending = 0
        return list(pipe.execute()[first:]) if pipe.command_stack else []

    def _queue(self, pipe: Any, read: Read) -> None:
        kind, key, window, at = read
        if kind == "val":
            pipe.get(f"{self._ns}:val:{key}")
            return
        size, buckets = bucket_range(at, window)
        names = [self._key(kind, key, size, b) for b in buckets]
        if kind == "hll":
            pipe.pfcount(*names)
        else:
            pipe.mget(names)


_NO_WINDOW = timedelta(0)
_NO_TIME = datetime.min


def _answer(kind: str, reply: Any) -> Any:
    """A read's value from Redis's reply (as the live read computes it)."""
    if kind == "sum":
        return sum(float(v) for v in reply if v is not None)
    if kind == "max":
        return max((float(v) for v in reply if v is not None), default=0.0)
    if kind == "hll":
        return int(reply)
    if reply is None:
        return None
    return reply.decode() if isinstance(reply, bytes) else str(reply)
