"""Counters benchmark: events/s folded into persistent SqlCounters vs in-process MemoryCounters.

    python bench/counters.py [--events 20000] [--accounts 2000] [--repeat 3] [--batch 100]
                             [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
                             [--workdir /tmp/warden-bench-counters] [--quick]
                             [--out bench/results/counters.json]

What one event costs the account features, as ``warden ingest`` pays it: the
:class:`~warden.accounts.features.FeatureFolder` folds the event (with the verdicts of its
text: a tenth of messages score for a category, some advertise a phone number) and reads
every feature of each account it touched (the policy's questions: ~40 per account with
the default pack's seven categories). The event stream is synthetic and seeded — messages
to strangers and contacts, payments, reports, friend requests — over about two days of
event time, so the counters prune as they would live.

Rows, each from an empty database:

* ``memory`` — :class:`MemoryCounters`, nothing persisted (today's default without Redis);
* ``sqlite_per_event`` — :class:`SqlCounters`, flushed and committed after every event (one
  transaction per event, the shape of ``warden ingest`` today);
* ``sqlite_batched`` — flushed and committed every ``--batch`` events (a driver that
  batches its transactions; a bucket changed by several events of a batch is written once);
* ``postgres_per_event`` / ``postgres_batched`` — the same on PostgreSQL with ``--postgres``
  (a scratch schema, dropped afterwards).

Each row reports events/s (median of ``--repeat`` interleaved rounds), the time per event
spent folding and asking, flushing, and committing (an fsync on SQLite), and rows stored. After the
SQLite runs the database is loaded back into a fresh SqlCounters (timed) and every
account's features are compared with the memory run's (``same_features``). The SQLite files
live in ``--workdir`` (a real disk: every commit is an fsync). Prints one line, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from provenance import commit
from warden.accounts.counters import MemoryCounters
from warden.accounts.features import FeatureFolder
from warden.accounts.sql_counters import BUCKETS, VALUES, SqlCounters
from warden.domain.events import (
    Event,
    FriendRequestEvent,
    MessageEvent,
    PaymentEvent,
    ReportEvent,
    SignupEvent,
)
from warden.domain.verdicts import Entity, EntityKind, Verdict
from warden.store import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("sexual_services", "porn", "fraud", "gambling", "terror", "spam", "harassment")
T0 = datetime(2026, 6, 1, tzinfo=UTC)
TARGET = {"events_per_second": 2000}  # warden ingest on SQLite, issue 10
QUICK = {"events": 3000, "accounts": 400, "repeat": 1}

Stream = list[tuple[Event, list[Verdict]]]


def stream(events: int, accounts: int, seed: int = 7) -> Stream:
    """A seeded event stream over ~2 days of event time, with the verdicts of its texts."""
    rng = random.Random(seed)
    names = [f"u{i}" for i in range(accounts)]
    step = 2 * 86400 / events
    out: Stream = [
        (SignupEvent(event_id=f"s{i}", account_id=name, ts=T0), [])
        for i, name in enumerate(names[: accounts // 2])
    ]
    for i in range(events - len(out)):
        at = T0 + timedelta(seconds=i * step + rng.random())
        account, other = rng.sample(names, 2)
        roll = rng.random()
        event: Event
        if roll < 0.85:
            event = MessageEvent(
                event_id=f"e{i}",
                account_id=account,
                ts=at,
                text="hello",
                recipient_id=other,
                is_contact=rng.random() < 0.6,
            )
        elif roll < 0.93:
            event = PaymentEvent(
                event_id=f"e{i}", account_id=account, ts=at, payee_id=other, amount=200, memo="x"
            )
        elif roll < 0.97:
            event = FriendRequestEvent(event_id=f"e{i}", account_id=account, ts=at, target_id=other)
        else:
            event = ReportEvent(
                event_id=f"e{i}", account_id=account, ts=at, target_account_id=other, reason="spam"
            )
        verdicts = [verdict(rng, i)] if event.texts() else []
        out.append((event, verdicts))
    return out


def verdict(rng: random.Random, i: int) -> Verdict:
    """A verdict: clean nine times in ten, else a score for one or two categories."""
    if rng.random() < 0.9:
        return Verdict(text="hello", categories={}, normalized="hello")
    categories = {c: round(rng.uniform(0.3, 1.0), 3) for c in rng.sample(CATEGORIES, 2)}
    phone = f"+8613{rng.randint(0, 999_999_999):09d}"
    entities = (Entity(EntityKind.PHONE, phone, 0, 11, phone),) if rng.random() < 0.5 else ()
    return Verdict(text="ad", categories=categories, entities=entities, normalized=f"ad{i % 50}")


@dataclass
class Run:
    seconds: float
    fold_seconds: float
    flush_seconds: float  # flush and commit
    commit_seconds: float  # of which the commits
    rows: int
    features: dict[str, Any]


def run(events: Stream, counters: MemoryCounters, persist: Callable[[int], None] | None) -> Run:
    """Fold every event, ask every feature of the accounts it touched, persist after each."""
    folder = FeatureFolder(counters, CATEGORIES)
    fold = flush = 0.0
    start = time.perf_counter()
    for n, (event, verdicts) in enumerate(events, 1):
        began = time.perf_counter()
        for account in folder.fold(event, verdicts):
            folder.features(account, event.ts)
        folded = time.perf_counter()
        fold += folded - began
        if persist is not None:
            persist(n)
            flush += time.perf_counter() - folded
    seconds = time.perf_counter() - start
    last = events[-1][0].ts
    accounts = sorted({event.account_id for event, _ in events})
    features = {a: folder.features(a, last) for a in accounts}
    return Run(seconds, fold, flush, 0.0, 0, features)


def persisted(events: Stream, engine: Engine, batch: int) -> tuple[Run, float, int, dict[str, Any]]:
    """A run on ``SqlCounters`` flushed and committed every ``batch`` events, then loaded
    back."""
    counters = SqlCounters.load(engine)
    session = Session(engine)

    commits = 0.0

    def persist(n: int) -> None:
        nonlocal commits
        if n % batch == 0 or n == len(events):
            counters.flush(session)
            began = time.perf_counter()
            session.commit()
            commits += time.perf_counter() - began

    result = run(events, counters, persist)
    result.commit_seconds = commits
    session.close()
    with Session(engine) as s:
        result.rows = int(s.scalar(select(func.count()).select_from(BUCKETS)) or 0) + int(
            s.scalar(select(func.count()).select_from(VALUES)) or 0
        )
    start = time.perf_counter()
    loaded = SqlCounters.load(engine)
    load_seconds = time.perf_counter() - start
    last = events[-1][0].ts
    folder = FeatureFolder(loaded, CATEGORIES)
    reloaded = {a: folder.features(a, last) for a in result.features}
    return result, load_seconds, result.rows, reloaded


@contextmanager
def sqlite_engine(workdir: Path) -> Iterator[Engine]:
    path = workdir / f"{uuid.uuid4().hex[:8]}.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    """A scratch schema in ``url``'s database, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    owner = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(scoped.render_as_string(hide_password=False))
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with owner.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        owner.dispose()


