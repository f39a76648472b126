"""Counters in Redis, so several ingestion workers share one view of every account.

Same buckets as :mod:`warden.accounts.counters` (minute / hour / day, by event time): sums are
``INCRBYFLOAT`` on one key per bucket, distinct counts are HyperLogLog (``PFADD`` per bucket,
``PFCOUNT`` over the window's buckets is their union), maxima a tiny Lua compare-and-set.
Every bucket key expires after its retention, so Redis holds a bounded window, not history.
Writes for one call go in one pipeline (one round trip).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import redis

from warden.accounts.counters import RETENTION, Windows, bucket_range, sizes_for

_KEEP_MAX = """
local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class RedisCounters:
    """Counters shared through Redis (``WARDEN_REDIS_URL``)."""

    def __init__(self, client: redis.Redis, namespace: str = "warden") -> None:
        self._redis = client
        self._ns = namespace
        self._keep_max = client.register_script(_KEEP_MAX)

    @classmethod
    def from_url(cls, url: str, namespace: str = "warden") -> RedisCounters:
        return cls(redis.Redis.from_url(url), namespace)

    def _key(self, kind: str, key: str, size: int, bucket: int) -> str:
        return f"{self._ns}:{kind}:{key}:{size}:{bucket}"

    def add(self, key: str, at: datetime, amount: float = 1.0, windows: Windows = None) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for size in sizes_for(windows):
            name = self._key("sum", key, size, int(at.timestamp()) // size)
            pipe.incrbyfloat(name, amount)
            pipe.expire(name, RETENTION[size])
        pipe.execute()

    def total(self, key: str, at: datetime, window: timedelta) -> float:
        size, buckets = bucket_range(at, window)
        values = self._redis.mget([self._key("sum", key, size, b) for b in buckets])
        return sum(float(v) for v in values if v is not None)

    def add_distinct(self, key: str, member: str, at: datetime, windows: Windows = None) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for size in sizes_for(windows):
            name = self._key("hll", key, size, int(at.timestamp()) // size)
            pipe.pfadd(name, member)
            pipe.expire(name, RETENTION[size])
        pipe.execute()

    def distinct(self, key: str, at: datetime, window: timedelta) -> int:
        size, buckets = bucket_range(at, window)
        return int(self._redis.pfcount(*[self._key("hll", key, size, b) for b in buckets]))

    def keep_max(self, key: str, at: datetime, value: float, windows: Windows = None) -> None:
        for size in sizes_for(windows):
            name = self._key("max", key, size, int(at.timestamp()) // size)
            self._keep_max(keys=[name], args=[repr(float(value)), RETENTION[size]])

    def maximum(self, key: str, at: datetime, window: timedelta) -> float:
        size, buckets = bucket_range(at, window)
        values = self._redis.mget([self._key("max", key, size, b) for b in buckets])
        return max((float(v) for v in values if v is not None), default=0.0)

    def remember(self, key: str, member: str, ttl: timedelta) -> bool:
        name = f"{self._ns}:seen:{key}:{member}"
        return bool(self._redis.set(name, b"1", nx=True, ex=max(1, int(ttl.total_seconds()))))

    def put(self, key: str, value: str) -> None:
        self._redis.set(f"{self._ns}:val:{key}", value)

    def get(self, key: str) -> str | None:
        value = self._redis.get(f"{self._ns}:val:{key}")
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)
