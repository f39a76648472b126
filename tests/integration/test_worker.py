"""The stream worker against the real NATS JetStream, PostgreSQL and Redis: two workers decide
what file ingestion decides, poison goes to the dead-letter stream, a worker killed with
SIGKILL mid-batch loses and doubles nothing, and a Redis outage is waited out."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from privateservers import PrivatePostgres
from sqlalchemy import Engine, text

from warden.accounts.redis_counters import RedisCounters
from warden.audit.log import verify
from warden.cli.sample_day import scenario
from warden.detect.screener import Screener
from warden.enforce.decide import Decider
from warden.enforce.ingest import Ingestor
from warden.io.events import read_events
from warden.policy import PolicyPack, load_pack
from warden.service.worker import StreamWorker, Topology, owned, publish
from warden.store import UnitOfWork, make_engine, migrate

ROOT = Path(__file__).resolve().parents[2]
NATS = os.environ.get("WARDEN_TEST_NATS_URL", "nats://127.0.0.1:4222")
#: the worker runs on PostgreSQL in these tests (the engine fixture, migrated)
ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_pack(ROOT / "policies" / "default.yaml")


@pytest.fixture
def topology(nats_url: str) -> Iterator[Topology]:
    """Streams of this test's own on the real NATS server, deleted afterwards."""
    import nats

    names = Topology(prefix=f"t{uuid.uuid4().hex[:10]}", partitions=4)
    yield names

    async def clean() -> None:
        nc = await nats.connect(NATS)
        js = nc.jetstream()
        for stream in (names.stream, names.dead_stream):
            with contextlib.suppress(Exception):  # a test that failed early made none
                await js.delete_stream(stream)
        await nc.close()

    asyncio.run(clean())


def replicas(copies: int) -> list[dict[str, Any]]:
    """The sample day, ``copies`` times over with every id suffixed: a platform of many
    escorts, scammers, blasters, trolls and friends."""
    out = []
    for k in range(copies):
        for event in scenario():
            copy = dict(event)
            for key, value in event.items():
                if key.endswith("_id") and isinstance(value, str):
                    copy[key] = f"{value}-{k}"
                elif key.endswith("_ids") and isinstance(value, list):
                    copy[key] = [f"{v}-{k}" for v in value]
            out.append(copy)
    return out


def lines(events: list[dict[str, Any]]) -> list[bytes]:
    return [orjson.dumps(e) for e in events]


def actions(engine: Engine) -> list[tuple[str, str, str, str]]:
    with UnitOfWork(engine) as uow:
        return sorted(
            (
                r.action.account_id,
                r.action.type.value,
                r.action.rule_ids[0],
                r.action.at.isoformat(),
            )
            for r in uow.actions.list()
        )


def file_ingest(
    events: list[dict[str, Any]], tmp_path: Path, screener: Screener, pack: PolicyPack
) -> Engine:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines(events)) + b"\n")
    engine = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    migrate(engine)
    Ingestor(engine, screener, pack).ingest(read_events(path))
    return engine


async def run_until_drained(
    workers: list[StreamWorker], expected: int, timeout: float = 120.0
) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = sum(w.stats.processed + w.stats.duplicates + w.stats.quarantined for w in workers)
        if done >= expected:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*tasks)


@ON_POSTGRES
def test_two_workers_decide_what_file_ingestion_decides(
    engine: Engine,
    redis_url: str,
    topology: Topology,
    screener: Screener,
    pack: PolicyPack,
    tmp_path: Path,
) -> None:
    events = replicas(4)
    poison = [b'{"kind": "message", "event_id": ', b'{"kind": "telepathy", "event_id": "p1"}']
    # accounts sign up long before they act: their signups are decided first, as in life
    # (a report's weight reads the reporter's age, folded on the reporter's partition)
    signups = [e for e in events if e["kind"] == "signup"]
    rest = [e for e in events if e["kind"] != "signup"]
    sent = asyncio.run(publish(NATS, lines(signups), topology=topology))
    workers = [
        StreamWorker(
            engine,
            Decider.for_store(engine, screener, pack, counters=RedisCounters.from_url(redis_url)),
            NATS,
            owned(i, 2, topology.partitions),
            topology=topology,
            batch=64,
        )
        for i in range(2)
    ]
    asyncio.run(run_until_drained(workers, len(signups)))
    sent = asyncio.run(publish(NATS, [*lines(rest), *poison], topology=topology))
    assert sent.records == len(rest) + 2
    asyncio.run(run_until_drained(workers, len(events) + 2))
    assert sum(w.stats.processed for w in workers) == len(events)
    assert sum(w.stats.dead_lettered for w in workers) == 2
    assert actions(engine) == actions(file_ingest(events, tmp_path, screener, pack))
    with UnitOfWork(engine) as uow:
        assert verify(uow.session).ok
        kept = uow.session.execute(text("select file, reason from quarantine")).all()
    assert len(kept) == 2
    assert all(f.startswith(f"{topology.subject}.") for f, _ in kept)
    assert any("malformed JSON" in r for _, r in kept)
    assert sorted(_dead_letters(topology)) == sorted(r for _, r in kept)


def _dead_letters(topology: Topology) -> list[str]:
    import nats

    async def read() -> list[str]:
        nc = await nats.connect(NATS)
        js = nc.jetstream()
        sub = await js.pull_subscribe(f"{topology.dead_subject}.>", stream=topology.dead_stream)
        messages = await sub.fetch(10, timeout=2)
        await nc.close()
        return [m.headers["Warden-Reason"] for m in messages]

    return asyncio.run(read())


