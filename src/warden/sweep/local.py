"""The local engine: one machine, a process per shard, DuckDB and SciPy for the rest.

Worker processes are forked after the event table and the screener are built, so they share
both copy-on-write instead of each loading lexicons and reading files again. Each worker
filters the table to the events routed to its shard, runs
:func:`warden.sweep.shard.run_shard` and writes its tables as Parquet; the parent shows
progress from a shared counter. With one worker everything runs in-process (handy under a
debugger, and what the tests of odd inputs use).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.sharedctypes
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from warden.detect.screener import Screener
from warden.enforce.ingest import screener_for
from warden.policy import load_pack
from warden.sweep.pipeline import ProgressFn, ShardJob
from warden.sweep.rings import local_components
from warden.sweep.shard import run_shard
from warden.sweep.table import routed_to

# Set in the parent just before forking; read by the workers (never pickled).
_STATE: dict[str, Any] = {}


class LocalEngine:
    """Runs the shards in forked worker processes on this machine."""

    name = "local"

    def __init__(self, screener: Screener | None = None) -> None:
        self._screener = screener

    def run_shards(self, table: pa.Table, job: ShardJob, progress: ProgressFn) -> None:
        screener = self._screener or screener_for(load_pack(job.policy))
        counter = multiprocessing.get_context("fork").Value("q", 0)
        _STATE.update(table=table, job=job, screener=screener, counter=counter)
        total = table.num_rows
        try:
            if job.shards == 1:
                _shard(0)
                progress("screen_and_fold", total, total)
                return
            context = multiprocessing.get_context("fork")
            with context.Pool(job.shards) as pool:
                pending = pool.map_async(_shard, range(job.shards))
                while not pending.ready():
                    pending.wait(0.5)
                    progress("screen_and_fold", min(counter.value, total), total)
                pending.get()
            progress("screen_and_fold", total, total)
        finally:
            _STATE.clear()

    def components(self, pairs: pa.Table) -> dict[str, int | str]:
        return dict(local_components(pairs))


def _shard(shard: int) -> float:
    """Worker body: this shard's rows through :func:`run_shard`, tables to Parquet."""
    started = time.perf_counter()
    table: pa.Table = _STATE["table"]
    job: ShardJob = _STATE["job"]
    counter = _STATE["counter"]

    def advance(done: int) -> None:
        with counter.get_lock():
            counter.value += done

    rows = table.filter(pa.array(routed_to(table, shard, job.shards)))
    output = run_shard(
        rows,
        shard,
        job.shards,
        _STATE["screener"],
        job.categories,
        job.since,
        advance,
        job.gate,
        job.media,
    )
    write_shard(output.tables(), job.work, shard)
    return time.perf_counter() - started


def write_shard(tables: dict[str, pa.Table], work: Path, shard: int) -> None:
    """A shard's tables as ``<name>-<shard>.parquet`` (the pipeline reads them back)."""
    for name, part in tables.items():
        pq.write_table(part, work / f"{name}-{shard:04d}.parquet")
