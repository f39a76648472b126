"""SqlCounters: the same answers as MemoryCounters after a round trip through the database,
and counter changes that commit with their transaction or not at all (SQLite and PostgreSQL).
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from warden.accounts.counters import MemoryCounters, Windows
from warden.accounts.sql_counters import BUCKETS, PRUNE_KEY, VALUES, SqlCounters
from warden.store import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
HOUR, DAY, WEEK, MONTH = timedelta(hours=1), timedelta(days=1), timedelta(days=7), timedelta(30)
WINDOWS: list[Windows] = [None, (HOUR,), (DAY,), (WEEK,), (MONTH,), (HOUR, DAY)]
KEYS = [f"u{i}:{name}" for i in range(4) for name in ("msgs", "score", "recipients")]
MEMBERS = [f"m{i}" for i in range(12)]
#: windows asked, and moments relative to the newest event: within every bucket size's
#: retention slack, where an answer cannot depend on when pruning last ran
ASKED = [timedelta(minutes=10), HOUR, timedelta(hours=6), DAY, WEEK, MONTH]
OFFSETS = [timedelta(minutes=-30), timedelta(0), timedelta(minutes=7), HOUR, DAY]


@dataclass
class Workload:
    """A seeded sequence of counter writes, mostly forward in event time, some late."""

    seed: int
    at: datetime = T0
    newest: datetime = T0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def apply(self, steps: int, *counters: MemoryCounters) -> None:
        """``steps`` writes, the same to each of ``counters``."""
        rng = self.rng
        for _ in range(steps):
            if rng.random() < 0.1:
                self.at -= timedelta(minutes=rng.randint(1, 120))  # a late event
            else:
                self.at += timedelta(seconds=rng.randint(0, 2400))
            self.newest = max(self.newest, self.at)
            key, windows, member = rng.choice(KEYS), rng.choice(WINDOWS), rng.choice(MEMBERS)
            op, amount, score = rng.random(), round(rng.uniform(0, 3), 3), round(rng.random(), 4)
            for c in counters:
                if op < 0.35:
                    c.add(key, self.at, amount, windows)
                elif op < 0.6:
                    c.add_distinct(key, member, self.at, windows)
                elif op < 0.8:
                    c.keep_max(key, self.at, score, windows)
                elif op < 0.9:
                    c.put(key, f"{self.at.isoformat()}|{score}")
                else:
                    c.remember(key, member, MONTH)

    def answers(self, counters: MemoryCounters) -> list[Any]:
        out: list[Any] = []
        for key in KEYS:
            for offset in OFFSETS:
                at = self.newest + offset
                for window in ASKED:
                    out.append(
                        (
                            key,
                            offset,
                            window,
                            round(counters.total(key, at, window), 6),  # summed in any order
                            counters.distinct(key, at, window),
                            counters.maximum(key, at, window),
                        )
                    )
            out.append((key, counters.get(key)))
        return out


def remembered(counters: MemoryCounters) -> list[bool]:
    """Whether each (key, member) was new — asked of both, so it changes both alike."""
    return [counters.remember(key, member, MONTH) for key in KEYS for member in MEMBERS]


def commit(counters: SqlCounters, engine: Engine) -> None:
    with Session(engine) as session:
        counters.flush(session)
        session.commit()


def table(bind: Engine | Session) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Every row of both tables (set members sorted), committed or in ``bind``'s transaction."""
    if isinstance(bind, Engine):
        with Session(bind) as session:
            return table(session)
    buckets = {
        (kind, key, size, bucket, value, tuple(sorted(members or ())))
        for kind, key, size, bucket, value, members in bind.execute(select(BUCKETS))
    }
    return buckets, {tuple(row) for row in bind.execute(select(VALUES))}


def state(counters: MemoryCounters) -> dict[str, Any]:
    """The whole in-memory state, copied (for before/after comparisons)."""
    return copy.deepcopy(
        {
            "sums": {slot: dict(b) for slot, b in counters._sums.items() if b},
            "maxes": {slot: dict(b) for slot, b in counters._maxes.items() if b},
            "sets": {slot: dict(b) for slot, b in counters._sets.items() if b},
            "remembered": {key: dict(s) for key, s in counters._remembered.items() if s},
            "values": dict(counters._values),
            "newest": counters._newest,
        }
    )


