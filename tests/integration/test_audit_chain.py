"""The stored audit chain on both databases: it verifies, and every kind of tampering is named."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, text

from warden.audit.chain import GENESIS_HASH, Problem, seal
from warden.audit.log import AuditLog, verify
from warden.store import UnitOfWork
from warden.store.schema import AuditRow

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def _fill(engine: Engine, n: int = 6) -> None:
    with UnitOfWork(engine) as uow:
        uow.audit.append("policy_load", "2026.06.1", {"sha256": "ab" * 32}, actor="ops", at=T0)
        for i in range(1, n):
            uow.audit.append(
                "action",
                f"acc-{i}",
                {"type": "lock", "rule_ids": ["ss.escort_ad"], "confidence": 0.9, "note": "包夜"},
                actor="warden",
                at=T0 + timedelta(seconds=i, microseconds=i),
            )
        uow.commit()


def _sql(engine: Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_an_untouched_chain_verifies(engine: Engine) -> None:
    assert verify(engine).ok
    assert verify(engine).count == 0
    _fill(engine)
    result = verify(engine)
    assert result.ok, result.describe()
    assert (result.count, result.head_seq) == (6, 6)
    with UnitOfWork(engine) as uow:
        records = list(uow.audit.records(page=4))  # crosses a page boundary
        assert uow.audit.head() == (6, result.head_hash)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5, 6]
    assert records[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert records[2].payload["note"] == "包夜"
    assert records[2].at == T0 + timedelta(seconds=2, microseconds=2)


def _renumber_from(engine: Engine, seq: int, delta: int) -> None:
    _sql(
        engine,
        f"UPDATE audit_log SET seq = -seq WHERE seq >= {seq}",
        f"UPDATE audit_log SET seq = -seq + {delta} WHERE seq < 0",
    )


def _changed(engine: Engine) -> None:
    _sql(engine, """UPDATE audit_log SET payload = '{"type": "warn"}' WHERE seq = 3""")


def _changed_with_new_hash(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        [original] = [r for r in uow.audit.records() if r.seq == 3]
    forged = seal(3, original.at, original.actor, original.kind, "acc-x", {}, original.prev_hash)
    _sql(
        engine,
        f"UPDATE audit_log SET subject = 'acc-x', payload = '{{}}', hash = '{forged.hash}' "
        "WHERE seq = 3",
    )


def _deleted(engine: Engine) -> None:
    _sql(engine, "DELETE FROM audit_log WHERE seq = 3")


def _deleted_and_renumbered(engine: Engine) -> None:
    _sql(engine, "DELETE FROM audit_log WHERE seq = 3")
    _renumber_from(engine, 4, -1)


def _inserted(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        [before] = [r for r in uow.audit.records() if r.seq == 2]
    _renumber_from(engine, 3, 1)
    forged = seal(3, before.at, "warden", "reversal", "acc-1", {"why": "forged"}, before.hash)
    with engine.begin() as connection:
        connection.execute(
            insert(AuditRow).values(
                seq=forged.seq,
                at=forged.at,
                actor=forged.actor,
                kind=forged.kind,
                subject=forged.subject,
                payload=forged.payload,
                prev_hash=forged.prev_hash,
                hash=forged.hash,
            )
        )


def _swapped(engine: Engine) -> None:
    _sql(
        engine,
        "UPDATE audit_log SET seq = -3 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = -3",
    )


@pytest.mark.parametrize(
    ("tamper", "problem", "bad_seq", "words"),
    [
        (_changed, Problem.CHANGED, 3, "does not match its hash"),
        (_changed_with_new_hash, Problem.CHANGED, 3, "rewritten together with its hash"),
        (_deleted, Problem.DELETED, 3, "seq 3 missing"),
        (_deleted_and_renumbered, Problem.DELETED, 3, "was seq 4"),
        (_inserted, Problem.INSERTED, 3, "seq 3 was inserted"),
        (_swapped, Problem.REORDERED, 3, "comes after it"),
    ],
    ids=["changed", "changed-rehashed", "deleted", "deleted-renumbered", "inserted", "swapped"],
)
def test_tampering_is_caught_and_named(
    engine: Engine,
    tamper: Callable[[Engine], None],
    problem: Problem,
    bad_seq: int,
    words: str,
) -> None:
    _fill(engine)
    tamper(engine)
    result = verify(engine)
    assert not result.ok
    assert (result.problem, result.bad_seq) == (problem, bad_seq), result.describe()
    assert words in result.detail
    assert result.count == 2
    assert result.head_seq == 2


def test_appends_inside_a_rolled_back_unit_leave_no_gap(engine: Engine) -> None:
    _fill(engine, 2)
    with UnitOfWork(engine) as uow:
        uow.audit.append("action", "acc-9", {}, actor="warden")
    with UnitOfWork(engine) as uow:
        record = uow.audit.append("action", "acc-9", {}, actor="warden")
        uow.commit()
    assert record.seq == 3
    assert verify(engine).ok


def test_concurrent_writers_keep_the_chain_gapless(engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                with UnitOfWork(engine) as uow:
                    uow.audit.append("action", f"acc-{n}", {"i": i}, actor=f"worker-{n}")
                    uow.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    result = verify(engine)
    assert result.ok, result.describe()
    assert result.count == 32


def test_verify_accepts_an_open_session(engine: Engine) -> None:
    _fill(engine, 3)
    with UnitOfWork(engine) as uow:
        assert verify(uow.session).count == 3
        assert AuditLog(uow.session).find("f" * 64) is None


def test_verifying_does_not_wait_for_a_writer(engine: Engine) -> None:
    _fill(engine, 2)
    with UnitOfWork(engine) as writer:
        writer.audit.append("action", "acc-9", {}, actor="warden")  # holds the chain lock
        started = time.monotonic()
        result = verify(engine)  # sees the committed records only
        assert time.monotonic() - started < 5
        writer.commit()
    assert result.ok
    assert result.count == 2
    assert verify(engine).count == 3
