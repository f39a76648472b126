"""Screening a whole file: records in, one verdict per record out, rejects kept beside it.

This is the engine behind ``warden scan``; it knows nothing of terminals. It streams in
batches (bounded memory), reports progress through a callback, and returns counts that add
up: ``read == screened + rejected``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from warden.detect.screener import Screener
from warden.io.records import Record, RecordReader, Rejection
from warden.io.sinks import open_sink

BATCH = 2048


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What a scan did. ``read`` counts records and rejected lines alike."""

    read: int
    screened: int
    rejected: int
    flagged: int
    output: Path
    rejected_path: Path

    @property
    def adds_up(self) -> bool:
        return self.read == self.screened + self.rejected


def rejected_path_for(output: Path) -> Path:
    """``OUT.rejected.jsonl`` beside the output file."""
    return output.with_name(output.name + ".rejected.jsonl")


def _batches(reader: RecordReader, rejects: list[Rejection]) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for item in reader:
        if isinstance(item, Rejection):
            rejects.append(item)
        else:
            batch.append(item)
        if len(batch) >= BATCH or len(rejects) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def scan_file(
    screener: Screener,
    reader: RecordReader,
    output: Path,
    *,
    id_field: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanSummary:
    """Screen every record of ``reader`` into ``output``; rejects go to ``OUT.rejected.jsonl``."""
    rejected_path = rejected_path_for(output)
    screened = flagged = rejected = 0
    rejects: list[Rejection] = []
    with open_sink(output) as sink, rejected_path.open("wb") as reject_stream:
        for batch in _batches(reader, rejects):
            verdicts = screener.screen([record.text for record in batch])
            rows: list[dict[str, Any]] = []
            for record, verdict in zip(batch, verdicts, strict=True):
                row = {"line": record.line} | verdict.to_dict()
                if id_field is not None:
                    row["id"] = record.fields.get(id_field)
                rows.append(row)
                flagged += verdict.flagged
            sink.write(rows)
            screened += len(batch)
            rejected += _flush(rejects, reject_stream)
            if progress is not None:
                progress(reader.bytes_read)
        rejected += _flush(rejects, reject_stream)
    if progress is not None:
        progress(reader.bytes_read)
    return ScanSummary(screened + rejected, screened, rejected, flagged, output, rejected_path)


def _flush(rejects: list[Rejection], stream: Any) -> int:
    count = len(rejects)
    stream.write(b"".join(orjson.dumps(r.to_dict()) + b"\n" for r in rejects))
    rejects.clear()
    return count