def memory_rows(counters: MemoryCounters) -> set[tuple[Any, ...]]:
    """The counter_buckets rows that ``counters``' memory amounts to."""
    rows: set[tuple[Any, ...]] = set()
    for kind, store in (("sum", counters._sums), ("max", counters._maxes)):
        for (key, size), buckets in store.items():
            rows |= {(kind, key, size, b, v, ()) for b, v in buckets.items()}
    for (key, size), sets in counters._sets.items():
        rows |= {("set", key, size, b, float(len(m)), tuple(sorted(m))) for b, m in sets.items()}
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_round_trip_gives_memory_answers(engine: Engine, seed: int) -> None:
    """Three days of random writes (so pruning runs), flushed in chunks, reloaded into a
    fresh SqlCounters: the same answers as MemoryCounters; the table holds what memory
    holds; then both go on from the reloaded state and still agree."""
    workload, memory, stored = Workload(seed), MemoryCounters(), SqlCounters.load(engine)
    for _ in range(6):
        workload.apply(40, memory, stored)
        commit(stored, engine)
        assert table(engine)[0] == memory_rows(stored)
    assert workload.newest - T0 > timedelta(hours=6)  # pruning ran
    with Session(engine) as session:  # sums and maxima keep no members (SQL NULL)
        numeric = select(func.count()).where(BUCKETS.c.kind != "set")
        assert session.scalar(numeric.where(BUCKETS.c.members.is_(None))) == session.scalar(
            numeric.select_from(BUCKETS)
        )

    reloaded = SqlCounters.load(engine)
    assert workload.answers(reloaded) == workload.answers(memory)
    assert remembered(reloaded) == remembered(memory)
    commit(reloaded, engine)

    workload.apply(150, memory, reloaded)
    commit(reloaded, engine)
    again = SqlCounters.load(engine)
    assert workload.answers(again) == workload.answers(memory)
    assert workload.answers(reloaded) == workload.answers(memory)
    assert remembered(again) == remembered(memory)


