"""The two content logs answer alike: what online ingestion and a sweep put in evidence."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from warden.accounts.content import (
    KEPT,
    Contribution,
    CountersContentLog,
    ListContentLog,
    read_back,
    recent,
)
from warden.accounts.counters import MemoryCounters

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def test_counters_and_lists_keep_the_same_week() -> None:
    rng = random.Random(3)
    online, sweep = CountersContentLog(MemoryCounters()), ListContentLog()
    at = T0
    for n in range(400):
        at += timedelta(minutes=rng.choice([1, 30, 600, 3000]))
        item = Contribution(rng.choice(["fraud", "spam"]), f"e{n}", at.timestamp(), 0.9, 0.9)
        account = rng.choice(["a", "b"])
        online.add(account, item)
        sweep.add(account, item)
        for who in ("a", "b"):
            asked = at + timedelta(minutes=rng.choice([0, 5, 9000]))
            assert online.recent(who, asked, ["fraud"]) == sweep.recent(who, asked, ["fraud"])
    both = sweep.recent("a", at, ["fraud", "spam"])
    assert both == sorted(both, key=lambda c: c.ts)
    assert all(at - timedelta(days=7) < datetime.fromtimestamp(c.ts, UTC) <= at for c in both)


def test_a_busy_account_keeps_its_latest_messages_and_the_log_reads_back() -> None:
    log = ListContentLog()
    for n in range(KEPT + 20):
        moment = (T0 + timedelta(minutes=n)).timestamp()
        log.add("a", Contribution("fraud", f"e{n}", moment, 0.9, 0.9))
    kept = log.recent("a", T0 + timedelta(hours=3), ["fraud"])
    assert [c.event_id for c in kept] == [f"e{n}" for n in range(20, KEPT + 20)]
    columns = log.columns(lambda account: True)
    rows = [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]
    rows.reverse()  # shards come back in any order; positions restore it
    assert read_back(rows)["a"] == log._items["a"]
    assert (
        recent(read_back(rows)["a"][:10], T0 + timedelta(hours=3), ["fraud"])[-1].event_id == "e9"
    )


def test_a_shard_reports_only_its_own_accounts_and_keeps_their_bounds() -> None:
    """A payment is folded on the payer's and on the payee's shard; its memo counts for the
    payee, and only the payee's shard may report it, or the sweep's evidence would list it
    twice."""
    ceilings: dict[str, dict[str, float]] = defaultdict(dict)
    log = ListContentLog(ceilings)
    log.add("payee", Contribution("fraud", "p1", T0.timestamp(), 0.9, 0.45))
    log.add("payee", Contribution("fraud", "p2", T0.timestamp(), 0.9, 0.45))
    assert log.columns(lambda account: account != "payee") == {}
    assert log.columns(lambda account: account == "payee")["event_id"] == ["p1", "p2"]
    assert ceilings["payee"]["intent.fraud"] >= 0.9  # never below the 7-day sum
