"""Reading text records from files people actually have: JSONL, CSV, TSV, plain text.

Streaming and forgiving per record, strict per field: the file is read line by line (bounded
memory on a 10 GB file), and a line that cannot be used — bad UTF-8, malformed JSON, a
missing or non-text field, a short row — becomes a :class:`Rejection` that names the line,
the field, the value and what was expected. Good records around it are still yielded;
nothing is dropped without a trace, so ``records + rejections == lines read``.

TSV is read without quoting (``label<TAB>text`` as the public SMS sets are); when the text
column is the last one, tabs inside the text stay part of it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson

from warden.errors import InputError

Format = Literal["jsonl", "csv", "tsv", "txt"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "tsv", "txt")
_SUFFIXES: dict[str, Format] = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "txt",
}  # fmt: skip
_RAW_PREVIEW = 200


@dataclass(frozen=True, slots=True)
class Record:
    """One usable record: its line number (1-based, where it starts) and its fields."""

    line: int
    text: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A line that could not be used, and why."""

    line: int
    reason: str
    raw: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "raw": self.raw}


def guess_format(path: Path) -> Format:
    """The format a file's extension suggests (``.jsonl``, ``.csv``, ``.tsv``, ``.txt``)."""
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"--format: cannot tell the format of {path.name!r} from its extension; "
            f"expected one of {', '.join(FORMATS)}"
        )
    return fmt


class RecordReader:
    """Iterates the records and rejections of one file; ``bytes_read`` feeds a progress bar."""

    def __init__(
        self,
        path: Path,
        fmt: Format,
        *,
        text_field: str | None = None,
        header: bool = True,
    ) -> None:
        if fmt not in FORMATS:
            raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        self.path = path
        self.format = fmt
        self.header = header and fmt in ("csv", "tsv")
        self.text_field = text_field or ("text" if fmt in ("jsonl", "csv", "tsv") else None)
        self.bytes_read = 0
        self._line = 0
        self._pending: list[Rejection] = []

    def __iter__(self) -> Iterator[Record | Rejection]:
        with self.path.open("rb") as stream:
            if self.format == "jsonl":
                yield from self._jsonl(stream)
            elif self.format == "txt":
                yield from self._txt(stream)
            else:
                yield from self._table(stream)

    def _decoded(self, stream: BinaryIO) -> Iterator[tuple[int, str]]:
        """(line number, text) of each line; undecodable lines become pending rejections."""
        for raw in stream:
            self._line += 1
            self.bytes_read += len(raw)
            try:
                yield self._line, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                self._pending.append(
                    Rejection(
                        self._line,
                        f"not UTF-8: byte {raw[exc.start]:#04x} at column {exc.start + 1}",
                        raw[:_RAW_PREVIEW].decode("utf-8", "replace"),
                    )
                )

    def _drain(self) -> Iterator[Rejection]:
        while self._pending:
            yield self._pending.pop(0)

    def _txt(self, stream: BinaryIO) -> Iterator[Record | Rejection]:
        for number, text in self._decoded(stream):
            yield from self._drain()
            yield Record(number, text)
        yield from self._drain()

    def _jsonl(self, stream: BinaryIO) -> Iterator[Record | Rejection]:
        field_name = self.text_field or "text"
        for number, line in self._decoded(stream):
            yield from self._drain()
            if not line.strip():
                yield Rejection(number, "empty line; expected a JSON object", "")
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Rejection(number, f"malformed JSON: {exc}", line[:_RAW_PREVIEW])
                continue
            if not isinstance(obj, dict):
                yield Rejection(
                    number,
                    f"expected a JSON object, got {type(obj).__name__}",
                    line[:_RAW_PREVIEW],
                )
                continue
            if field_name not in obj:
                yield Rejection(
                    number,
                    f"field {field_name!r} is missing; keys present: {sorted(obj)[:10]}",
                    line[:_RAW_PREVIEW],
                )
                continue
            value = obj[field_name]
            if not isinstance(value, str):
                yield Rejection(
                    number,
                    f"field {field_name!r} is {type(value).__name__} {value!r:.60}; expected a string",
                    line[:_RAW_PREVIEW],
                )
                continue
            yield Record(number, value, obj)
        yield from self._drain()

    def _table(self, stream: BinaryIO) -> Iterator[Record | Rejection]:
        delimiter = "," if self.format == "csv" else "\t"
        lines = self._decoded(stream)
        starts: list[int] = []

        def text_lines() -> Iterator[str]:
            for number, line in lines:
                starts.append(number)
                yield line

        if self.format == "csv":
            rows: Iterator[list[str]] = csv.reader(text_lines(), delimiter=",")
        else:
            rows = (line.split(delimiter) for line in text_lines())
        names: list[str] | None = None
        width: int | None = None  # columns of the header, or of the first row without one
        column = self._column_index(None)
        for row in rows:
            start = starts[0] if starts else self._line
            starts.clear()
            yield from self._drain()
            if self.header and names is None:
                names = row
                column = self._column_index(names)
                continue
            if not row or row == [""]:
                yield Rejection(start, "empty line; expected a row", "")
                continue
            if column >= len(row):
                yield Rejection(
                    start,
                    f"row has {len(row)} field(s); text field {self.text_field!r} "
                    f"(column {column + 1}) is missing",
                    delimiter.join(row)[:_RAW_PREVIEW],
                )
                continue
            width = width or len(names or row)
            text = row[column]
            if self.format == "tsv" and column == width - 1:
                text = delimiter.join(row[column:])
            keys = names or [str(i + 1) for i in range(len(row))]
            yield Record(start, text, dict(zip(keys, row, strict=False)))
        yield from self._drain()

    def _column_index(self, names: list[str] | None) -> int:
        """0-based column of the text field: a header name, or a 1-based number."""
        wanted = self.text_field or "text"
        if wanted.isdigit():
            index = int(wanted) - 1
            if index < 0:
                raise InputError(
                    f"--text-field: column {wanted} does not exist; columns count from 1"
                )
            return index
        if names is None:
            if not self.header:
                raise InputError(
                    f"--text-field: {wanted!r} is a name but the file has no header; "
                    "give the column number instead (e.g. --text-field 2)"
                )
            return 0
        try:
            return names.index(wanted)
        except ValueError:
            raise InputError(
                f"--text-field: {self.path.name} has no column {wanted!r}; its header has {names}"
            ) from None
