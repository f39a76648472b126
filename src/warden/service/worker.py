"""The stream worker (``warden worker``) and publisher (``warden publish``) on NATS JetStream.

Events travel on ``warden.events.<partition>`` (stream ``WARDEN_EVENTS``), the partition being a hash of the event's
``account_id`` (:func:`partition_of`), so every event of an account is on one subject. Each
partition has its own durable pull consumer (``warden-p<N>``), and each worker owns a fixed
share of the partitions (``--worker i --of n``: those with ``N % n == i``): an account's
events are decided by one worker, in stream order, whatever the number of workers. The
consumers do not depend on the worker count, so scaling from two workers to four moves
partitions without replaying the stream.

Delivery is at least once and the effect exactly once:

* a batch of messages is decided in one transaction (:func:`~warden.enforce.decide.
  decide_batch`) holding every event's ``event_id`` mark, so a redelivered event is a
  duplicate and changes nothing;
* messages are acked only after that transaction commits — a worker killed mid-batch
  leaves them unacked, and they come back after ``ack_wait``; a partition has one batch in
  flight (``max_ack_pending``), so nothing newer overtakes them and order holds;
* a transient failure (database or Redis unreachable, a lock timeout) naks the batch with a
  growing delay; the worker keeps running and recovers when the dependency does;
* a poison message (not JSON, not a valid event, or an event the decision path fails on
  for a reason that is not transient) is kept in quarantine, copied to the dead-letter
  stream (``warden.dead.<partition>``, stream ``WARDEN_DEAD``) with the reason in its
  headers, and then terminated so it is not redelivered;
* SIGTERM drains: the batch in hand is finished and acked, then the worker stops.

Several workers need counters they can share (``WARDEN_REDIS_URL``): the embedded
database counters have one writer. Those commit with the events, so a replay after a crash
sees exactly what the first attempt saw. Redis cannot join the transaction: an event is
folded into it at most once (a replayed event is not folded again), so after a crash the
replayed batch is decided against counters that already hold it — no action is lost or
doubled, but one may come a few events early.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from warden.enforce.decide import Decider, EventOutcome, KnownQuarantine, decide_batch
from warden.enforce.ingest import IngestSummary
from warden.errors import ConfigError, InputError
from warden.io.events import Located, Quarantined, parse_record
from warden.service.metrics import Metrics
from warden.settings import Settings

PARTITIONS = 8
BATCH = 256
#: Seconds before an unacked message is delivered again (a worker died holding it).
ACK_WAIT = 30.0
#: Deliveries before JetStream gives up on a message that keeps failing transiently.
MAX_DELIVER = 50
#: Nak delays for transient failures, by delivery count (the last one repeats).
BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: Seconds an idle partition's fetch waits before giving the other partitions their turn.
IDLE_WAIT = 0.02
#: Seconds JetStream remembers a Nats-Msg-Id to drop a re-published duplicate.
DUPLICATE_WINDOW = 120.0


@dataclass(frozen=True)
class Topology:
    """Names on the NATS server: streams, subjects and durable consumers, under a prefix
    (``warden`` by default; tests and side-by-side deployments use their own)."""

    prefix: str = "warden"
    partitions: int = PARTITIONS

    @property
    def stream(self) -> str:
        return f"{self.prefix.upper().replace('.', '_')}_EVENTS"

    @property
    def dead_stream(self) -> str:
        return f"{self.prefix.upper().replace('.', '_')}_DEAD"

    @property
    def subject(self) -> str:
        return f"{self.prefix}.events"

    @property
    def dead_subject(self) -> str:
        return f"{self.prefix}.dead"

    def durable(self, partition: int) -> str:
        return f"{self.prefix.replace('.', '-')}-p{partition}"


def partition_of(account_id: str, partitions: int = PARTITIONS) -> int:
    """The partition of an account: stable across processes and runs (CRC-32, not hash())."""
    return zlib.crc32(account_id.encode()) % partitions


def owned(worker: int, workers: int, partitions: int = PARTITIONS) -> list[int]:
    """The partitions worker ``worker`` of ``workers`` consumes."""
    if not 0 <= worker < workers:
        raise ValueError(f"--worker {worker}: expected 0 to {workers - 1} (--of {workers})")
    if workers > partitions:
        raise ValueError(f"--of {workers}: more workers than the {partitions} partitions")
    return [p for p in range(partitions) if p % workers == worker]


def is_transient(exc: BaseException) -> bool:
    """Failures that retrying later can cure: a dependency unreachable or busy."""
    import redis.exceptions
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return True
    return isinstance(exc, ConnectionError | TimeoutError | OSError)


async def ensure_streams(js: Any, topology: Topology) -> None:
    """The event and dead-letter streams, created if missing (file storage, dedupe window)."""
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    for name, subject in (
        (topology.stream, topology.subject),
        (topology.dead_stream, topology.dead_subject),
    ):
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=name,
                    subjects=[f"{subject}.>"],
                    storage=StorageType.FILE,
                    duplicate_window=DUPLICATE_WINDOW,
                )
            )


@dataclass
class WorkerStats(IngestSummary):
    """What a worker did (also exported as metrics): what ingestion counts, and the stream's
    own — batches, dead letters, naks and publish-to-commit latencies."""

    batches: int = 0
    dead_lettered: int = 0
    naks: int = 0
    latencies: list[float] = field(default_factory=list)  # publish → commit, seconds


class StreamWorker:
    """Consumes its partitions and decides every event through the one decision path."""

    def __init__(
        self,
        engine: Any,
        decider: Decider,
        nats_url: str,
        partitions: Sequence[int],
        *,
        topology: Topology = Topology(),
        batch: int = BATCH,
        actor: str = "warden-worker",
        metrics: Metrics | None = None,
        keep_latencies: bool = False,
        ack_wait: float = ACK_WAIT,
    ) -> None:
        self.engine = engine
        self.decider = decider
        self.nats_url = nats_url
        self.partitions = list(partitions)
        self.topology = topology
        self.batch = batch
        self.actor = actor
        self.metrics = metrics or Metrics()
        self.stats = WorkerStats()
        self.keep_latencies = keep_latencies
        self.ack_wait = ack_wait
        self._known: KnownQuarantine = {}
        self._writing: asyncio.Lock | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        partitions: Sequence[int],
        *,
        topology: Topology = Topology(),
        batch: int = BATCH,
        policy: Path | None = None,
        campaign: str | None = None,
        ack_wait: float = ACK_WAIT,
    ) -> StreamWorker:
        """A worker for these settings: database migrated (connections checked before use,
        so a restarted PostgreSQL is reconnected to), the pack's screener, the counters."""
        from warden.accounts.backends import counters_for
        from warden.enforce.ingest import screener_for
        from warden.policy import default_pack_path, load_pack
        from warden.store import make_engine, migrate

        if not settings.nats_url:
            raise ConfigError("WARDEN_NATS_URL: not set; expected e.g. nats://127.0.0.1:4222")
        engine = make_engine(settings.database_url, pool_pre_ping=True)
        migrate(engine)
        pack = load_pack(policy or default_pack_path())
        decider = Decider.for_store(
            engine,
            screener_for(pack),
            pack,
            counters=counters_for(settings, engine),
            campaign=pack.campaign(campaign) if campaign else None,
            media=settings.media_limits(),
        )
        return cls(
            engine,
            decider,
            settings.nats_url,
            partitions,
            topology=topology,
            batch=batch,
            ack_wait=ack_wait,
        )

    async def run(self, stop: asyncio.Event) -> WorkerStats:
        """Consume until ``stop`` is set; then finish the batch in hand and drain."""
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        self._writing = asyncio.Lock()  # one batch written at a time, on this run's loop
        nc = await nats.connect(self.nats_url, max_reconnect_attempts=-1, reconnect_time_wait=0.5)
        js = nc.jetstream()
        await ensure_streams(js, self.topology)
        subscriptions = []
        names = self.topology
        for partition in self.partitions:
            config = ConsumerConfig(
                durable_name=names.durable(partition),
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.ack_wait,
                max_deliver=MAX_DELIVER,
                # one batch in flight per partition: after a crash nothing newer is delivered
                # before the unacked batch comes back, so an account's events keep their order
                max_ack_pending=self.batch,
                filter_subject=f"{names.subject}.{partition}",
            )
            subscriptions.append(
                await js.pull_subscribe(
                    f"{names.subject}.{partition}",
                    durable=names.durable(partition),
                    stream=names.stream,
                    config=config,
                )
            )
        lag = asyncio.create_task(self._watch_lag(js, stop))
        try:
            await asyncio.gather(*(self._consume(js, sub, stop) for sub in subscriptions))
        finally:
            lag.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lag
            for subscription in subscriptions:
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()
            await nc.flush()  # every ack written before the connection goes
            await nc.close()
        return self.stats

    async def _consume(self, js: Any, subscription: Any, stop: asyncio.Event) -> None:
        """Fetch and decide, one partition's batch at a time across the worker's partitions.

        The fetch happens with the writer's turn in hand, so a batch holds what arrived while
        the previous one was being decided — small under light load (low latency), full under
        heavy load (fewer transactions) — and fetched messages never wait behind other
        partitions' batches (they would age towards ``ack_wait``). An idle partition gives the
        turn back after :data:`IDLE_WAIT`."""
        from nats.errors import TimeoutError as NatsTimeout

        wait = IDLE_WAIT if len(self.partitions) > 1 else 1.0
        assert self._writing is not None
        while not stop.is_set():
            async with self._writing:
                try:
                    messages = await subscription.fetch(self.batch, timeout=wait)
                except NatsTimeout:
                    messages = []
                except Exception as exc:  # a disconnect: nats-py reconnects; try again soon
                    if not is_transient(exc) and not _is_nats_error(exc):
                        raise
                    messages = []
                    await asyncio.sleep(0.2)
                if messages:
                    await self.handle(js, messages)
            await asyncio.sleep(0)  # the other partitions' turn

    async def handle(self, js: Any, messages: Sequence[Any]) -> None:
        """Decide one fetched batch; ack, nak or dead-letter each message (module doc)."""
        items = [self._item(message) for message in messages]
        try:
            results = await asyncio.to_thread(self._decide, items)
        except Exception as exc:
            if is_transient(exc):
                await self._nak(messages)
                return
            await self._one_by_one(js, messages, items)
            return
        await self._settle(js, messages, results)

    def _item(self, message: Any) -> Located | Quarantined:
        metadata = message.metadata
        return parse_record(message.data, message.subject, int(metadata.sequence.stream))

    def _decide(self, items: list[Located | Quarantined]) -> list[EventOutcome | Quarantined]:
        return decide_batch(self.engine, self.decider, items, self.actor, self._known)

    async def _one_by_one(
        self, js: Any, messages: Sequence[Any], items: list[Located | Quarantined]
    ) -> None:
        """A batch failed for a reason that is not transient: find the message at fault by
        deciding each alone; it goes to the dead-letter stream, the others go on."""
        for message, item in zip(messages, items, strict=True):
            try:
                results = await asyncio.to_thread(self._decide, [item])
            except Exception as exc:
                if is_transient(exc):
                    await self._nak([message])
                    continue
                reason = f"the decision path failed: {type(exc).__name__}: {exc}"[:500]
                poison = Quarantined(
                    message.subject,
                    int(message.metadata.sequence.stream),
                    "",
                    "",
                    reason,
                    message.data[:200].decode("utf-8", "replace"),
                )
                await asyncio.to_thread(self._decide, [poison])
                results = [poison]
            await self._settle(js, [message], results)

    async def _settle(
        self, js: Any, messages: Sequence[Any], results: Sequence[EventOutcome | Quarantined]
    ) -> None:
        committed = time.time()
        self.stats.batches += 1
        self.stats.read += len(messages)
        for message, result in zip(messages, results, strict=True):
            if isinstance(result, Quarantined):
                await self._dead_letter(js, message, result)
                self.stats.quarantined += 1
                self.metrics.events.labels("quarantined").inc()
                continue
            await message.ack()
            latency = committed - _stored_at(message)
            self.metrics.decision_seconds.observe(latency)
            if self.keep_latencies:
                self.stats.latencies.append(latency)
            self.stats.count(result)
        self.metrics.count_outcomes(r for r in results if isinstance(r, EventOutcome))

    async def _dead_letter(self, js: Any, message: Any, bad: Quarantined) -> None:
        headers = {
            "Warden-Reason": bad.reason[:1000],
            "Warden-Field": bad.field,
            "Warden-Value": bad.value[:200],
            "Warden-Subject": message.subject,
            "Warden-Sequence": str(bad.line),
            "Nats-Msg-Id": f"dead:{message.subject}:{bad.line}",
        }
        partition = message.subject.rsplit(".", 1)[-1]
        dead = f"{self.topology.dead_subject}.{partition}"
        await js.publish(dead, message.data, headers=headers)
        await message.term()
        self.stats.dead_lettered += 1

    async def _nak(self, messages: Sequence[Any]) -> None:
        for message in messages:
            delivered = int(message.metadata.num_delivered)
            await message.nak(delay=BACKOFF[min(delivered, len(BACKOFF)) - 1])
            self.stats.naks += 1

    async def _watch_lag(self, js: Any, stop: asyncio.Event) -> None:
        while not stop.is_set():
            pending = 0
            for partition in self.partitions:
                with contextlib.suppress(Exception):
                    info = await js.consumer_info(
                        self.topology.stream, self.topology.durable(partition)
                    )
                    pending += int(info.num_pending or 0)
            self.metrics.queue_lag.set(pending)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=5.0)


