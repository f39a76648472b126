"""Bank files other platforms read and write: ThreatExchange and HMA formats.

Three formats, told apart by ``--format`` (or the file's name):

``te``
    The ThreatExchange CLI's dataset file (``simple.HASH_PDQ.te``): CSV rows of
    ``indicator_id, hash, first_descriptor_id, added_on, labels`` (labels space-separated).
    Warden writes the entry's content id as the indicator id and its tags as labels.
``hma``
    JSON lines as Hasher-Matcher-Actioner's bank API takes them:
    ``{"signal_type": "pdq", "signal_value": "<hex>", "content_id": …, "tags": […]}``;
    other signal types (video MD5, …) are skipped and counted.
``txt``
    One hash per line, optionally after ``pdq`` and a space (``tx dataset`` prints this);
    ``#`` starts a comment.

A line that is not a PDQ hash is reported with its line number, not silently dropped:
:func:`read_bank_file` returns the entries and the rejected lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from warden.errors import InputError
from warden.media.banks import BankEntry, check_hash

FORMATS = ("te", "hma", "txt")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A line of a bank file that is not an entry, and why."""

    line: int
    reason: str


def format_of(path: Path, given: str | None) -> str:
    """The format to read or write ``path`` in: ``given``, or guessed from the name."""
    if given is not None:
        if given not in FORMATS:
            raise InputError(f"--format: {given!r} is not one of {', '.join(FORMATS)}")
        return given
    name = path.name.lower()
    if name.endswith((".te", ".csv")):
        return "te"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "hma"
    return "txt"


def read_bank_file(
    text: str, bank: str, fmt: str, source: str
) -> tuple[list[BankEntry], list[Rejected], int]:
    """Entries of a bank file, its rejected lines, and how many other signal types it held."""
    entries: list[BankEntry] = []
    rejected: list[Rejected] = []
    skipped = 0
    for number, item in _items(text, fmt):
        if isinstance(item, str):
            if item == "skip":
                skipped += 1
            else:
                rejected.append(Rejected(number, item))
            continue
        content_id, value, tags = item
        try:
            hash_ = check_hash(value, "signal")
        except InputError as exc:
            rejected.append(Rejected(number, str(exc)))
            continue
        entries.append(BankEntry(bank, content_id or f"{source}:{number}", hash_, tags, source))
    return entries, rejected, skipped


def _items(text: str, fmt: str) -> Iterator[tuple[int, tuple[str, str, tuple[str, ...]] | str]]:
    if fmt == "te":
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) < 2:
                yield number, f"expected indicator_id,hash,… got {len(row)} column(s)"
                continue
            labels = tuple(row[4].split()) if len(row) > 4 else ()
            yield number, (row[0].strip(), row[1], labels)
    elif fmt == "hma":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, f"malformed JSON: {exc}"
                continue
            if not isinstance(data, dict) or "signal_value" not in data:
                yield number, "expected an object with signal_type and signal_value"
                continue
            if str(data.get("signal_type", "pdq")).lower() != "pdq":
                yield number, "skip"
                continue
            tags = data.get("tags") or ()
            yield (
                number,
                (
                    str(data.get("content_id", "")),
                    str(data["signal_value"]),
                    tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                ),
            )
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if parts[0].lower() == "pdq" and len(parts) > 1:
                parts = parts[1:]
            elif parts[0].lower() in ("video_md5", "url", "raw_text", "trend_query"):
                yield number, "skip"
                continue
            yield number, ("", parts[0], tuple(parts[1:]))


def write_bank_file(entries: Iterable[BankEntry], fmt: str) -> str:
    """``entries`` in ``fmt`` (see the module docstring)."""
    if fmt == "te":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        today = datetime.now(UTC).date().isoformat()
        for e in entries:
            writer.writerow([e.content_id, e.hash, "", today, " ".join(e.tags)])
        return out.getvalue()
    if fmt == "hma":
        return "".join(
            orjson.dumps(
                {
                    "signal_type": "pdq",
                    "signal_value": e.hash,
                    "content_id": e.content_id,
                    "tags": list(e.tags),
                }
            ).decode()
            + "\n"
            for e in entries
        )
    return "".join(f"pdq {e.hash}{' ' + ' '.join(e.tags) if e.tags else ''}\n" for e in entries)
