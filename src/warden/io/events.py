"""Reading event files (JSONL and Parquet) into validated events, quarantining the bad ones.

A record that cannot be an event — malformed JSON, a missing or misspelt field, a value of
the wrong type — is *quarantined*, never dropped: it comes back as a :class:`Quarantined`
that names the file, the line (or row), the field, the value and the reason. The good records
of the same file are still yielded, in file order, so ``read == events + quarantined``.

Every reader — files here, the sweep's table reader, the HTTP API, the stream worker — turns
raw bytes into a record with :func:`decode_record` and a record into an event with
:func:`validate_record`, so the same bad record gets the same reason wherever it arrives.
Where it came from is ``file`` and ``line``: a path and a line number for files, ``api`` and
the position in the request body for the API, the subject and stream sequence for a stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from warden.domain.events import Event, parse_event
from warden.errors import InputError

_PREVIEW = 200


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record that is not a valid event, and why."""

    file: str
    line: int
    field: str
    value: str
    reason: str
    raw: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
            "raw": self.raw,
        }


@dataclass(frozen=True, slots=True)
class Located:
    """A valid event and where it came from."""

    event: Event
    file: str
    line: int


def read_events(path: Path) -> Iterator[Located | Quarantined]:
    """Events of a ``.jsonl`` or ``.parquet`` file, with bad records quarantined."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(f"FILE: {str(path)!r} is not a readable file")
    if suffix in (".jsonl", ".ndjson", ".json"):
        yield from _jsonl(path)
    elif suffix in (".parquet", ".pq"):
        yield from _parquet(path)
    else:
        raise InputError(
            f"FILE: cannot tell the format of {path.name!r}; expected .jsonl or .parquet"
        )


def _jsonl(path: Path) -> Iterator[Located | Quarantined]:
    name = str(path)
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            yield parse_record(line, name, number)


def preview(raw: bytes) -> str:
    """The start of a raw record, as kept in quarantine."""
    return raw[:_PREVIEW].decode("utf-8", "replace")


def decode_record(raw: bytes) -> dict[str, Any] | str:
    """One raw record as a JSON object, or the reason it is not one."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return f"malformed JSON: {exc}"
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    return data


def parse_record(raw: bytes, file: str, line: int) -> Located | Quarantined:
    """One raw record (JSON bytes) as a validated event, or quarantined with the reason."""
    data = decode_record(raw)
    if isinstance(data, str):
        return Quarantined(file, line, "", "", data, preview(raw))
    return validate_record(data, file, line, preview(raw))


def _parquet(path: Path) -> Iterator[Located | Quarantined]:
    import pyarrow.parquet as pq

    name = str(path)
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            number += 1
            data = {k: v for k, v in row.items() if v is not None}
            yield validate_record(
                data,
                name,
                number,
                orjson.dumps(data, default=str)[:_PREVIEW].decode("utf-8", "replace"),
            )


def validate_record(data: Any, file: str, line: int, raw: str) -> Located | Quarantined:
    """One record as an event, or quarantined with the first bad field, its value and why."""
    if not isinstance(data, dict):
        return Quarantined(
            file, line, "", "", f"expected a JSON object, got {type(data).__name__}", raw
        )
    try:
        return Located(parse_event(data), file, line)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        location = [str(part) for part in first["loc"]]
        if location and location[0] == data.get("kind") and len(location) > 1:
            location = location[1:]  # drop the union tag pydantic puts first
        field = ".".join(location)
        value = repr(first.get("input"))[:_PREVIEW] if "input" in first else ""
        if first["type"] == "missing":
            value = "(missing)"
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'kind'}: {e['msg']}" for e in errors
        )
        if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
            field = "kind"
            value = repr(data.get("kind"))
        return Quarantined(file, line, field, value, reasons, raw)