def _is_nats_error(exc: BaseException) -> bool:
    from nats.errors import Error as NatsError

    return isinstance(exc, NatsError)


def _stored_at(message: Any) -> float:
    stamp = message.metadata.timestamp
    if isinstance(stamp, datetime):
        return stamp.timestamp()
    return float(stamp) if stamp else time.time()


def run_until_signalled(work: Callable[[asyncio.Event], Any]) -> Any:
    """Run ``work(stop)`` on a new event loop; SIGTERM and SIGINT set ``stop`` (drain)."""

    async def main() -> Any:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await work(stop)

    return asyncio.run(main())


# --- publishing ------------------------------------------------------------------------------


@dataclass
class Published:
    """What ``warden publish`` sent."""

    records: int = 0
    unreadable: int = 0  # records sent as they are: the worker quarantines them
    duplicates: int = 0  # dropped by JetStream's Nats-Msg-Id window


def raw_records(path: Path) -> Iterator[bytes]:
    """The records of an event file as JSON bytes, one per event (JSONL lines as written)."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        with path.open("rb") as stream:
            for line in stream:
                line = line.rstrip(b"\r\n")
                if line.strip():
                    yield line
    elif suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                yield orjson.dumps({k: v for k, v in row.items() if v is not None}, default=str)
    else:
        raise InputError(
            f"FILE: cannot tell the format of {path.name!r}; expected .jsonl or .parquet"
        )


#: Events whose decisions are about another account than their author: they travel with
#: that account's events (a payment with its payee's ads, a report with its target's
#: messages), so the features that decide it are folded in the order they happened.
ROUTED_BY = {"payment": "payee_id", "report": "target_account_id"}


def routing(raw: bytes, partitions: int = PARTITIONS) -> tuple[int, str | None]:
    """(partition, Nats-Msg-Id) of a raw record; an unreadable one goes to partition 0 with
    no id (the worker quarantines it with its subject and sequence).

    The partition follows the account the event is *about* (:data:`ROUTED_BY`), else its
    author. What a worker reads of accounts on other partitions (a reporter's age) is as
    fresh as those partitions are: with several workers, an event is not ordered against
    events of other partitions — only against its own partition's."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return 0, None
    if not isinstance(data, dict):
        return 0, None
    account = data.get(ROUTED_BY.get(str(data.get("kind")), "account_id"), data.get("account_id"))
    event_id = data.get("event_id")
    partition = partition_of(account, partitions) if isinstance(account, str) else 0
    return partition, event_id if isinstance(event_id, str) and event_id else None


async def publish(
    nats_url: str,
    records: Iterable[bytes],
    *,
    topology: Topology = Topology(),
    progress: Callable[[int], None] | None = None,
    in_flight: int = 2048,
) -> Published:
    """Send raw records into the event stream, each to its account's partition, with
    ``Nats-Msg-Id`` = ``event_id`` so a re-published file is dropped by JetStream; waits for
    every acknowledgement."""
    import nats

    nc = await nats.connect(nats_url)
    js = nc.jetstream(publish_async_max_pending=in_flight)
    await ensure_streams(js, topology)
    out = Published()
    futures: list[asyncio.Future[Any]] = []
    try:
        for raw in records:
            partition, msg_id = routing(raw, topology.partitions)
            headers = {"Nats-Msg-Id": msg_id} if msg_id else None
            out.unreadable += msg_id is None
            subject = f"{topology.subject}.{partition}"
            futures.append(await js.publish_async(subject, raw, headers=headers))
            out.records += 1
            if len(futures) >= in_flight:
                out.duplicates += await _acks(futures)
                if progress is not None:
                    progress(len(futures))
                futures = []
        out.duplicates += await _acks(futures)
        if progress is not None and futures:
            progress(len(futures))
    finally:
        await nc.drain()
    return out


async def _acks(futures: list[asyncio.Future[Any]]) -> int:
    acks = await asyncio.gather(*futures)
    return sum(1 for ack in acks if getattr(ack, "duplicate", False))