def _worker_process(database_url: str, topology: Topology, log: Path) -> subprocess.Popen[bytes]:
    """``warden worker`` on the database's own counters (no Redis): they commit with the
    events, so a replay after a crash sees exactly what the first attempt saw."""
    env = {**os.environ, "WARDEN_DATABASE_URL": database_url, "WARDEN_NATS_URL": NATS}
    env.pop("WARDEN_REDIS_URL", None)
    command = [
        sys.executable, "-m", "warden", "worker", "--prefix", topology.prefix,
        "--partitions", str(topology.partitions), "--batch", "32", "--ack-wait", "3",
    ]  # fmt: skip
    with log.open("ab") as out:  # the child has its own copy of the descriptor
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _seen(engine: Engine) -> int:
    with UnitOfWork(engine) as uow:
        return int(uow.session.scalar(text("select count(*) from events_seen")) or 0)


@ON_POSTGRES
@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(
    engine: Engine,
    database_url: str,
    topology: Topology,
    screener: Screener,
    pack: PolicyPack,
    tmp_path: Path,
) -> None:
    events = replicas(12)
    signups = [e for e in events if e["kind"] == "signup"]
    log = tmp_path / "worker.log"
    worker = _worker_process(database_url, topology, log)
    asyncio.run(publish(NATS, lines(signups), topology=topology))
    deadline = time.monotonic() + 120
    while _seen(engine) < len(signups) and time.monotonic() < deadline:
        assert worker.poll() is None, log.read_text()
        time.sleep(0.05)
    asyncio.run(
        publish(NATS, lines([e for e in events if e["kind"] != "signup"]), topology=topology)
    )
    while _seen(engine) < len(events) // 2 and time.monotonic() < deadline:
        assert worker.poll() is None, log.read_text()
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = _seen(engine)
    assert 0 < killed_at < len(events), "the kill must land mid-stream"
    restarted = _worker_process(database_url, topology, log)
    deadline = time.monotonic() + 180
    while _seen(engine) < len(events) and time.monotonic() < deadline:
        assert restarted.poll() is None, log.read_text()
        time.sleep(0.1)
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(timeout=60) == 0, log.read_text()
    assert _seen(engine) == len(events)
    stored = actions(engine)
    assert len(stored) == len(set(stored)), "no action twice"
    assert stored == actions(file_ingest(events, tmp_path, screener, pack))
    with UnitOfWork(engine) as uow:
        assert verify(uow.session).ok


def _start_redis(binary: str, port: int) -> subprocess.Popen[bytes]:
    import redis

    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("redis-server did not start")


async def _through_an_outage(
    worker: StreamWorker,
    events: list[dict[str, Any]],
    topology: Topology,
    dependency: str,
    down: Callable[[], None],
    while_down: Callable[[], None],
    up: Callable[[], None],
) -> None:
    """Run ``worker``; take ``dependency`` down, publish ``events``, see them nak'ed (and
    ``while_down`` hold), bring it up, and wait until every event is processed."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.to_thread(down)
    await publish(NATS, lines(events), topology=topology)
    deadline = time.monotonic() + 30
    while worker.stats.naks == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert worker.stats.naks > 0, f"events must be nak'ed while {dependency} is down"
    while_down()
    await asyncio.to_thread(up)
    deadline = time.monotonic() + 90
    while worker.stats.processed < len(events) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    stop.set()
    await task


@ON_POSTGRES
def test_a_redis_outage_naks_and_the_worker_recovers(
    engine: Engine,
    redis_server: tuple[str, int],
    topology: Topology,
    screener: Screener,
    pack: PolicyPack,
) -> None:
    binary, port = redis_server
    server = _start_redis(binary, port)
    events = replicas(3)
    counters = RedisCounters.from_url(f"redis://127.0.0.1:{port}/0")
    worker = StreamWorker(
        engine,
        Decider.for_store(engine, screener, pack, counters=counters),
        NATS,
        owned(0, 1, topology.partitions),
        topology=topology,
        batch=32,
    )

    restarted: list[subprocess.Popen[bytes]] = []

    def redis_down() -> None:
        server.terminate()
        server.wait()

    def nothing_committed() -> None:
        assert _seen(engine) == 0, "nothing is committed (or acked) without its counters"

    try:
        asyncio.run(
            _through_an_outage(
                worker, events, topology, "Redis", redis_down, nothing_committed,
                lambda: restarted.append(_start_redis(binary, port)),
            )
        )  # fmt: skip
    finally:
        for process in restarted:
            process.terminate()
            process.wait()
    assert worker.stats.processed == len(events)
    assert _seen(engine) == len(events)
    with UnitOfWork(engine) as uow:
        assert verify(uow.session).ok


def test_a_postgresql_restart_naks_and_the_worker_recovers(
    private_postgres: PrivatePostgres,
    redis_url: str,
    topology: Topology,
    screener: Screener,
    pack: PolicyPack,
) -> None:
    engine = make_engine(private_postgres.url, pool_pre_ping=True)
    migrate(engine)
    events = replicas(3)
    worker = StreamWorker(
        engine,
        Decider.for_store(engine, screener, pack, counters=RedisCounters.from_url(redis_url)),
        NATS,
        owned(0, 1, topology.partitions),
        topology=topology,
        batch=32,
    )

    def nothing_processed() -> None:
        assert worker.stats.processed == 0

    asyncio.run(
        _through_an_outage(
            worker, events, topology, "PostgreSQL", private_postgres.stop, nothing_processed,
            private_postgres.start,
        )
    )  # fmt: skip
    assert worker.stats.processed == len(events)
    assert worker.stats.dead_lettered == 0
    assert _seen(engine) == len(events)
    with UnitOfWork(engine) as uow:
        assert verify(uow.session).ok
    engine.dispose()
