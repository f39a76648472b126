"""Writing a simulated platform to disk: event parts, the truth table, the manifest.

Layout of ``OUT``::

    events/part-00000.parquet   one part per simulated day, in time order; inside a part
    events/part-00001.parquet   rows are sorted by ts, then event_id (Parquet row groups are
    ...                         written as the day is, so memory holds one day at most)
    truth.parquet               one row per account: what it really is
    manifest.json               what was asked for and what was written

With ``--format jsonl`` the parts are ``.jsonl`` (one event per line, nulls left out, times
as ISO-8601 UTC with milliseconds). ``bad_records`` appends deliberately invalid lines to
the last JSONL part, for demonstrating quarantine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from warden.simulate.batch import SCHEMA

Format = Literal["parquet", "jsonl"]
FORMATS: tuple[Format, ...] = ("parquet", "jsonl")
TRUTH_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("role", pa.string()),
        ("abusive", pa.bool_()),
        ("ring_id", pa.string()),
        ("careful", pa.bool_()),
        ("region", pa.string()),
        ("segment", pa.string()),
    ]
)


class PartWriter:
    """Writes each day's sorted events as the next part file."""

    def __init__(self, folder: Path, fmt: Format, row_group_size: int = 65_536) -> None:
        self.folder = folder
        self.fmt = fmt
        self.row_group_size = row_group_size
        self.files: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, table: pa.Table, order: pa.Array) -> Path:
        """The rows of ``table`` at ``order`` as the next part, a row group at a time."""
        path = self.folder / f"part-{len(self.files):05d}.{self.fmt}"
        groups = range(0, len(order), self.row_group_size)
        if self.fmt == "parquet":
            with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:
                for start in groups:
                    writer.write_table(table.take(order.slice(start, self.row_group_size)))
                if not len(order):
                    writer.write_table(SCHEMA.empty_table())
        else:
            with path.open("wb") as stream:
                for start in groups:
                    rows = table.take(order.slice(start, self.row_group_size))
                    for batch in rows.to_batches():
                        stream.write(jsonl_lines(batch))
        self.files.append(path)
        return path

    def append_bad_records(self, count: int, start_ms: int) -> None:
        """``count`` invalid records at the end of the last part (JSONL only)."""
        if not count:
            return
        with self.files[-1].open("ab") as stream:
            for line in bad_records(count, start_ms):
                stream.write(line + b"\n")


def jsonl_lines(batch: pa.RecordBatch) -> bytes:
    """The batch's events as JSON lines, each with only the fields its kind has."""
    names = batch.schema.names
    columns: dict[str, list[Any]] = batch.to_pydict()
    millis = batch.column("ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
    columns["ts"] = np.datetime_as_string(
        millis.astype("datetime64[ms]"), unit="ms", timezone="UTC"
    ).tolist()
    rows = zip(*(columns[name] for name in names), strict=True)
    return b"".join(
        orjson.dumps({k: v for k, v in zip(names, row, strict=True) if v is not None}) + b"\n"
        for row in rows
    )


def bad_records(count: int, start_ms: int) -> list[bytes]:
    """Invalid records, each wrong in one way ``read_events`` must quarantine and name."""
    ts = str(np.datetime_as_string(np.datetime64(start_ms, "ms"), unit="s", timezone="UTC"))
    naive = ts.rstrip("Z")
    kinds: list[dict[str, Any] | bytes] = [
        {"kind": "message", "ts": ts, "text": "hi", "recipient_id": "u0"},  # no account_id
        {"kind": "message", "account_id": "u0", "ts": naive, "text": "hi", "recipient_id": "u1"},
        {"kind": "message", "account_id": "u0", "ts": ts, "text": "hi", "recipent_id": "u1"},
        {"kind": "payment", "account_id": "u0", "ts": ts, "payee_id": "u1", "amount": -5},
        {"kind": "message", "account_id": "u0", "ts": ts, "text": "hi", "recipient_id": "u1",
         "group_id": "g0"},
        b'{"kind": "message", "event_id": "bad-json", "account_id": "u0", "ts": ',
        {"kind": "telepathy", "account_id": "u0", "ts": ts},
        {"kind": "login", "account_id": "u0", "ts": "yesterday", "device_id": "d0",
         "ip": "10.0.0.1"},
    ]  # fmt: skip
    lines: list[bytes] = []
    for number in range(count):
        record = kinds[number % len(kinds)]
        if isinstance(record, bytes):
            lines.append(record)
            continue
        lines.append(orjson.dumps({"event_id": f"bad-{number + 1:05d}", **record}))
    return lines


def write_truth(path: Path, rows: dict[str, list[Any]]) -> None:
    pq.write_table(pa.table(rows, schema=TRUTH_SCHEMA), path, compression="zstd")


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_bytes(
        orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
