"""The SQL outbox: per-account sequence, delivery order, retries and dead messages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from warden.enforce.webhooks import OutboxPort, deliver_due
from warden.store import UnitOfWork
from warden.store.schema import OutboxRow

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def _queue(engine: Engine, *messages: tuple[str, str]) -> list[int]:
    with UnitOfWork(engine) as uow:
        ids = [
            uow.outbox.add(account, {"account_id": account, "op": op}, T0)
            for account, op in messages
        ]
        uow.commit()
    return ids


def test_seq_counts_per_account(engine: Engine) -> None:
    _queue(engine, ("a", "warn"), ("b", "lock"), ("a", "lock"), ("a", "close"))
    with UnitOfWork(engine) as uow:
        due = uow.outbox.due(T0, limit=10)
    assert [(m.account_id, m.seq, m.payload["op"]) for m in due] == [
        ("a", 1, "warn"),
        ("a", 2, "lock"),
        ("a", 3, "close"),
        ("b", 1, "lock"),
    ]


def test_concurrent_writers_get_distinct_seqs(engine: Engine) -> None:
    def writer(n: int) -> None:
        for i in range(5):
            with UnitOfWork(engine) as uow:
                uow.outbox.add("hot", {"writer": n, "i": i}, T0)
                uow.commit()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with UnitOfWork(engine) as uow:
        seqs = uow.session.scalars(select(OutboxRow.seq).order_by(OutboxRow.seq)).all()
    assert list(seqs) == list(range(1, 21))


def test_a_failed_message_holds_back_its_account_until_retried(engine: Engine) -> None:
    lock_a, close_a, lock_b = _queue(engine, ("a", "lock"), ("a", "close"), ("b", "lock"))
    with UnitOfWork(engine) as uow:
        uow.outbox.mark_failed(lock_a, "HTTP 503", T0 + timedelta(minutes=5), dead=False)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert [m.id for m in uow.outbox.due(T0, 10)] == [lock_b]  # close_a waits for lock_a
        later = uow.outbox.due(T0 + timedelta(minutes=5), 10)
        assert [(m.id, m.attempts) for m in later] == [(lock_a, 1), (close_a, 0), (lock_b, 0)]
        uow.outbox.mark_failed(lock_a, "HTTP 503", T0, dead=True)
        assert [m.id for m in uow.outbox.due(T0 + timedelta(hours=1), 10)] == [lock_b]
        uow.outbox.retry(lock_a, T0 + timedelta(hours=1))
        uow.outbox.mark_delivered(lock_b, T0)
        assert [m.id for m in uow.outbox.due(T0 + timedelta(hours=1), 10)] == [lock_a, close_a]


def test_deliver_due_drains_the_sql_outbox_in_order(engine: Engine) -> None:
    _queue(engine, ("a", "lock"), ("a", "close"), ("b", "warn"))
    sent: list[tuple[str, str]] = []
    failing = {"b"}

    def post(body: bytes, headers: dict[str, str]) -> int:
        import orjson

        payload = orjson.loads(body)
        if payload["account_id"] in failing:
            return 503
        sent.append((payload["account_id"], payload["op"]))
        return 204

    with UnitOfWork(engine) as uow:
        port: OutboxPort = uow.outbox
        report = deliver_due(port, post, "secret", now=T0)
        uow.commit()
    assert sent == [("a", "lock"), ("a", "close")]
    assert len(report.delivered) == 2
    assert len(report.failed) == 1
    failing.clear()
    with UnitOfWork(engine) as uow:
        assert uow.outbox.due(T0, 10) == []  # b backs off
        report = deliver_due(uow.outbox, post, "secret", now=T0 + timedelta(minutes=1))
        uow.commit()
    assert sent[-1] == ("b", "warn")
    assert len(report.delivered) == 1