def test_an_empty_database_gives_empty_counters(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    assert counters.total("a:msgs", T0, HOUR) == 0.0
    assert counters.get("a:created") is None
    commit(counters, engine)
    assert table(engine) == (set(), set())


def test_discard_restores_the_last_committed_state(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    Workload(7).apply(120, counters)
    commit(counters, engine)
    before, rows = state(counters), table(engine)

    workload = Workload(8, at=T0 + timedelta(days=3))  # far ahead: pruning runs too
    workload.apply(120, counters)
    counters.put("new:key", "x")
    counters.remember("u0:msgs", "someone-new", MONTH)
    assert state(counters) != before
    counters.discard()
    assert state(counters) == before
    assert table(engine) == rows
    commit(counters, engine)  # nothing left to write
    assert table(engine) == rows


def test_a_rolled_back_flush_changes_neither_table_nor_memory(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    Workload(11).apply(100, counters)
    commit(counters, engine)
    before, rows = state(counters), table(engine)

    Workload(12, at=T0 + timedelta(days=2)).apply(100, counters)
    with Session(engine) as session:
        counters.flush(session)
        assert table(session) != rows  # the changes are in the transaction...
        session.rollback()  # ...and the transaction goes
    assert table(engine) == rows
    assert state(counters) == before  # restored when the transaction ended
    counters.discard()  # and discarding again changes nothing
    assert state(counters) == before
    assert SqlCounters.load(engine).get("u0:msgs") == counters.get("u0:msgs")


def test_changes_made_after_a_flush_go_with_its_rollback(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    with Session(engine) as session:
        counters.add("a:msgs", T0)
        counters.flush(session)
        counters.add("a:msgs", T0)
        counters.flush(session)  # the same buckets again, in the same transaction
        counters.add("a:msgs", T0)
        counters.put("a:created", T0.isoformat())
        session.rollback()
    assert counters.total("a:msgs", T0, HOUR) == 0.0
    assert counters.get("a:created") is None


def test_a_session_closed_without_commit_is_a_rollback(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    session = Session(engine)
    counters.add("a:msgs", T0)
    counters.flush(session)
    session.close()
    assert counters.total("a:msgs", T0, HOUR) == 0.0
    assert table(engine) == (set(), set())


def test_committed_changes_survive_discard(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    with Session(engine) as session:
        counters.add("a:msgs", T0)
        counters.flush(session)
        counters.add("a:msgs", T0)  # flushed twice into one transaction
        counters.flush(session)
        session.commit()
        session.rollback()  # after the commit: nothing to roll back
    counters.add("a:msgs", T0)  # not flushed: discard forgets only this one
    counters.discard()
    assert counters.total("a:msgs", T0, HOUR) == 2.0
    assert SqlCounters.load(engine).total("a:msgs", T0, HOUR) == 2.0


def test_counters_commit_with_the_events_idempotency_mark(engine: Engine) -> None:
    """The decision path's shape: mark, fold, flush, commit in one unit of work. A failure
    before the commit loses the mark and the counts together; the retry counts once."""
    counters = SqlCounters.load(engine)

    def process(fail: bool) -> bool:
        with UnitOfWork(engine) as uow:
            if not uow.events_seen.mark("e1", "u1", "message", T0, T0):
                return False
            counters.add("u1:msgs", T0, windows=(HOUR,))
            counters.add_distinct("u1:recipients", "u2", T0, windows=(DAY,))
            counters.flush(uow.session)
            if fail:
                raise RuntimeError("crash before commit")
            uow.commit()
        return True

    with pytest.raises(RuntimeError, match="crash before commit"):
        process(fail=True)
    assert counters.total("u1:msgs", T0, HOUR) == 0.0
    assert table(engine) == (set(), set())
    assert process(fail=False)
    assert not process(fail=False)  # a duplicate: neither marked nor counted again
    for seen in (counters, SqlCounters.load(engine)):
        assert seen.total("u1:msgs", T0, HOUR) == 1.0
        assert seen.distinct("u1:recipients", T0, DAY) == 1


def test_one_transaction_at_a_time(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    with Session(engine) as first:
        counters.add("a:msgs", T0)
        counters.flush(first)
        with Session(engine) as second, pytest.raises(RuntimeError, match="another transaction"):
            counters.flush(second)
        first.commit()
    with Session(engine) as session:
        session.begin_nested()
        with pytest.raises(RuntimeError, match="SAVEPOINT"):
            counters.flush(session)


def test_pruning_deletes_old_buckets_and_expired_members(engine: Engine) -> None:
    counters = SqlCounters.load(engine)
    counters.add("a:msgs", T0)
    counters.remember("a:reporters", "gone", timedelta(seconds=-1))
    counters.remember("a:reporters", "kept", MONTH)
    commit(counters, engine)
    assert len(table(engine)[0]) == 3
    assert len([row for row in table(engine)[1] if row[0] != PRUNE_KEY]) == 2

    later = T0 + timedelta(days=40)  # past every retention
    counters.add("a:msgs", later)
    commit(counters, engine)
    buckets, values = table(engine)
    assert {row[3] for row in buckets} == {
        int(later.timestamp()) // size for size in (60, 3600, 86400)
    }
    assert [row[1] for row in values if row[0] != PRUNE_KEY] == ["kept"]
    # the moment of the prune is kept: a load drops exactly what memory dropped
    assert (PRUNE_KEY, str(int(later.timestamp())), None) in values
    assert SqlCounters.load(engine).total("a:msgs", later, MONTH) == 1.0


def test_a_load_keeps_what_memory_keeps_when_events_come_out_of_order(engine: Engine) -> None:
    """Memory prunes every six hours of event time; buckets older than the newest by more
    than their retention stay until then, and a late event still reads them. A reload must
    hold the same (it once filtered by the newest bucket and lost them)."""
    counters = SqlCounters.load(engine)
    counters.add("a:msgs", T0)
    counters.add("b:msgs", T0 + timedelta(hours=5))  # newer, but no prune is due yet
    commit(counters, engine)
    assert SqlCounters.load(engine).total("a:msgs", T0, HOUR) == 1.0
    assert state(SqlCounters.load(engine)) == state(counters)


@pytest.mark.slow
def test_benchmark_quick_run(tmp_path: Path) -> None:
    """``bench/counters.py --quick`` runs, and its persisted rows read back as memory's."""
    out = tmp_path / "counters.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "counters.py"), "--quick",
         "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("counters: 3,000 events, fold + 51 features")
    rows = {row["row"]: row for row in json.loads(out.read_text(encoding="utf-8"))["rows"]}
    assert set(rows) == {"memory", "sqlite_per_event", "sqlite_batched"}
    for name in ("sqlite_per_event", "sqlite_batched"):
        assert rows[name]["same_features"], name
        assert rows[name]["rows_stored"] > 3000, name
        assert rows[name]["events_per_second"] > 0, name
