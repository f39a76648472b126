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
    assert first.total("a:msgs", T0 + timedelta(seconds=2), timedelta(hours=1)) == 1
    second.push()  # writes are buffered until the writer's next read or push
    assert first.total("a:msgs", T0 + timedelta(seconds=2), timedelta(hours=1)) == 2


def test_features_from_redis_in_one_round_trip_equal_memorys(redis_url: str) -> None:
    """The sample day folded into Redis and into memory: every account's features, asked
    through the batched reads (record, one pipeline, replay), equal memory's after every
    event — and Redis answers in a few round trips per event, not one per feature."""
    from pathlib import Path

    from warden.accounts.features import FeatureFolder
    from warden.cli.sample_day import scenario
    from warden.detect.screener import Screener
    from warden.domain.events import parse_event
    from warden.policy import load_pack

    pack = load_pack(Path(__file__).resolve().parents[2] / "policies" / "default.yaml")
    screener = Screener.from_lexicons()
    redis_counters = RedisCounters.from_url(redis_url, namespace="features")
    sent: list[int] = []
    execute = redis_counters._writes.execute

    def counting_execute(*args: object, **kwargs: object) -> object:
        sent.append(1)
        return execute(*args, **kwargs)

    redis_counters._writes.execute = counting_execute  # type: ignore[method-assign]
    in_redis = FeatureFolder(redis_counters, pack.categories)
    in_memory = FeatureFolder(MemoryCounters(), pack.categories)
    events = sorted((parse_event(e) for e in scenario()), key=lambda e: e.ts)
    for event in events:
        verdicts = screener.screen(list(event.texts().values()))
        touched = in_redis.fold(event, verdicts)
        assert touched == in_memory.fold(event, verdicts)
        for account in sorted(touched):
            shared = in_redis.features(account, event.ts)
            own = in_memory.features(account, event.ts)
            assert shared.keys() == own.keys()
            for name, value in own.items():  # Redis sums in another order: float noise
                assert shared[name] == pytest.approx(value, rel=1e-9), (account, name)
    assert len(sent) < 6 * len(events)  # features alone ask ~45 questions per account
