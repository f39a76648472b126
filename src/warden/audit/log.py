"""The stored audit chain: append inside a unit of work; verify and export what is stored.

**Appending** happens in the caller's transaction (``uow.audit.append(...)``), so a record
exists exactly when the action, review or policy load it records does.

**Concurrency.** A chain has one head: the next record needs the previous record's hash,
so appends must be serialized. We take a lock rather than "insert, catch the unique-key
violation, retry": a retry would have to recompute the hash inside a transaction that has
already failed, and on PostgreSQL a conflicting insert only fails after waiting for the
other transaction anyway. :func:`warden.store.engine.lock_key` takes a transaction-scoped
advisory lock on PostgreSQL (then reads the head, which in ``READ COMMITTED`` sees every
append committed before), and on SQLite the unit of work already holds the database write
lock (``BEGIN IMMEDIATE``). The lock is held until commit, so append last, just before
committing. The primary key on ``seq`` and the unique ``hash`` remain as a backstop.

**Verifying and exporting** read the chain in seq order in pages (keyset pagination), so
memory stays bounded however long the log grows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from warden.audit.chain import GENESIS_HASH, AuditRecord, VerifyResult, seal, verify_records
from warden.store.engine import AUDIT_LOCK, lock_key, read_only
from warden.store.schema import AuditRow

PAGE = 1000


class AuditLog:
    """The audit chain seen through one session (one transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        kind: str,
        subject: str,
        payload: Mapping[str, Any],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> AuditRecord:
        """Add the next record; it is kept only if the caller's unit of work commits."""
        lock_key(self._session, AUDIT_LOCK)
        head = self.head()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        record = seal(seq, at or datetime.now(UTC), actor, kind, subject, payload, prev_hash)
        self._session.add(
            AuditRow(
                seq=record.seq,
                at=record.at,
                actor=record.actor,
                kind=record.kind,
                subject=record.subject,
                payload=record.payload,
                prev_hash=record.prev_hash,
                hash=record.hash,
            )
        )
        self._session.flush()
        return record

    def head(self) -> tuple[int, str] | None:
        """``(seq, hash)`` of the last record, or ``None`` for an empty log."""
        row = self._session.execute(
            select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
        ).first()
        return (row.seq, row.hash) if row else None

    def records(self, after_seq: int = 0, page: int = PAGE) -> Iterator[AuditRecord]:
        """Every record with seq > ``after_seq``, in seq order, read ``page`` at a time."""
        last = after_seq
        while True:
            rows = self._session.scalars(
                select(AuditRow).where(AuditRow.seq > last).order_by(AuditRow.seq).limit(page)
            ).all()
            for row in rows:
                yield _record(row)
            if len(rows) < page:
                return
            last = rows[-1].seq

    def find(self, digest: str) -> int | None:
        """The seq of the record whose hash is ``digest``."""
        return self._session.scalar(select(AuditRow.seq).where(AuditRow.hash == digest))

    def record_at(self, seq: int) -> AuditRecord | None:
        """The stored record at ``seq``, or ``None``."""
        row = self._session.get(AuditRow, seq)
        return _record(row) if row is not None else None


def _record(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        kind=row.kind,
        subject=row.subject,
        payload=row.payload,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def verify(source: Engine | Session) -> VerifyResult:
    """Walk the stored chain and report the first bad record (see :mod:`warden.audit.chain`)."""
    if isinstance(source, Session):
        log = AuditLog(source)
        return verify_records(log.records(), log.find)
    with Session(read_only(source)) as session, session.begin():
        log = AuditLog(session)
        return verify_records(log.records(), log.find)


@dataclass(frozen=True, slots=True)
class ChainSnapshot:
    """One consistent reading of the stored chain, for signing or checking a checkpoint.

    ``verified`` is the walk of the whole chain; ``record`` the stored record at the seq
    asked for (the verified head when none was); ``head_seq`` the last stored seq, 0 when
    the log is empty — so truncation can be told from a gap.
    """

    verified: VerifyResult
    record: AuditRecord | None
    head_seq: int


def snapshot(source: Engine | Session, seq: int | None = None) -> ChainSnapshot:
    """Verify the chain and read record ``seq`` in the same transaction (see :class:`ChainSnapshot`)."""
    if isinstance(source, Session):
        return _snapshot(AuditLog(source), seq)
    with Session(read_only(source)) as session, session.begin():
        return _snapshot(AuditLog(session), seq)


def _snapshot(log: AuditLog, seq: int | None) -> ChainSnapshot:
    verified = verify_records(log.records(), log.find)
    wanted = verified.head_seq if seq is None else seq
    record = log.record_at(wanted) if wanted > 0 else None
    head = log.head()
    return ChainSnapshot(verified, record, head[0] if head else 0)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What :func:`export` wrote."""

    count: int
    head_seq: int
    head_hash: str


def export(source: Engine | Session, path: Path) -> ExportSummary:
    """Write the chain to ``path`` as JSONL (one canonical record per line), as stored.

    The export is not verified on the way out: a tampered database gives a tampered file,
    which :func:`warden.audit.offline.verify_jsonl` then reports.
    """
    if isinstance(source, Session):
        return _export(AuditLog(source), path)
    with Session(read_only(source)) as session, session.begin():
        return _export(AuditLog(session), path)


def _export(log: AuditLog, path: Path) -> ExportSummary:
    count, head_seq, head_hash = 0, 0, GENESIS_HASH
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        for record in log.records():
            line = json.dumps(
                record.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            out.write(line + "\n")
            count, head_seq, head_hash = count + 1, record.seq, record.hash
    tmp.replace(path)
    return ExportSummary(count, head_seq, head_hash)
