"""Both counter backends give the same windowed numbers (Redis for real, not a fake)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from warden.accounts.counters import Counters, MemoryCounters
from warden.accounts.redis_counters import RedisCounters

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "redis"])
def counters(request: pytest.FixtureRequest) -> Iterator[Counters]:
    if request.param == "memory":
        yield MemoryCounters()
    else:
        yield RedisCounters.from_url(request.getfixturevalue("redis_url"), namespace="t")


def test_sums_slide_with_event_time(counters: Counters) -> None:
    for minute in range(90):
        counters.add("a:msgs", T0 + timedelta(minutes=minute))
    end = T0 + timedelta(minutes=89)
    assert counters.total("a:msgs", end, timedelta(hours=1)) == 60
    assert counters.total("a:msgs", end, timedelta(days=1)) == 90
    assert counters.total("a:msgs", end + timedelta(days=2), timedelta(days=1)) == 0
    assert counters.total("b:msgs", end, timedelta(hours=1)) == 0


def test_distinct_counts_members_once(counters: Counters) -> None:
    for i in range(200):
        counters.add_distinct("a:recipients", f"user{i % 50}", T0 + timedelta(seconds=i))
    assert counters.distinct("a:recipients", T0 + timedelta(minutes=5), timedelta(days=1)) == 50


def test_maximum_over_a_window(counters: Counters) -> None:
    counters.keep_max("a:score", T0, 0.4)
    counters.keep_max("a:score", T0 + timedelta(days=1), 0.9)
    counters.keep_max("a:score", T0 + timedelta(days=1, hours=1), 0.2)
    assert counters.maximum("a:score", T0 + timedelta(days=2), timedelta(days=7)) == pytest.approx(
        0.9
    )
    assert counters.maximum("a:score", T0 + timedelta(days=10), timedelta(days=7)) == 0.0


def test_remember_deduplicates(counters: Counters) -> None:
    assert counters.remember("t:reporters", "r1", timedelta(days=30))
    assert not counters.remember("t:reporters", "r1", timedelta(days=30))
    assert counters.remember("t:reporters", "r2", timedelta(days=30))


def test_values(counters: Counters) -> None:
    assert counters.get("a:created") is None
    counters.put("a:created", T0.isoformat())
    assert counters.get("a:created") == T0.isoformat()


def test_two_workers_share_redis_state(redis_url: str) -> None:
    first = RedisCounters.from_url(redis_url, namespace="shared")
    second = RedisCounters.from_url(redis_url, namespace="shared")
    first.add("a:msgs", T0)
    second.add("a:msgs", T0 + timedelta(seconds=1))
    assert first.total("a:msgs", T0 + timedelta(seconds=2), timedelta(hours=1)) == 2
