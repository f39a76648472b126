"""The Spark engine: the same shards and the same rings, on a cluster (or ``local[*]``).

* **Shards** — the event table goes to Spark as Arrow; each row is routed to the shards of
  the accounts it touches (``warden.sweep.table.shard_columns``, the same stable hash as the
  local engine), and ``groupBy(shard).applyInArrow`` runs
  :func:`warden.sweep.shard.run_shard` on each shard's rows, sorted into replay order. Each
  task writes its tables as Parquet into the sweep's work folder — on a cluster that folder
  must be on storage every executor and the driver can reach — and returns a one-row
  summary. Executors build the screener once per Python worker (cached by policy path).
* **Rings** — connected components by the large-star / small-star algorithm (Kiveris et
  al., "Connected Components in MapReduce and Beyond", SoCC 2014) on Spark DataFrames:
  alternate the two operations until the edge set stops changing; every node then points
  at its component's smallest id. Guards, scores and evidence are
  :mod:`warden.sweep.rings`' — the same code as the local engine, so both report the same
  rings (``tests/integration/test_sweep_engines.py``).

PySpark is an optional extra: ``pip install 'warden[spark]'``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from warden.sweep.local import write_shard
from warden.sweep.pipeline import ProgressFn, ShardJob
from warden.sweep.shard import run_shard
from warden.sweep.table import routed_to

_SCREENERS: dict[str, Any] = {}
MAX_ROUNDS = 64


class SparkEngine:
    """Runs the shards as Spark tasks and finds rings with large-star/small-star."""

    name = "spark"

    def __init__(self, master: str = "local[*]", session: SparkSession | None = None) -> None:
        self.master = master
        self._session = session
        # Executors on this machine run this interpreter (the one with warden installed);
        # on a cluster, set PYSPARK_PYTHON to the executors' own.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            self._session = (
                SparkSession.builder.master(self.master)
                .appName("warden-sweep")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.driver.memory", "4g")
                .getOrCreate()
            )
            self._session.sparkContext.setLogLevel("ERROR")
        return self._session

    def run_shards(self, table: pa.Table, job: ShardJob, progress: ProgressFn) -> None:
        routed = _routed(table, job.shards)
        frame = self.session.createDataFrame(routed)
        progress("screen_and_fold", 0, table.num_rows)

        def shard_task(rows: pa.Table) -> pa.Table:
            shard = int(rows.column("_shard")[0].as_py())
            rows = rows.drop_columns(["_shard"]).sort_by([("_seq", "ascending")])
            output = run_shard(
                rows,
                shard,
                job.shards,
                _screener(str(job.policy)),
                job.categories,
                job.since,
                gate=job.gate,
                media=job.media,
            )
            write_shard(output.tables(), job.work, shard)
            return pa.table({"shard": [shard], "events": [output.events]})

        frame.groupBy("_shard").applyInArrow(shard_task, "shard long, events long").collect()
        progress("screen_and_fold", table.num_rows, table.num_rows)

    def components(self, pairs: pa.Table) -> dict[str, int | str]:
        accounts = pairs.column("account_id").to_pylist()
        entities = pairs.column("entity").to_pylist()
        ids: dict[str, int] = {}
        for name in sorted(set(accounts)):
            ids["a\0" + name] = len(ids)
        for name in sorted(set(entities)):
            ids["e\0" + name] = len(ids)
        edges = pa.table(
            {
                "src": pa.array([ids["a\0" + a] for a in accounts], pa.int64()),
                "dst": pa.array([ids["e\0" + e] for e in entities], pa.int64()),
            }
        )
        labels = large_star_small_star(self.session.createDataFrame(edges))
        label_of = {int(row["node"]): int(row["label"]) for row in labels.collect()}
        return {a: label_of.get(ids["a\0" + a], ids["a\0" + a]) for a in set(accounts)}

    def stop(self) -> None:
        if self._session is not None:
            self._session.stop()
            self._session = None


def large_star_small_star(edges: DataFrame) -> DataFrame:
    """(node, label) for every node of ``edges`` (src, dst: longs), label = the smallest node
    id of its component."""
    current = _normalized(edges).localCheckpoint()
    for _ in range(MAX_ROUNDS):
        following = _small_star(_large_star(current)).localCheckpoint()
        changed = (
            following.exceptAll(current).limit(1).count()
            + current.exceptAll(following).limit(1).count()
        )
        current = following
        if changed == 0:
            break
    else:  # pragma: no cover - a graph this deep would be a bug upstream
        raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")
    pointed = current.groupBy("src").agg(F.min("dst").alias("label"))
    nodes = current.select(F.col("src").alias("node")).union(
        current.select(F.col("dst").alias("node"))
    )
    return (
        nodes.distinct()
        .join(pointed.withColumnRenamed("src", "node"), "node", "left")
        .select("node", F.least(F.coalesce("label", "node"), F.col("node")).alias("label"))
    )


def _normalized(edges: DataFrame) -> DataFrame:
    return (
        edges.where(F.col("src") != F.col("dst"))
        .select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
        .distinct()
    )


def _large_star(edges: DataFrame) -> DataFrame:
    """Connect every larger neighbour of u to the smallest node of u's neighbourhood."""
    both = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    smallest = both.groupBy("src").agg(F.min("dst").alias("m"))
    smallest = smallest.select("src", F.least("m", "src").alias("m"))
    out = (
        both.join(smallest, "src")
        .where(F.col("dst") > F.col("src"))
        .select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    )
    return out.where(F.col("src") != F.col("dst")).distinct()


def _small_star(edges: DataFrame) -> DataFrame:
    """Connect u and its smaller neighbours to the smallest of them."""
    oriented = edges.select(
        F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst")
    )
    smallest = oriented.groupBy("src").agg(F.min("dst").alias("m"))
    smallest = smallest.select("src", F.least("m", "src").alias("m"))
    neighbours = oriented.join(smallest, "src").select(F.col("dst").alias("v"), "m")
    centres = smallest.select(F.col("src").alias("v"), "m")
    out = neighbours.union(centres).where(F.col("v") != F.col("m"))
    return out.select(F.col("v").alias("src"), F.col("m").alias("dst")).distinct()


def _routed(table: pa.Table, shards: int) -> pa.Table:
    """The table with one row per (record, shard it is routed to), as ``_shard``."""
    indices = [np.flatnonzero(routed_to(table, shard, shards)) for shard in range(shards)]
    owners = [np.full(len(rows), shard, dtype=np.int64) for shard, rows in enumerate(indices)]
    routed = table.take(pa.array(np.concatenate(indices)))
    return routed.append_column("_shard", pa.array(np.concatenate(owners), pa.int64()))


def _screener(policy: str) -> Any:
    """One screener per Python worker process, built the first time a task needs it."""
    if policy not in _SCREENERS:
        from pathlib import Path

        from warden.enforce.ingest import screener_for
        from warden.policy import load_pack

        _SCREENERS[policy] = screener_for(load_pack(Path(policy)))
    return _SCREENERS[policy]
