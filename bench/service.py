"""Service benchmark: Warden as a running service — HTTP checks, the stream worker, ingestion.

    python bench/service.py [--quick] [--rates 500,250] [--seconds 20] [--batches 20]
                            [--rounds 3] [--events 50000] [--latency-seconds 10]
                            [--models-dir DIR] [--postgres URL] [--redis URL] [--nats URL]
                            [--workdir DIR] [--out bench/results/service.json]

Issue 10's targets, measured with the real components on this machine. Everything listens on
127.0.0.1; every load generator is bounded in count and time.

1. ``POST /v1/check`` against ``warden serve`` (a subprocess, a fresh SQLite database, a key
   from ``warden keys create bench --scope screen``); texts are real SMS from
   ``$WARDEN_DATA_DIR`` (bench/screen.py's Chinese/English mix).

   * One text per request, open loop, at each of ``--rates`` for ``--seconds``. A request's
     latency runs from the moment it was due, not sent, so a server that falls behind
     cannot hide its queue (``from_send`` is kept too); the server's own histogram is read
     from ``/metrics`` and its CPU from /proc. The client is a minimal keep-alive HTTP/1.1
     client on asyncio (:class:`Connection`): httpx.AsyncClient spends ~4 ms of CPU per
     request here and could not offer more than ~200 requests/s on two shared cores; wrk is
     not installed. Target: p99 ≤ 10 ms at 500 requests/s.
   * Batched: 1,000 texts per request, two in flight, texts/s, against ``Screener.screen``
     in this process with the same screener (the default pack's lexicons and, when built,
     the standard detectors) on the same batches; both warmed on those texts first, then
     ``--rounds`` interleaved rounds. Target: ≥ 80% of in-process.

2. The stream worker into PostgreSQL + Redis: a scratch database (dropped after), Redis
   database 14 (flushed before and after), a NATS topology of its own (deleted after).
   ``warden simulate`` writes the events; the first ``--events`` are published
   (``warden.service.worker.publish``) and drained by two ``warden worker`` processes
   (``--of 2``, 8 partitions): events/s from the ``events_seen`` rows committed over time,
   between 10% and 90% of the backlog. Then the next events are published at a fixed rate —
   the 5,000 events/s target, or 70% of the measured rate when that is lower (a queue that
   grows without bound has no p99), once redeliveries have settled — and the publish →
   commit latency is read from the workers' ``warden_decision_seconds`` histograms
   (quantiles interpolated within buckets). Targets: ≥ 5,000 events/s, p99 ≤ 100 ms (met
   only when measured at 5,000 events/s).

3. ``warden ingest`` of the same ``--events`` on SQLite (no Redis: counters persist in the
   database): events/s net of the command's start-up (the same command on a one-event
   file), and over its whole wall time. Target: ≥ 2,000 events/s.

4. Cores for WeChat's 2018 volume (~500,000 messages/s) from each measured per-core rate
   (events/s ÷ cores used: the machine's two for the workers, which share them with
   PostgreSQL, Redis and NATS; one for ``warden ingest`` and for the server's Python).

Prints one line and writes JSON with the targets met, the machine's load and the commit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from provenance import commit, machine_busy, pct
from screen import load_messages
from warden.detect.manifest import manifest_path, read_manifest
from warden.settings import get_settings
from warden.text.catalog import data_dir

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "check_rate_per_second": 500,
    "check_p99_ms": 10.0,
    "batched_share_of_in_process": 0.8,
    "worker_events_per_second": 5000,
    "worker_decision_p99_ms": 100.0,
    "ingest_events_per_second": 2000,
}
WECHAT_2018_MESSAGES_PER_SECOND = 500_000
QUICK = {"seconds": 2.0, "batches": 2, "rounds": 1, "events": 3000, "latency_seconds": 2.0}
BATCH, WARM_REQUESTS = 1000, 48
WORKERS, PARTITIONS = 2, 8

Advance = Callable[[int], None]


# --- processes, histograms, CPU -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def warden(
    env: dict[str, str], *args: str, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "warden", *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def spawn(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "warden", *args], env=env, stdout=subprocess.DEVNULL, stderr=sink
        )


def stop(process: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """SIGTERM (a worker drains), then SIGKILL after ``grace`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url}: not up after {timeout:.0f} s: {log.read_text()[-2000:]}")


def buckets(exposition: str, metric: str, **labels: str) -> dict[float, float]:
    """A Prometheus histogram's cumulative buckets (``le`` → count)."""
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[float, float] = {}
    for family in text_string_to_metric_families(exposition):
        for s in family.samples:
            if s.name == f"{metric}_bucket" and all(
                s.labels.get(k) == v for k, v in labels.items()
            ):
                out[float(s.labels["le"])] = out.get(float(s.labels["le"]), 0.0) + s.value
    return out


def minus(after: dict[float, float], before: dict[float, float]) -> dict[float, float]:
    return {le: count - before.get(le, 0.0) for le, count in after.items()}


def bucket_quantile(cumulative: dict[float, float], q: float) -> float | None:
    """As Prometheus' histogram_quantile: linear within the bucket holding the rank."""
    total = cumulative.get(math.inf, 0.0)
    if total <= 0:
        return None
    rank, lower, below = q * total, 0.0, 0.0
    for le in sorted(cumulative):
        if cumulative[le] >= rank:
            if math.isinf(le):
                return lower  # above the last finite bucket: its bound is all we know
            return lower + (le - lower) * (rank - below) / max(cumulative[le] - below, 1e-12)
        lower, below = le, cumulative[le]
    return lower


def ms(seconds: float | None) -> float | None:
    return None if seconds is None or math.isinf(seconds) else round(seconds * 1000, 2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- 1. POST /v1/check ----------------------------------------------------------------------


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time (~0.25 ms of client CPU a
    request, most of it asyncio's; httpx.AsyncClient spends ~4 ms). The server closes a
    connection idle for 5 s: a closed one is not reused."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.expected: tuple[int, int] | None = None  # (status, bytes of the whole response)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.expected is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            at = head.find(b"\r\ncontent-length:")
            length = int(head[at + 17 : head.find(b"\r\n", at + 2)]) if at >= 0 else 0
            self.expected = (int(head[9:12]), end + 4 + length)
        status, size = self.expected
        if len(self.buffer) >= size and self.waiter is not None:
            del self.buffer[:size]
            self.expected = None
            if not self.waiter.done():  # else the request timed out: the answer is late
                self.waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc}"))

    async def send(self, request: bytes, timeout: float = 30.0) -> int:
        assert self.transport is not None
        if self.closed or self.transport.is_closing():
            raise ConnectionError("the server closed the connection")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await asyncio.wait_for(self.waiter, timeout)


async def open_loop(
    port: int, key: str, texts: list[str], rate: float, seconds: float, advance: Advance
) -> dict[str, Any]:
    """``rate`` requests/s of one text each for ``seconds``, each sent when due on an idle
    keep-alive connection (a new one when none is idle, up to 512)."""
    n = int(rate * seconds)
    head = (
        f"POST /v1/check HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nauthorization: Bearer {key}"
        "\r\ncontent-type: application/json\r\ncontent-length: "
    )
    bodies = (orjson.dumps({"texts": [texts[i % len(texts)]]}) for i in range(n))
    requests = [f"{head}{len(body)}\r\n\r\n".encode() + body for body in bodies]
    loop = asyncio.get_running_loop()
    idle: list[Connection] = []
    opened = 0

    async def connection() -> Connection:
        nonlocal opened
        while idle:
            c = idle.pop()
            if not c.closed:
                return c
        if opened >= 512:
            raise RuntimeError("512 connections busy: the server is far behind")
        opened += 1
        return (await loop.create_connection(Connection, "127.0.0.1", port))[1]

    for _ in range(WARM_REQUESTS // 16):  # warm: connections, first requests through it all
        warm = [await connection() for _ in range(16)]
        await asyncio.gather(*(c.send(requests[i]) for i, c in enumerate(warm)))
        idle.extend(warm)
    from_due, from_send, done_at, status = [0.0] * n, [0.0] * n, [0.0] * n, [0] * n
    client_cpu = time.process_time()

    async def one(i: int, due: float) -> None:
        sent = loop.time()
        try:
            c = await connection()
            status[i] = await c.send(requests[i])
            idle.append(c)
        except (OSError, RuntimeError, TimeoutError):
            status[i] = -1
        done_at[i] = loop.time()
        from_due[i], from_send[i] = done_at[i] - due, done_at[i] - sent
        advance(1)

    start = loop.time() + 0.05
    tasks = []
    for i in range(n):
        due = start + i / rate
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    client_cpu = time.process_time() - client_cpu
    for c in idle:
        assert c.transport is not None
        c.transport.close()
    ok = [i for i in range(n) if status[i] == 200]
    due_ok, sent_ok = [from_due[i] for i in ok], [from_send[i] for i in ok]
    return {
        "requests": n,
        "ok": len(ok),
        "errors": {str(s): status.count(s) for s in sorted(set(status)) if s > 0 and s != 200},
        "not_answered": status.count(-1),  # no idle connection of 512, or no answer in 30 s
        "offered_per_second": rate,
        "achieved_per_second": round(len(ok) / (max(done_at) - start), 1),
        "connections": opened,
        **{f"p{q}_ms": ms(pct(due_ok, q / 100)) for q in (50, 95, 99)},  # of those answered
        "max_ms": ms(max(due_ok, default=None)),
        "from_send_p50_ms": ms(pct(sent_ok, 0.5)),
        "from_send_p99_ms": ms(pct(sent_ok, 0.99)),
        "client_cpu_ms_per_request": round(client_cpu / n * 1000, 3),
    }


def single_run(
    server: subprocess.Popen[bytes],
    port: int,
    key: str,
    texts: list[str],
    rate: float,
    seconds: float,
    progress: Progress,
) -> dict[str, Any]:
    """One open-loop run of single-text requests, with the server's own view of it."""
    metrics = f"http://127.0.0.1:{port}/metrics"
    task = progress.add_task(f"check, 1 text a request, {rate:.0f}/s", total=int(rate * seconds))
    before, cpu = httpx.get(metrics).text, cpu_seconds(server.pid)
    run = asyncio.run(
        open_loop(port, key, texts, rate, seconds, lambda k: progress.advance(task, k))
    )
    served = run["requests"] + WARM_REQUESTS
    run["server_cpu_ms_per_request"] = round((cpu_seconds(server.pid) - cpu) / served * 1000, 3)
    name, route = "warden_http_request_seconds", {"route": "/v1/check"}
    seen = minus(buckets(httpx.get(metrics).text, name, **route), buckets(before, name, **route))
    run["server_histogram_p50_ms"] = ms(bucket_quantile(seen, 0.5))
    run["server_histogram_p99_ms"] = ms(bucket_quantile(seen, 0.99))
    return run


async def post_batches(
    port: int, key: str, batches: list[list[str]], advance: Advance, in_flight: int = 2
) -> float:
    """Seconds to screen every batch over HTTP, ``in_flight`` requests at a time."""
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    gate = asyncio.Semaphore(in_flight)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=300
    ) as client:

        async def one(body: bytes, size: int) -> None:
            async with gate:
                response = await client.post("/v1/check", content=body)
            if (
                response.status_code != 200
                or len(orjson.loads(response.content)["verdicts"]) != size
            ):
                raise RuntimeError(f"/v1/check batch: {response.status_code} {response.text[:300]}")
            advance(1)

        bodies = [orjson.dumps({"texts": batch}) for batch in batches]
        start = time.perf_counter()
        await asyncio.gather(*(one(b, len(t)) for b, t in zip(bodies, batches, strict=True)))
        return time.perf_counter() - start


def check_phase(
    args: argparse.Namespace, env: dict[str, str], progress: Progress
) -> dict[str, Any]:
    from warden.enforce.ingest import screener_for
    from warden.policy import default_pack_path, load_pack

    texts = load_messages(max(int(max(args.rates) * args.seconds), args.batches * BATCH))
    env = env | {"WARDEN_DATABASE_URL": f"sqlite:///{args.workdir / 'serve.db'}"}
    created = warden(env, "keys", "create", "bench", "--scope", "screen", timeout=120)
    if created.returncode != 0:
        raise RuntimeError(f"warden keys create: {created.stderr[-2000:]}")
    key, port, log = created.stdout.split()[0], free_port(), args.workdir / "serve.log"
    server = spawn(env, log, "serve", "--host", "127.0.0.1", "--port", str(port))
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server, log, timeout=180)
        runs = [single_run(server, port, key, texts, r, args.seconds, progress) for r in args.rates]

        batches = [texts[i * BATCH : (i + 1) * BATCH] for i in range(args.batches)]
        screener = screener_for(load_pack(default_pack_path()), args.models_dir)
        for batch in batches:  # warm on these very texts, as the server is about to be
            screener.screen(batch)
        asyncio.run(post_batches(port, key, batches, lambda _: None))
        task = progress.add_task("check, 1,000 texts a request", total=args.rounds * args.batches)
        http_s, local_s = [], []
        for _ in range(args.rounds):  # interleaved: a round's two runs share the machine's load
            http_s.append(
                asyncio.run(post_batches(port, key, batches, lambda k: progress.advance(task, k)))
            )
            start = time.perf_counter()
            for batch in batches:
                screener.screen(batch)
            local_s.append(time.perf_counter() - start)
    finally:
        stop(server)
    total = args.batches * BATCH
    screen_json = ROOT / "bench" / "results" / "screen.json"
    reference = json.loads(screen_json.read_text()) if screen_json.is_file() else {}
    return {
        "single": runs[0],
        "single_other_rates": runs[1:],
        "batched": {
            "texts_per_request": BATCH,
            "requests_in_flight": 2,
            "texts": total,
            "rounds": args.rounds,
            "http_texts_per_second": round(total / statistics.median(http_s)),
            "in_process_texts_per_second": round(total / statistics.median(local_s)),
            "share_of_in_process": round(
                statistics.median(b / a for a, b in zip(http_s, local_s, strict=True)), 3
            ),
            "http_runs_seconds": [round(s, 3) for s in http_s],
            "in_process_runs_seconds": [round(s, 3) for s in local_s],
            "bench_screen_json_messages_per_second": reference.get("messages_per_second"),
            "bench_screen_json_note": "bench/screen.py's figure, for reference: one core, the "
            "lexicons plus every public catalog (a bigger screener than the default pack's), "
            f"commit {reference.get('commit')}",
        },
    }


# --- 2. the stream worker -------------------------------------------------------------------


def unreachable(args: argparse.Namespace) -> str | None:
    """Why the worker phase cannot run (a dependency down), or None."""
    import redis
    from sqlalchemy import create_engine, text

    from warden.service.app import nats_reachable

    try:
        admin = create_engine(args.postgres, connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        admin.dispose()
    except Exception as exc:
        return f"PostgreSQL at {args.postgres}: {type(exc).__name__}"
    try:
        redis.Redis.from_url(args.redis, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {args.redis}: {type(exc).__name__}"
    nats = nats_reachable(args.nats)
    return None if nats == "ok" else f"NATS at {args.nats}: {nats}"


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A PostgreSQL database of the benchmark's own, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"warden_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def own_streams(nats_url: str, topology: Any) -> Iterator[None]:
    """The topology's streams are deleted afterwards."""
    import nats

    async def clean() -> None:
        nc = await nats.connect(nats_url)
        for stream in (topology.stream, topology.dead_stream):
            with contextlib.suppress(Exception):  # not made if publishing never started
                await nc.jetstream().delete_stream(stream)
        await nc.close()

    try:
        yield
    finally:
        asyncio.run(clean())


async def paced_publish(nats_url: str, records: list[bytes], rate: float, topology: Any) -> float:
    """Publish ``records`` at ``rate`` a second, routed as ``warden publish`` routes them;
    returns the rate achieved."""
    import nats

    from warden.service.worker import ensure_streams, routing

    nc = await nats.connect(nats_url)
    js = nc.jetstream(publish_async_max_pending=8192)
    await ensure_streams(js, topology)
    loop, futures, sent = asyncio.get_running_loop(), [], 0
    start = loop.time()
    while sent < len(records):
        due = min(len(records), int((loop.time() - start) * rate) + 1)
        for raw in records[sent:due]:
            partition, msg_id = routing(raw, topology.partitions)
            headers = {"Nats-Msg-Id": msg_id} if msg_id else None
            futures.append(
                await js.publish_async(f"{topology.subject}.{partition}", raw, headers=headers)
            )
        sent = max(sent, due)
        await asyncio.sleep(0.002)
    elapsed = loop.time() - start
    await asyncio.gather(*futures)
    await nc.drain()
    return len(records) / elapsed


async def settle(nats_url: str, topology: Any, timeout: float) -> int:
    """Wait until no message waits or is unacked on any partition (redeliveries of messages
    that outlived ack_wait are decided too); the number still there at ``timeout``."""
    import nats

    nc = await nats.connect(nats_url)
    js, deadline = nc.jetstream(), time.monotonic() + timeout
    while True:
        left = 0
        for partition in range(topology.partitions):
            info = await js.consumer_info(topology.stream, topology.durable(partition))
            left += int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        if left == 0 or time.monotonic() > deadline:
            await nc.close()
            return left
        await asyncio.sleep(0.5)


class Drain:
    """Samples of (time, events committed, workers' CPU-seconds, machine busy CPU-seconds)."""

    def __init__(self, engine: Any, workers: list[subprocess.Popen[bytes]]) -> None:
        self.engine, self.workers = engine, workers
        self.samples: list[tuple[float, int, float, float]] = []

    def sample(self) -> int:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            seen = int(connection.execute(text("SELECT count(*) FROM events_seen")).scalar_one())
        cpu = sum(cpu_seconds(w.pid) for w in self.workers if w.poll() is None)
        self.samples.append((time.monotonic(), seen, cpu, machine_busy()))
        return seen

    def until(self, count: int, timeout: float, advance: Advance) -> None:
        """Sample every half second until ``count`` events are committed."""
        deadline, last = time.monotonic() + timeout, self.samples[-1][1] if self.samples else 0
        while (seen := self.sample()) < count:
            advance(seen - last)
            last = seen
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers committed {seen} of {count} in {timeout:.0f} s")
            if any(w.poll() is not None for w in self.workers):
                raise RuntimeError("a worker exited during the run")
            time.sleep(0.5)
        advance(seen - last)

    def window(self, low: float, high: float) -> tuple[float, int, float, float]:
        """Seconds, events, worker CPU-seconds and machine busy CPU-seconds between the first
        samples at ``low`` and at ``high`` of the last count."""
        final = self.samples[-1][1]
        a = next(s for s in self.samples if s[1] >= low * final)
        b = next(s for s in self.samples if s[1] >= high * final)
        return b[0] - a[0], b[1] - a[1], b[2] - a[2], b[3] - a[3]


def worker_phase(
    args: argparse.Namespace,
    env: dict[str, str],
    events: Path,
    later: list[bytes],
    progress: Progress,
) -> dict[str, Any]:
    import redis

    from warden.service.worker import Topology, publish, raw_records
    from warden.store import make_engine, migrate

    why = unreachable(args)
    if why is not None:
        return {"skipped": f"not reachable: {why}"}
    topology = Topology(prefix=f"bench{uuid.uuid4().hex[:8]}", partitions=PARTITIONS)
    redis_db = redis.Redis.from_url(args.redis)
    redis_db.flushdb()
    workers: list[subprocess.Popen[bytes]] = []
    try:
        with scratch_database(args.postgres) as url, own_streams(args.nats, topology):
            engine = make_engine(url)
            migrate(engine)  # once, before the workers start
            task = progress.add_task("publish (backlog)", total=sum(1 for _ in raw_records(events)))
            start = time.perf_counter()
            sent = asyncio.run(
                publish(args.nats, raw_records(events), topology=topology,
                        progress=lambda k: progress.advance(task, k))
            )  # fmt: skip
            publish_s = time.perf_counter() - start
            wenv = env | {"WARDEN_DATABASE_URL": url, "WARDEN_REDIS_URL": args.redis,
                          "WARDEN_NATS_URL": args.nats}  # fmt: skip
            ports = [free_port() for _ in range(WORKERS)]
            for i, port in enumerate(ports):
                workers.append(spawn(
                    wenv, args.workdir / f"worker{i}.log", "worker", "--worker", str(i), "--of",
                    str(WORKERS), "--prefix", topology.prefix, "--partitions", str(PARTITIONS),
                    "--metrics-port", str(port),
                ))  # fmt: skip
            drain = Drain(engine, workers)
            task = progress.add_task("workers drain the backlog", total=sent.records)
            drain.until(sent.records, args.drain_timeout, lambda k: progress.advance(task, k))
            seconds, done, worker_cpu, busy = drain.window(0.1, 0.9)
            rate = done / seconds
            left = asyncio.run(settle(args.nats, topology, timeout=90.0))  # redeliveries done

            offered = min(TARGETS["worker_events_per_second"], max(1, round(0.7 * rate)))
            paced = later[: max(1, int(offered * args.latency_seconds))]
            scrape = [f"http://127.0.0.1:{p}/" for p in ports]
            before = [httpx.get(u).text for u in scrape]
            task = progress.add_task(f"latency at {offered:,} events/s", total=len(paced))
            achieved = asyncio.run(paced_publish(args.nats, paced, offered, topology))
            drain.until(
                sent.records + len(paced), args.drain_timeout, lambda k: progress.advance(task, k)
            )
            hist: dict[float, float] = {}
            for address, old in zip(scrape, before, strict=True):
                new = buckets(httpx.get(address).text, "warden_decision_seconds")
                for le, n in minus(new, buckets(old, "warden_decision_seconds")).items():
                    hist[le] = hist.get(le, 0.0) + n
            for worker in workers:
                stop(worker)
            engine.dispose()
    finally:
        for worker in workers:
            stop(worker, grace=5)
        redis_db.flushdb()
    logs = [
        line.strip()
        for i in range(WORKERS)
        for line in (args.workdir / f"worker{i}.log").read_text().splitlines()
        if "processed" in line
    ]
    total = hist.get(math.inf, 0.0)
    return {
        "workers": WORKERS,
        "partitions": PARTITIONS,
        "batch": 256,
        "events": sent.records,
        "publish_events_per_second": round(sent.records / publish_s),
        "events_per_second": round(rate),
        "window": "committed events (events_seen rows) between 10% and 90% of the backlog",
        "window_seconds": round(seconds, 2),
        "worker_cores_busy": round(worker_cpu / seconds, 2),
        "machine_cores_busy": round(busy / seconds, 2),
        "events_per_worker_cpu_second": round(done / worker_cpu) if worker_cpu else None,
        "unsettled_before_latency_run": left,
        "latency": {
            "offered_events_per_second": offered,
            "published_per_second": round(achieved),
            "events": len(paced),
            **{f"p{q}_ms": ms(bucket_quantile(hist, q / 100)) for q in (50, 95, 99)},
            "p99_bucket_le_ms": ms(
                min((le for le, n in hist.items() if n >= 0.99 * total), default=None)
            ),
            "observed": int(total),
            "how": "publish (JetStream's stored time) to commit, warden_decision_seconds of both "
            "workers, quantiles interpolated within buckets",
        },
        **{word: tally(logs, word) for word in ("processed", "duplicates", "naks")},
        "duplicates_note": "duplicates are redeliveries: a message still unacked after ack_wait "
        "(30 s) is delivered again, and decided again as a duplicate",
        "worker_logs": logs,
    }


def tally(logs: list[str], word: str) -> int:
    """The sum of ``<word> N`` over the workers' closing lines."""
    return sum(int(m[1]) for line in logs if (m := re.search(rf"{word} (\d+)", line)))


# --- 3. warden ingest -----------------------------------------------------------------------


def ingest_phase(args: argparse.Namespace, env: dict[str, str], events: Path) -> dict[str, Any]:
    one = args.workdir / "one.jsonl"
    with events.open("rb") as stream:
        one.write_bytes(stream.readline())
    start = time.perf_counter()
    warden(
        env | {"WARDEN_DATABASE_URL": f"sqlite:///{args.workdir / 'one.db'}"}, "ingest", str(one)
    )
    startup = time.perf_counter() - start
    start = time.perf_counter()
    done = warden(
        env | {"WARDEN_DATABASE_URL": f"sqlite:///{args.workdir / 'ingest.db'}"},
        "ingest",
        str(events),
        "--json",
        timeout=args.drain_timeout,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"warden ingest: {done.stderr[-2000:]}")
    summary = next(iter(json.loads(done.stdout).values()))
    return {
        "events": summary["read"],
        "processed": summary["processed"],
        "actions": summary["actions"],
        "wall_seconds": round(wall, 2),
        "startup_seconds": round(startup, 2),
        "events_per_second": round(summary["read"] / (wall - startup)),
        "events_per_second_wall": round(summary["read"] / wall),
        "counters": "SqlCounters (the embedded default, no WARDEN_REDIS_URL)",
    }


# --- the run --------------------------------------------------------------------------------


def simulate(
    args: argparse.Namespace, env: dict[str, str]
) -> tuple[Path, list[bytes], dict[str, Any]]:
    """``warden simulate`` for a day: the first ``--events`` events (a file), the rest after."""
    wanted = args.events + int(TARGETS["worker_events_per_second"] * args.latency_seconds)
    out = args.workdir / "sim"
    done = warden(
        env,
        "simulate",
        "--accounts",
        str(math.ceil(wanted / 45)),
        "--days",
        "1",
        "--seed",
        "7",
        "--format",
        "jsonl",
        "--out",
        str(out),
    )
    if done.returncode != 0:
        raise RuntimeError(f"warden simulate: {done.stderr[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    lines = [ln for f in manifest["files"] for ln in (out / f).read_bytes().splitlines() if ln]
    first = args.workdir / "events.jsonl"
    first.write_bytes(b"\n".join(lines[: args.events]) + b"\n")
    about = {k: manifest[k] for k in ("accounts", "abusive_accounts", "days", "seed")}
    return first, lines[args.events :], about | {"events_written": len(lines)}


def models(models_dir: Path) -> dict[str, Any]:
    """Whether the standard detectors were there to load (the default pack asks for them)."""
    if not manifest_path(models_dir).is_file():
        return {
            "loaded": False,
            "dir": str(models_dir),
            "note": "no standard detectors built (warden models build): lexicons only",
        }
    manifest = read_manifest(models_dir)
    return {
        "loaded": True,
        "dir": str(models_dir),
        "built": manifest.get("created"),
        "detectors": [str(d.get("name")) for d in manifest["detectors"]],
    }


def cores(rate: float | None, used: int) -> dict[str, Any] | None:
    if not rate:
        return None
    per_core = rate / used
    need = math.ceil(WECHAT_2018_MESSAGES_PER_SECOND / per_core)
    return {"per_core_per_second": round(per_core), "cores_used": used, "cores_needed": need}


def targets_met(
    check: dict[str, Any], worker: dict[str, Any], ingest: dict[str, Any]
) -> dict[str, bool]:
    single, latency = check["single"], worker.get("latency", {})
    return {
        "check_p99_ms_at_rate": single["p99_ms"] is not None
        and single["p99_ms"] <= TARGETS["check_p99_ms"]
        and single["achieved_per_second"] >= 0.98 * TARGETS["check_rate_per_second"],
        "batched_share_of_in_process": check["batched"]["share_of_in_process"]
        >= TARGETS["batched_share_of_in_process"],
        "worker_events_per_second": worker.get("events_per_second", 0)
        >= TARGETS["worker_events_per_second"],
        "worker_decision_p99_ms": latency.get("p99_ms") is not None  # at the target's rate
        and latency["p99_ms"] <= TARGETS["worker_decision_p99_ms"]
        and latency["offered_events_per_second"] >= TARGETS["worker_events_per_second"],
        "ingest_events_per_second": ingest["events_per_second"]
        >= TARGETS["ingest_events_per_second"],
    }


def summary(result: dict[str, Any], out: Path) -> str:
    met, wechat = result["targets_met"], result["cores_for_wechat_2018"]
    single, batched = result["check"]["single"], result["check"]["batched"]
    worker, ingest = result["worker"], result["ingest"]

    def mark(name: str) -> str:
        return "met" if met[name] else "missed"

    if "skipped" in worker:
        stream = f"worker skipped ({worker['skipped']})"
    else:
        lat = worker["latency"]
        stream = (
            f"worker x{WORKERS} {worker['events_per_second']:,} ev/s "
            f"({mark('worker_events_per_second')} 5,000), decision p50 {lat['p50_ms']} p99 "
            f"{lat['p99_ms']} ms at {lat['offered_events_per_second']:,} ev/s "
            f"({mark('worker_decision_p99_ms')} 100 at 5,000)"
        )
    need = wechat["stream_worker_postgres_redis"] or wechat["ingest_sqlite"]
    start = result["commit_at_start"]
    changed = (
        f" (was {start} at the start: src/ changed during the run)"
        if start != result["commit"]
        else ""
    )
    return (
        f"service: check 1 text at {single['achieved_per_second']:,.0f}/{single['offered_per_second']:.0f}"
        f" req/s p50 {single['p50_ms']} p95 {single['p95_ms']} p99 {single['p99_ms']} ms "
        f"({mark('check_p99_ms_at_rate')} 10); batched {batched['http_texts_per_second']:,} "
        f"texts/s = {batched['share_of_in_process']:.0%} of in-process "
        f"{batched['in_process_texts_per_second']:,} ({mark('batched_share_of_in_process')} "
        f"80%); {stream}; ingest SQLite {ingest['events_per_second']:,} ev/s "
        f"({mark('ingest_events_per_second')} 2,000); WeChat 2018 (500k msg/s) needs "
        f"~{need['cores_needed']:,} cores at {need['per_core_per_second']:,} ev/s per core; "
        f"models {'loaded' if result['models']['loaded'] else 'not built (lexicons only)'}; "
        f"commit {result['commit']}{changed} -> {out}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[500.0, 250.0],
        help="single-text requests/s, the target first",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="of single-text load")
    parser.add_argument("--batches", type=int, default=20, help="1,000-text requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--drain-timeout", type=float, default=1800.0)
    parser.add_argument("--models-dir", type=Path, default=None, help="default: settings")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/warden-bench-service"))
    parser.add_argument("--quick", action="store_true", help="a small run (tests use it)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "service.json")
    args = parser.parse_args()
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    if not (data_dir() / "cn_spam_sms").is_dir():
        print(f"skip: no datasets in {data_dir()} (set WARDEN_DATA_DIR)", file=sys.stderr)
        return 0
    args.models_dir = (args.models_dir or get_settings().models_path).expanduser().resolve()
    args.workdir = args.workdir / f"run-{uuid.uuid4().hex[:8]}"  # databases of its own
    args.workdir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("WARDEN_REDIS_URL", "WARDEN_NATS_URL")}
    env |= {"WARDEN_MODELS_DIR": str(args.models_dir), "WARDEN_ENV": "development"}
    load_before, busy_before, began = os.getloadavg(), machine_busy(), time.monotonic()
    commit_at_start = commit()

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        try:
            check = check_phase(args, env, progress)
            events, later, simulated = simulate(args, env)
            worker = worker_phase(args, env, events, later, progress)
            task = progress.add_task("warden ingest (SQLite)", total=None)
            ingest = ingest_phase(args, env, events)
            progress.update(task, total=1, completed=1)
        except BaseException:
            progress.console.print(f"failed; logs and databases kept in {args.workdir}")
            raise
    shutil.rmtree(args.workdir)
    elapsed = time.monotonic() - began
    result = {
        "benchmark": "service",
        "check": check,
        "worker": worker,
        "ingest": ingest,
        "cores_for_wechat_2018": {
            "messages_per_second": WECHAT_2018_MESSAGES_PER_SECOND,
            "stream_worker_postgres_redis": cores(worker.get("events_per_second"), WORKERS),
            "ingest_sqlite": cores(ingest["events_per_second"], 1),
            "screening_only_http_batched": cores(check["batched"]["http_texts_per_second"], 1),
            "basis": "events/s ÷ cores used: the two workers share the machine's 2 cores with "
            "PostgreSQL, Redis and NATS (counted as 2); warden ingest and the server are one "
            "Python process each (1 core)",
        },
        "targets": TARGETS,
        "targets_met": targets_met(check, worker, ingest),
        "models": models(args.models_dir),
        "input": {
            "texts": "bench/screen.py's mix of cn_spam_sms and sms_spam_uci (WARDEN_DATA_DIR)",
            "events": "warden simulate --days 1 --seed 7: the first --events events; the next "
            "ones for the latency run",
            "simulated": simulated,
            "quick": args.quick,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "mean_busy_cores_during_run": round((machine_busy() - busy_before) / elapsed, 2),
            "note": "a shared 2-core machine: the load generators, the server or the workers, "
            "PostgreSQL, Redis, NATS and other people's work all ran on the same cores",
        },
        "seconds": round(elapsed, 1),
        "commit": commit(),
        "commit_at_start": commit_at_start,  # differs when src/ changed during the run
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(summary(result, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
