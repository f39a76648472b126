"""Counters in Redis, so several ingestion workers share one view of every account.

Same buckets as :mod:`warden.accounts.counters` (minute / hour / day, by event time). Sums
and maxima of a key at one bucket size are one Redis hash, bucket → value (a Lua script adds
or keeps the maximum, refreshes the expiry and drops buckets past their retention when the
hash grows), so a window is one ``HGETALL`` of the buckets that exist — not an ``MGET`` of
sixty keys, most of them empty. Distinct counts are HyperLogLog (``PFADD`` per bucket,
``PFCOUNT`` over the window's buckets is their union). Everything expires after its
retention, so Redis holds a bounded window, not history.

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

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import redis

from warden.accounts.counters import (
    RETENTION,
    Windows,
    bucket_range,
    bucket_span,
    granularity_for,
    sizes_for,
)

# KEYS[1] the hash of one key at one bucket size; ARGV: bucket, value, ttl, oldest bucket
# kept, how many buckets the hash may hold before the old ones are dropped.
_PRUNE = """
if redis.call('HLEN', KEYS[1]) > tonumber(ARGV[5]) then
  local fields = redis.call('HKEYS', KEYS[1])
  for _, field in ipairs(fields) do
    if tonumber(field) < tonumber(ARGV[4]) then redis.call('HDEL', KEYS[1], field) end
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""
# Many reads in one call. ARGV[i] is read i's shape: its kind's first letter and how many of
# KEYS are its own ("s1": HGETALL of a sum hash, "h24": PFCOUNT of 24 keys, "v1": GET).
_READ_ALL = """
local out, k = {}, 1
for i, shape in ipairs(ARGV) do
  local kind, n = string.sub(shape, 1, 1), tonumber(string.sub(shape, 2))
  if kind == 'h' then
    out[i] = redis.call('PFCOUNT', unpack(KEYS, k, k + n - 1))
  elseif kind == 'v' then
    out[i] = redis.call('GET', KEYS[k]) or false
  else
    out[i] = redis.call('HGETALL', KEYS[k])
  end
  k = k + n
end
return out
"""
_ADD = "redis.call('HINCRBYFLOAT', KEYS[1], ARGV[1], ARGV[2])\n" + _PRUNE
_KEEP_MAX = (
    "local current = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if (not current) or tonumber(current) < tonumber(ARGV[2]) then\n"
    "  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
    "end\n" + _PRUNE
)


#: A read the features will ask: (operation, key, window, at).
Read = tuple[str, str, timedelta, datetime]


