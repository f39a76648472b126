"""The hash chain itself: canonical encoding, record hashes and the verification walk.

Pure (no database, no files), so the database verifier, the offline JSONL verifier and a
regulator's own re-implementation all follow the same few lines. ``docs/audit.md`` states
the format for outside readers; this module is its executable form.

A record's hash is ``SHA-256`` (lowercase hex) of the canonical JSON encoding of the object
``{"actor", "at", "kind", "payload", "prev_hash", "seq", "subject"}``:

* keys sorted (by code point), no whitespace (``","`` and ``":"`` separators), UTF-8,
  non-ASCII characters written as themselves, NaN/Infinity refused;
* ``at`` as ISO-8601 UTC with microseconds and ``Z``: ``2026-06-10T12:00:00.000000Z``;
* ``prev_hash`` is the previous record's hash, or 64 zeros (:data:`GENESIS_HASH`) for seq 1.

>>> record_hash(1, datetime(2026, 6, 10, 12, tzinfo=UTC), "warden", "policy_load", "v1", {}, GENESIS_HASH)[:16]
'63aee38c5c9a804d'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64
#: How far back a record that hashes under another seq is looked for (renumbering).
RENUMBER_SEARCH = 64


def canonical_json(value: Any) -> bytes:
    """The canonical encoding: sorted keys, no whitespace, UTF-8, finite numbers only."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def normalize_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` as it reads back from JSON (tuples become lists, enums strings)."""
    result: dict[str, Any] = json.loads(canonical_json(dict(payload)))
    return result


