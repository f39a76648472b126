"""Writing verdicts: JSONL for people and pipes, Parquet for the sweep and for analysts.

A sink takes rows in batches and never holds more than one batch, so a scan of a 10 GB file
runs in bounded memory. The format follows the output file's extension.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from warden.errors import InputError

_SPAN_FIELDS = [("start", pa.int64()), ("end", pa.int64()), ("matched", pa.string())]
VERDICT_SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("id", pa.string()),
        ("text", pa.string()),
        ("normalized", pa.string()),
        ("categories", pa.map_(pa.string(), pa.float64())),
        (
            "matches",
            pa.list_(
                pa.struct(
                    [
                        ("term", pa.string()),
                        ("category", pa.string()),
                        ("weight", pa.float64()),
                        *_SPAN_FIELDS,
                        ("norm_start", pa.int64()),
                        ("norm_end", pa.int64()),
                        ("source", pa.string()),
                        ("variant", pa.string()),
                    ]
                )
            ),
        ),
        (
            "entities",
            pa.list_(
                pa.struct(
                    [
                        ("kind", pa.string()),
                        ("value", pa.string()),
                        ("platform", pa.string()),
                        *_SPAN_FIELDS,
                    ]
                )
            ),
        ),
    ]
)


class VerdictSink(Protocol):
    """Where screened rows go."""

    def write(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    """One JSON object per line."""

    def __init__(self, path: Path) -> None:
        self._stream: BinaryIO = path.open("wb")

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        self._stream.write(b"".join(orjson.dumps(row) + b"\n" for row in rows))

    def close(self) -> None:
        self._stream.close()


class ParquetSink:
    """Row groups of verdicts with a fixed schema (``VERDICT_SCHEMA``)."""

    def __init__(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(path, VERDICT_SCHEMA, compression="zstd")

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        prepared = [
            row
            | {"categories": list(row["categories"].items()), "id": _text_or_none(row.get("id"))}
            for row in rows
        ]
        self._writer.write_table(pa.Table.from_pylist(prepared, schema=VERDICT_SCHEMA))

    def close(self) -> None:
        self._writer.close()


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class open_sink:
    """``with open_sink(path) as sink:`` — JSONL or Parquet by the file's extension."""

    def __init__(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".ndjson", ".json"):
            self.sink: VerdictSink = JsonlSink(path)
        elif suffix in (".parquet", ".pq"):
            self.sink = ParquetSink(path)
        else:
            raise InputError(
                f"--output: cannot tell the format of {path.name!r}; expected a name ending "
                "in .jsonl or .parquet"
            )

    def __enter__(self) -> VerdictSink:
        return self.sink

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.sink.close()