class RedisCounters:
    """Counters shared through Redis (``WARDEN_REDIS_URL``)."""

    def __init__(self, client: redis.Redis, namespace: str = "warden") -> None:
        self._redis = client
        self._ns = namespace
        self._scripts = {"add": _ADD, "keep_max": _KEEP_MAX, "read_all": _READ_ALL}
        self._sha: dict[str, str] = {}
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
        stamp = int(at.timestamp())
        for size in sizes_for(windows):
            args = self._bucket_args(stamp, size, repr(float(amount)))
            self._script("add", [f"{self._ns}:sum:{key}:{size}"], args)
        self._pending += 1

    @staticmethod
    def _bucket_args(stamp: int, size: int, value: str) -> list[Any]:
        """The scripts' ARGV: bucket, value, ttl, oldest bucket kept, buckets before pruning."""
        kept = RETENTION[size] // size
        bucket = stamp // size
        return [bucket, value, RETENTION[size], bucket - kept - 1, 2 * kept]

    def add_distinct(self, key: str, member: str, at: datetime, windows: Windows = None) -> None:
        for size in sizes_for(windows):
            name = self._key("hll", key, size, int(at.timestamp()) // size)
            self._writes.pfadd(name, member)
            self._writes.expire(name, RETENTION[size])
        self._pending += 1

    def keep_max(self, key: str, at: datetime, value: float, windows: Windows = None) -> None:
        stamp = int(at.timestamp())
        for size in sizes_for(windows):
            args = self._bucket_args(stamp, size, repr(float(value)))
            self._script("keep_max", [f"{self._ns}:max:{key}:{size}"], args)
        self._pending += 1

    def put(self, key: str, value: str) -> None:
        self._writes.set(f"{self._ns}:val:{key}", value)
        self._pending += 1

    def put_if_absent(self, key: str, value: str) -> None:
        self._writes.set(f"{self._ns}:val:{key}", value, nx=True)
        self._pending += 1

    def remember_many(self, key: str, members: Sequence[str], ttl: timedelta) -> list[bool]:
        """:meth:`remember` for many members in one round trip."""
        seconds = max(1, int(ttl.total_seconds()))
        for member in members:
            self._writes.set(f"{self._ns}:seen:{key}:{member}", b"1", nx=True, ex=seconds)
        self._pending = 0
        replies = self._execute()
        return [bool(r) for r in replies[len(replies) - len(members) :]]

    def push(self) -> None:
        """Send the buffered writes now: every read does this first, and the decision path
        before each commit, so other workers see them."""
        if self._pending:
            self._pending = 0
            self._execute()

    def remember(self, key: str, member: str, ttl: timedelta) -> bool:
        name = f"{self._ns}:seen:{key}:{member}"
        self._writes.set(name, b"1", nx=True, ex=max(1, int(ttl.total_seconds())))
        self._pending = 0
        return bool(self._execute()[-1])

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
            read: _answer(read, reply) for read, reply in zip(reads, replies, strict=True)
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
        return _answer(read, self._send([read])[0])

    def _send(self, reads: list[Read]) -> list[Any]:
        """The buffered writes, then ``reads``, in one round trip; the reads' replies.

        Many reads go as one script call (:data:`_READ_ALL`): redis-py spends more time on
        each command of a pipeline than Redis spends answering it."""
        pipe = self._writes
        first = len(pipe.command_stack)
        if len(reads) > 3:
            keys: list[str] = []
            shapes: list[str] = []
            for read in reads:
                names = self._names(read)
                keys += names
                shapes.append(f"{read[0][0]}{len(names)}")
            self._script("read_all", keys, shapes)
            self._pending = 0
            replies = self._execute()[first]
            return [
                _pairs(reply) if read[0] in ("sum", "max") else reply
                for read, reply in zip(reads, replies, strict=True)
            ]
        for read in reads:
            self._queue(pipe, read)
        self._pending = 0
        return list(self._execute()[first:]) if pipe.command_stack else []

    def _script(self, name: str, keys: list[str], args: list[Any]) -> None:
        """Queue one of the Lua scripts by its SHA. (redis-py's Script objects ask Redis
        ``SCRIPT EXISTS`` before every pipeline that carries one: a round trip per event.)"""
        if not self._sha:
            self._sha = {n: str(self._redis.script_load(body)) for n, body in self._scripts.items()}
        self._writes.evalsha(self._sha[name], len(keys), *keys, *args)

    def _execute(self) -> list[Any]:
        """Send the pipeline. A Redis that restarted has forgotten the scripts: they are
        loaded again and the call fails as a connection error would — the caller's batch is
        retried (the worker naks it), as after any outage."""
        try:
            return list(self._writes.execute())
        except redis.exceptions.NoScriptError:
            self._writes.reset()
            self._pending = 0
            self._sha = {}
            raise redis.exceptions.ConnectionError(
                "Redis had forgotten Warden's scripts (restarted?); they are loaded again on "
                "the next call — retry"
            ) from None

    def _names(self, read: Read) -> list[str]:
        kind, key, window, at = read
        if kind == "val":
            return [f"{self._ns}:val:{key}"]
        if kind == "hll":
            size, buckets = bucket_range(at, window)
            return [self._key(kind, key, size, b) for b in buckets]
        return [f"{self._ns}:{kind}:{key}:{granularity_for(window)}"]

    def _queue(self, pipe: Any, read: Read) -> None:
        names = self._names(read)
        if read[0] == "val":
            pipe.get(names[0])
        elif read[0] == "hll":
            pipe.pfcount(*names)
        else:
            pipe.hgetall(names[0])


_NO_WINDOW = timedelta(0)
_NO_TIME = datetime.min


def _pairs(flat: list[Any]) -> dict[Any, Any]:
    """HGETALL's reply as a script returns it (a flat list) as the dict redis-py makes."""
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _answer(read: Read, reply: Any) -> Any:
    """A read's value from Redis's reply: the window's buckets of a hash summed or maxed
    (the same buckets :func:`~warden.accounts.counters.bucket_span` gives memory)."""
    kind = read[0]
    if kind == "hll":
        return int(reply)
    if kind == "val":
        if reply is None:
            return None
        return reply.decode() if isinstance(reply, bytes) else str(reply)
    _size, first, last = bucket_span(read[3], read[2])
    inside = [float(v) for b, v in reply.items() if first <= int(b) <= last]
    if kind == "sum":
        return sum(inside)
    return max(inside, default=0.0)