def format_timestamp(at: datetime) -> str:
    """``at`` in the canonical form; naive datetimes are refused."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at.isoformat()!r}: expected a timezone")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hashed_fields(
    seq: int,
    at: datetime,
    actor: str,
    kind: str,
    subject: str,
    payload: Mapping[str, Any],
    prev_hash: str,
) -> dict[str, Any]:
    """The object whose canonical encoding is hashed (also an export line minus ``hash``)."""
    return {
        "seq": seq,
        "at": format_timestamp(at),
        "actor": actor,
        "kind": kind,
        "subject": subject,
        "payload": payload,
        "prev_hash": prev_hash,
    }


def record_hash(
    seq: int,
    at: datetime,
    actor: str,
    kind: str,
    subject: str,
    payload: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical encoding of a record's fields."""
    fields = hashed_fields(seq, at, actor, kind, subject, payload, prev_hash)
    return hashlib.sha256(canonical_json(fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One link of the chain."""

    seq: int
    at: datetime
    actor: str
    kind: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def computed_hash(self, seq: int | None = None) -> str:
        """The hash this record's content gives (under ``seq`` if another is given)."""
        return record_hash(
            self.seq if seq is None else seq,
            self.at,
            self.actor,
            self.kind,
            self.subject,
            self.payload,
            self.prev_hash,
        )

    def to_json(self) -> dict[str, Any]:
        """The export form: the hashed fields plus ``hash``."""
        fields = hashed_fields(
            self.seq, self.at, self.actor, self.kind, self.subject, self.payload, self.prev_hash
        )
        return {**fields, "hash": self.hash}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> AuditRecord:
        """Read the export form back; raises ``KeyError``/``ValueError``/``TypeError`` if malformed."""
        at = datetime.fromisoformat(str(obj["at"]))
        if at.tzinfo is None:
            raise ValueError(f"at: {obj['at']!r} has no timezone")
        payload = obj["payload"]
        if not isinstance(payload, dict):
            raise TypeError(f"payload: expected an object, found {type(payload).__name__}")
        return cls(
            seq=int(obj["seq"]),
            at=at,
            actor=str(obj["actor"]),
            kind=str(obj["kind"]),
            subject=str(obj["subject"]),
            payload=payload,
            prev_hash=str(obj["prev_hash"]),
            hash=str(obj["hash"]),
        )


def seal(
    seq: int,
    at: datetime,
    actor: str,
    kind: str,
    subject: str,
    payload: Mapping[str, Any],
    prev_hash: str,
) -> AuditRecord:
    """A new record with its hash; the payload is normalized to what JSON gives back."""
    body = normalize_payload(payload)
    digest = record_hash(seq, at, actor, kind, subject, body, prev_hash)
    return AuditRecord(seq, at.astimezone(UTC), actor, kind, subject, body, prev_hash, digest)


class Problem(StrEnum):
    """What verification found wrong with the first bad record."""

    CHANGED = "changed"  # content no longer matches its hash
    DELETED = "deleted"  # records missing (a seq gap, or later records renumbered down)
    INSERTED = "inserted"  # a record links past records that sit before it
    REORDERED = "reordered"  # a record links to one that comes after it
    MALFORMED = "malformed"  # an export line is not a record (offline verification only)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of walking a chain.

    ``count``, ``head_seq`` and ``head_hash`` describe the intact prefix: the whole chain
    when ``ok``, otherwise everything before the first bad record (``bad_seq``).
    """

    ok: bool
    count: int
    head_seq: int
    head_hash: str
    problem: Problem | None = None
    bad_seq: int | None = None
    detail: str = ""

    def describe(self) -> str:
        """One line for people: ``OK …`` or ``record N: problem — detail``."""
        if self.ok:
            return f"OK: {self.count} records, head seq {self.head_seq}, head hash {self.head_hash}"
        return f"record {self.bad_seq}: {self.problem} — {self.detail}"


#: Finds the seq of the record whose hash is the given one (``None`` when there is none).
FindByHash = Callable[[str], int | None]


def verify_records(records: Iterable[AuditRecord], find: FindByHash) -> VerifyResult:
    """Walk ``records`` (in stored seq order) and report the first bad one.

    ``find`` is only called once something is wrong, to tell insertions from reorderings,
    so a verifier can stream records in bounded memory.
    """
    expected = 1
    recent = {0: GENESIS_HASH}  # the hashes of the last two good records, by seq
    for record in records:
        last = recent[expected - 1]
        if record.seq != expected:
            if record.seq < expected:
                detail = f"seq {record.seq} appears again after seq {expected - 1}"
                return _bad(Problem.REORDERED, expected, detail, last)
            target = find(record.prev_hash)
            if target is not None and target >= expected:  # possible in a file, not a table
                detail = f"seq {record.seq} comes before seq {target}, which it links to"
                return _bad(Problem.REORDERED, expected, detail, last)
            missing = (
                f"{expected}" if record.seq == expected + 1 else f"{expected}–{record.seq - 1}"
            )
            detail = f"seq {missing} missing: the chain jumps to {record.seq}"
            return _bad(Problem.DELETED, expected, detail, last)
        if record.prev_hash != last:
            return _broken_link(record, recent, find)
        computed = record.computed_hash()
        if computed != record.hash:
            detail = f"content does not match its hash (stored {record.hash}, computed {computed})"
            return _bad(Problem.CHANGED, expected, detail, last)
        recent = {expected - 1: last, expected: record.hash}
        expected += 1
    return VerifyResult(True, expected - 1, expected - 1, recent[expected - 1])


def _bad(problem: Problem, seq: int, detail: str, head_hash: str) -> VerifyResult:
    """Record ``seq`` is the first bad one; everything before it verified."""
    return VerifyResult(False, seq - 1, seq - 1, head_hash, problem, seq, detail)


def _broken_link(record: AuditRecord, recent: dict[int, str], find: FindByHash) -> VerifyResult:
    seq = record.seq
    expected_prev = recent[seq - 1]
    target = find(record.prev_hash)
    if target is not None and target < seq - 1:
        inserted = f"{target + 1}" if target + 1 == seq - 1 else f"{target + 1}–{seq - 1}"
        detail = f"record {seq} links to record {target}: seq {inserted} was inserted"
        return _bad(Problem.INSERTED, target + 1, detail, record.prev_hash)
    if target is not None:
        detail = f"record {seq} links to record {target}, which comes after it: records were moved"
        return _bad(Problem.REORDERED, seq, detail, expected_prev)
    for shift in range(1, RENUMBER_SEARCH + 1):
        if record.computed_hash(seq + shift) == record.hash:
            detail = (
                f"this record was seq {seq + shift}: {shift} record(s) before it were deleted "
                "and the rest renumbered"
            )
            return _bad(Problem.DELETED, seq, detail, expected_prev)
    if seq == 1 or record.computed_hash() != record.hash:
        detail = f"prev_hash {record.prev_hash} should be {expected_prev}: this record was altered"
        return _bad(Problem.CHANGED, seq, detail, expected_prev)
    detail = (
        f"record {seq} links to {record.prev_hash}, but record {seq - 1} now hashes to "
        f"{expected_prev}: record {seq - 1} was rewritten together with its hash"
    )
    return _bad(Problem.CHANGED, seq - 1, detail, recent[seq - 2])
