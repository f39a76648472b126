"""Verify an exported audit log (JSONL) with no database: what a regulator runs.

Each line of an export is one record in canonical JSON (see :mod:`warden.audit.chain`):
the hashed fields plus ``hash``. Verification is the same walk as in the database, so the
first bad record is named the same way; an unreadable line is reported as ``malformed``
with its line number. Memory stays bounded: the file is streamed, and read a second time
only when a broken link has to be explained.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from warden.audit.chain import GENESIS_HASH, AuditRecord, Problem, VerifyResult, verify_records


class _MalformedLine(Exception):
    def __init__(self, line_no: int, reason: str) -> None:
        super().__init__(f"line {line_no}: {reason}")
        self.line_no = line_no


def read_jsonl(path: Path) -> Iterator[AuditRecord]:
    """The records of an export, in file order; raises on the first malformed line."""
    with path.open(encoding="utf-8") as lines:
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield AuditRecord.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise _MalformedLine(line_no, f"{type(exc).__name__}: {exc}") from None


def verify_jsonl(path: Path) -> VerifyResult:
    """Walk the chain in the export at ``path`` and report the first bad record."""

    def find(digest: str) -> int | None:
        try:
            return next((r.seq for r in read_jsonl(path) if r.hash == digest), None)
        except _MalformedLine:
            return None

    read: list[AuditRecord] = []  # holds only the last record read

    def tracked() -> Iterator[AuditRecord]:
        for record in read_jsonl(path):
            read[:] = [record]
            yield record

    try:
        return verify_records(tracked(), find)
    except _MalformedLine as exc:
        # the walk stops at the first bad record, so everything read so far verified
        last = read[0] if read else None
        return VerifyResult(
            ok=False,
            count=last.seq if last else 0,
            head_seq=last.seq if last else 0,
            head_hash=last.hash if last else GENESIS_HASH,
            problem=Problem.MALFORMED,
            bad_seq=last.seq + 1 if last else 1,
            detail=str(exc),
        )
