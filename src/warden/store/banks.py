"""Hash banks in the database (SQL repository): banks, their entries, reading them back.

Adding is idempotent by (bank, hash): importing the same file twice adds nothing the second
time, and :meth:`SqlBanks.add_entries` says how many were new. Nothing here commits; the
``warden banks`` commands write the change and its audit record in one unit of work.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warden.errors import InputError
from warden.media.banks import BankEntry, check_bank_name
from warden.store.engine import insert_many_if_absent
from warden.store.schema import MediaBankEntryRow, MediaBankRow


class SqlBanks:
    """Hash banks and their entries."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, name: str, description: str, at: datetime) -> bool:
        """Create bank ``name``; False (nothing changed) if it exists already."""
        check_bank_name(name)
        if self._session.get(MediaBankRow, name) is not None:
            return False
        self._session.add(MediaBankRow(name=name, description=description, created_at=at))
        self._session.flush()
        return True

    def exists(self, name: str) -> bool:
        return self._session.get(MediaBankRow, name) is not None

    def add_entries(self, entries: Sequence[BankEntry], at: datetime) -> int:
        """Store ``entries`` (each in an existing bank); returns how many were new."""
        for bank in {e.bank for e in entries}:
            if not self.exists(bank):
                raise InputError(f"bank {bank!r} does not exist (create it: warden banks create)")
        rows = [
            {
                "bank": e.bank,
                "hash": e.hash,
                "content_id": e.content_id,
                "tags": list(e.tags),
                "source": e.source,
                "added_at": at,
            }
            for e in entries
        ]
        before = self._count()
        insert_many_if_absent(self._session, MediaBankEntryRow, rows)
        return self._count() - before

    def _count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(MediaBankEntryRow)) or 0)

    def list(self) -> builtins.list[tuple[str, str, datetime, int]]:
        """(name, description, created at, entries) of every bank, by name."""
        counts = dict(
            self._session.execute(
                select(MediaBankEntryRow.bank, func.count()).group_by(MediaBankEntryRow.bank)
            ).all()
        )
        rows = self._session.scalars(select(MediaBankRow).order_by(MediaBankRow.name))
        return [(r.name, r.description, r.created_at, int(counts.get(r.name, 0))) for r in rows]

    def entries(self, banks: Iterable[str] | None = None) -> builtins.list[BankEntry]:
        """The entries of ``banks`` (every bank when None), by bank and insertion order."""
        statement = select(MediaBankEntryRow).order_by(MediaBankEntryRow.bank, MediaBankEntryRow.id)
        if banks is not None:
            statement = statement.where(MediaBankEntryRow.bank.in_(list(banks)))
        return [
            BankEntry(r.bank, r.content_id, r.hash, tuple(r.tags), r.source)
            for r in self._session.scalars(statement)
        ]
