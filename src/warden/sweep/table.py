"""The sweep's input: every event file of a folder as one Arrow table, in the order to replay.

A sweep replays history the way online ingestion would have seen it: in time order (ties
kept in file order). This module reads the folder's ``.parquet`` / ``.jsonl`` files into
one table with three bookkeeping columns — ``_seq`` (the replay position), ``_file`` and
``_row`` (where a record came from, for quarantine) — and ``_ts_us`` (event time in UTC
microseconds, for sorting and for ``--since``/``--until``). Validation happens later, in the
workers, record by record: a bad record is quarantined there, never dropped here.

Each account is owned by one *shard* (a stable hash of its id, the same in every process and
on every Spark executor); an event is routed to the shards of every account whose features
it changes — its author, a payment's payee, a report's target.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warden.domain.moments import to_micros
from warden.errors import InputError
from warden.io.events import decode_record, preview

EVENT_SUFFIXES = (".parquet", ".pq", ".jsonl", ".ndjson")
#: Columns naming accounts whose features an event changes (see FeatureFolder.fold).
ROUTED_BY = ("account_id", "payee_id", "target_account_id")
BOOKKEEPING = ("_seq", "_file", "_row", "_ts_us")
UNPARSEABLE_TS = np.iinfo(np.int64).min


def event_files(folder: Path) -> list[Path]:
    """The event files under ``folder`` (or ``folder`` itself if it is a file), sorted."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise InputError(f"--events: {str(folder)!r} is neither a folder nor a file")
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in EVENT_SUFFIXES
    )
    if not files:
        raise InputError(
            f"--events: no event files in {str(folder)!r}; expected *.parquet or *.jsonl files"
        )
    return files


def load_events(
    files: Iterable[Path], since: datetime | None = None, until: datetime | None = None
) -> pa.Table:
    """All records of ``files`` in replay order, with the bookkeeping columns added.

    ``since`` ≤ ts < ``until`` when given; records whose time cannot be read are kept (they
    will be quarantined by validation, not silently left out of the window)."""
    tables = [_read(path, index) for index, path in enumerate(files)]
    table = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    ts = _micros(table.column("ts")) if "ts" in table.column_names else None
    if ts is None:
        ts = np.full(table.num_rows, UNPARSEABLE_TS, dtype=np.int64)
    table = table.append_column("_ts_us", pa.array(ts, pa.int64()))
    keep = np.ones(table.num_rows, dtype=bool)
    if since is not None:
        keep &= (ts >= to_micros(since)) | (ts == UNPARSEABLE_TS)
    if until is not None:
        keep &= ts < to_micros(until)
    if not keep.all():
        table = table.filter(pa.array(keep))
    order = pc.sort_indices(table, sort_keys=[("_ts_us", "ascending"), ("_order", "ascending")])
    table = table.take(order).drop_columns(["_order"])
    return table.append_column("_seq", pa.array(np.arange(table.num_rows, dtype=np.int64)))


def shard_of(account: str, shards: int) -> int:
    """The shard that owns ``account``: stable across processes, machines and runs."""
    return zlib.crc32(account.encode()) % shards


def shard_columns(table: pa.Table, shards: int) -> dict[str, npt.NDArray[np.int32]]:
    """Per routing column, each row's shard (-1 where the column is empty)."""
    out: dict[str, npt.NDArray[np.int32]] = {}
    for name in ROUTED_BY:
        if name not in table.column_names:
            continue
        encoded = pc.dictionary_encode(table.column(name)).combine_chunks()
        lookup = np.array(
            [shard_of(str(value), shards) for value in encoded.dictionary.to_pylist()] + [-1],
            dtype=np.int32,
        )
        indices = encoded.indices.fill_null(len(lookup) - 1).to_numpy(zero_copy_only=False)
        out[name] = lookup[indices]
    return out


def routed_to(table: pa.Table, shard: int, shards: int) -> npt.NDArray[np.bool_]:
    """Rows the worker of ``shard`` must fold: events touching any account it owns."""
    mask = np.zeros(table.num_rows, dtype=bool)
    for column in shard_columns(table, shards).values():
        mask |= column == shard
    if "account_id" not in table.column_names:
        mask[:] = shard == 0  # nothing to route by: one worker quarantines them all
    else:
        owner = table.column("account_id").is_null().to_numpy(zero_copy_only=False)
        mask |= owner & (shard == 0)
    return mask


def _read(path: Path, index: int) -> pa.Table:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(
                f"--events: {str(path)!r} is not a readable Parquet file: {exc}"
            ) from None
        rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    else:
        table, rows = _read_jsonl(path)
    table = _plain_types(table)
    table = table.append_column("_file", pa.array([str(path)] * table.num_rows, pa.string()))
    table = table.append_column("_row", pa.array(rows, pa.int64()))
    return table.append_column("_order", pa.array(index * 2**40 + rows, pa.int64()))


def _read_jsonl(path: Path) -> tuple[pa.Table, npt.NDArray[np.int64]]:
    """JSONL records as a table; a line that is not a JSON object becomes a row of its own
    with only ``_raw`` and ``_reason`` set (:func:`~warden.io.events.decode_record`'s
    reason), so validation quarantines it with its line number."""
    records: list[dict[str, object]] = []
    lines: list[int] = []
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            data = decode_record(line)
            if isinstance(data, str):
                data = {"_raw": preview(line), "_reason": data}
            records.append({k: _cell(v) for k, v in data.items()})
            lines.append(number)
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns = {name: [record.get(name) for record in records] for name in names}
    return pa.table(columns), np.array(lines, dtype=np.int64)


def _cell(value: object) -> object:
    """JSON values that would not fit one Arrow column type are kept as JSON text."""
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        return orjson.dumps(value).decode()
    return value


def _plain_types(table: pa.Table) -> pa.Table:
    """Dictionary-encoded columns decoded, so files written differently concatenate."""
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _micros(column: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    if pa.types.is_timestamp(column.type):
        if column.type.tz is None:
            return np.full(len(column), UNPARSEABLE_TS, dtype=np.int64)  # naive: quarantined
        micros = column.cast(pa.timestamp("us", "UTC")).cast(pa.int64()).fill_null(UNPARSEABLE_TS)
        return np.asarray(micros.to_numpy(), dtype=np.int64)
    values = column.to_pylist()
    return np.fromiter((_parse_ts(v) for v in values), dtype=np.int64, count=len(values))


def _parse_ts(value: object) -> int:
    if not isinstance(value, str):
        return int(UNPARSEABLE_TS)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return int(UNPARSEABLE_TS)
    if moment.tzinfo is None:
        return int(UNPARSEABLE_TS)
    return to_micros(moment)
