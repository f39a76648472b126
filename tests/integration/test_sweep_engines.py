"""Both engines give the same sweep: the same rings and the same actions, on the same input.

Spark runs in local mode (a real JVM and real Python workers). PySpark is the optional
``spark`` extra; without it these tests skip — or fail in CI, where it is required.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from sweepdata import POLICY, action_rows, ring_scenario, write_jsonl

from warden.detect.screener import Screener
from warden.sweep.local import LocalEngine
from warden.sweep.pipeline import SweepOptions, run_sweep
from warden.sweep.rings import local_components

pytestmark = pytest.mark.slow

try:
    from warden.sweep.spark import SparkEngine
except ImportError as exc:  # pragma: no cover - depends on the extra being installed
    if os.environ.get("WARDEN_REQUIRE_SERVICES") == "1":
        raise
    pytest.skip(f"PySpark is not installed: {exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    engine = SparkEngine("local[2]")
    yield engine
    engine.stop()


def partition(labels: dict[str, int | str]) -> set[frozenset[str]]:
    groups: dict[int | str, set[str]] = {}
    for account, label in labels.items():
        groups.setdefault(label, set()).add(account)
    return {frozenset(g) for g in groups.values()}


def test_large_star_small_star_agrees_with_scipy_on_awkward_graphs(spark: SparkEngine) -> None:
    # a long chain (deep), a star (wide), pairs, and accounts linked only through entities
    chain = [(f"c{i}", f"e:chain{i}") for i in range(40)] + [
        (f"c{i + 1}", f"e:chain{i}") for i in range(40)
    ]
    star = [(f"s{i}", "e:hub") for i in range(25)]
    pairs = [(f"p{i}", f"e:pair{i // 2}") for i in range(10)]
    rows = chain + star + pairs
    table = pa.table({"account_id": [a for a, _ in rows], "entity": [e for _, e in rows]})
    assert partition(spark.components(table)) == partition(local_components(table))
    assert len(partition(local_components(table))) == 1 + 1 + 5


def test_local_and_spark_sweeps_agree(spark: SparkEngine, tmp_path: Path) -> None:
    events = write_jsonl(tmp_path / "day.jsonl", ring_scenario())
    screener = Screener.from_lexicons()
    results = {}
    for name, engine in (("local", LocalEngine(screener)), ("spark", spark)):
        options = SweepOptions(
            events=events, policy=POLICY, out=tmp_path / name, campaign="thunder-strike", workers=3
        )
        results[name] = run_sweep(options, engine, store=None)
    local, distributed = results["local"], results["spark"]
    assert action_rows(local.outcome.records) == action_rows(distributed.outcome.records)
    assert [r.members for r in local.rings.rings] == [r.members for r in distributed.rings.rings]
    assert local.rings.features == distributed.rings.features
    assert local.counts | {"engine": ""} == distributed.counts | {"engine": ""}
    assert local.outcome.records