def summary(name: str, runs: Sequence[Run], events: int, extra: dict[str, Any]) -> dict[str, Any]:
    middle = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    return {
        "row": name,
        "events_per_second": round(events / middle.seconds),
        "fold_and_ask_us_per_event": round(middle.fold_seconds / events * 1e6, 1),
        "flush_and_commit_us_per_event": round(middle.flush_seconds / events * 1e6, 1),
        "of_which_commit_us_per_event": round(middle.commit_seconds / events * 1e6, 1),
        "runs_seconds": [round(r.seconds, 3) for r in runs],
        **extra,
    }


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(
        abs(float(x) - float(b[acc][k])) <= 1e-9 * max(1.0, abs(float(x)))
        for acc, features in a.items()
        for k, x in features.items()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100, help="events per transaction (batched)")
    parser.add_argument("--postgres", default=None, help="a database URL to add PostgreSQL rows")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/warden-bench-counters"))
    parser.add_argument("--quick", action="store_true", help="a small run (tests use it)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "counters.json")
    args = parser.parse_args()
    if args.quick:
        args.events, args.accounts, args.repeat = QUICK["events"], QUICK["accounts"], 1
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, honestly
    args.workdir.mkdir(parents=True, exist_ok=True)
    events = stream(args.events, args.accounts)

    backends: dict[str, Callable[[], Any]] = {"sqlite": lambda: sqlite_engine(args.workdir)}
    if args.postgres:
        backends["postgres"] = lambda: postgres_engine(args.postgres)
    runs: dict[str, list[Run]] = {"memory": []}
    loads: dict[str, list[float]] = {}
    rows: dict[str, int] = {}
    reloaded_same: dict[str, bool] = {}
    for _ in range(args.repeat):  # interleaved: a round's runs share the machine's load
        memory = run(events, MemoryCounters(), None)
        runs["memory"].append(memory)
        for backend, open_engine in backends.items():
            for mode, batch in (("per_event", 1), ("batched", args.batch)):
                with open_engine() as engine:
                    result, load_s, n, reloaded = persisted(events, engine, batch)
                name = f"{backend}_{mode}"
                runs.setdefault(name, []).append(result)
                loads.setdefault(name, []).append(load_s)
                rows[name] = n
                reloaded_same[name] = reloaded_same.get(name, True) and (
                    same(result.features, memory.features) and same(reloaded, memory.features)
                )
    shutil.rmtree(args.workdir, ignore_errors=True)

    table = [summary("memory", runs["memory"], len(events), {})]
    for name in runs:
        if name == "memory":
            continue
        table.append(
            summary(
                name,
                runs[name],
                len(events),
                {
                    "batch": 1 if name.endswith("per_event") else args.batch,
                    "rows_stored": rows[name],
                    "load_seconds": round(statistics.median(loads[name]), 3),
                    "same_features": reloaded_same[name],
                },
            )
        )
    memory_rate = table[0]["events_per_second"]
    for entry in table[1:]:
        entry["share_of_memory"] = round(entry["events_per_second"] / memory_rate, 3)
    result = {
        "benchmark": "counters",
        "input": {
            "events": len(events),
            "accounts": args.accounts,
            "categories": len(CATEGORIES),
            "repeat": args.repeat,
            "event_time_days": round((events[-1][0].ts - T0).total_seconds() / 86400, 2),
        },
        "rows": table,
        "targets": TARGET,
        "commit": commit(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "pinned_to_one_core": hasattr(os, "sched_setaffinity")},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    parts = ", ".join(
        f"{e['row']} {e['events_per_second']:,} ev/s"
        + (
            f" (flush {e['flush_and_commit_us_per_event'] - e['of_which_commit_us_per_event']:.0f}"
            f" + commit {e['of_which_commit_us_per_event']:.0f} us/event)"
            if e["row"] != "memory"
            else ""
        )
        for e in table
    )
    consistent = all(e.get("same_features", True) for e in table)
    asked = len(FeatureFolder(MemoryCounters(), CATEGORIES).features("u0", T0))
    print(
        f"counters: {len(events):,} events, fold + {asked} features per touched account: "
        f"{parts}; reloaded features equal memory's: {consistent} -> {args.out}"
    )
    return 0 if consistent else 1


if __name__ == "__main__":
    sys.exit(main())
