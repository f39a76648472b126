"""What Warden has seen: accounts, the event idempotency ledger, and quarantined input.

Three small SQL repositories (see :mod:`warden.store.interfaces` for the contracts). None
of them commits; the unit of work does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warden.domain.actions import Capability
from warden.errors import InputError
from warden.store.engine import insert_if_absent, insert_many_if_absent, inserted_keys
from warden.store.interfaces import Account, AccountState, QuarantinedRecord
from warden.store.schema import AccountRow, EventSeenRow, QuarantineRow

#: Events marked per statement (5 parameters each, well within SQLite's 32,766).
MARK_BATCH = 1000


class SqlAccounts:
    """Accounts and the state enforcement has put them in."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, account_id: str) -> Account | None:
        row = self._session.get(AccountRow, account_id)
        return _account(row) if row else None

    def get_or_create(self, account_id: str, first_seen: datetime) -> Account:
        """The account, created ``active`` if new (race-safe: a concurrent create wins)."""
        insert_if_absent(self._session, AccountRow, _new_account(account_id, first_seen))
        return _account(self._row(account_id))

    def ensure(self, first_seen: Mapping[str, datetime]) -> None:
        """Create every account not stored yet, ``active``, first seen at the moment given —
        one statement for a whole batch (the decision path's, where most accounts exist)."""
        if not first_seen:
            return
        insert_many_if_absent(
            self._session,
            AccountRow,
            [_new_account(account_id, at) for account_id, at in first_seen.items()],
        )

    def set_state(
        self,
        account_id: str,
        state: AccountState,
        at: datetime,
        *,
        capabilities: Sequence[Capability] = (),
        locked_until: datetime | None = None,
    ) -> Account:
        """Put the account in ``state`` (creating it if Warden has not seen it yet)."""
        if state is AccountState.LOCKED and locked_until is None:
            raise InputError(f"account {account_id!r}: state 'locked' needs locked_until")
        self.get_or_create(account_id, at)
        row = self._row(account_id, for_update=True)
        row.state = state.value
        row.restricted_capabilities = sorted({Capability(c).value for c in capabilities})
        row.locked_until = locked_until if state is AccountState.LOCKED else None
        row.updated_at = max(row.updated_at, at)
        self._session.flush()
        return _account(row)

    def add_contact_handles(self, account_id: str, handles: Sequence[str], at: datetime) -> None:
        """Remember contact handles seen on the account's profile (kept sorted, unique)."""
        self.get_or_create(account_id, at)
        row = self._row(account_id, for_update=True)
        merged = sorted(set(row.contact_handles) | set(handles))
        if merged != row.contact_handles:
            row.contact_handles = merged
            row.updated_at = max(row.updated_at, at)
            self._session.flush()

    def _row(self, account_id: str, *, for_update: bool = False) -> AccountRow:
        statement = select(AccountRow).where(AccountRow.id == account_id)
        if for_update:
            statement = statement.with_for_update()
        return self._session.scalars(statement.execution_options(populate_existing=True)).one()


def _account(row: AccountRow) -> Account:
    return Account(
        id=row.id,
        state=AccountState(row.state),
        restricted_capabilities=tuple(Capability(c) for c in row.restricted_capabilities),
        locked_until=row.locked_until,
        first_seen=row.first_seen,
        contact_handles=tuple(row.contact_handles),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _new_account(account_id: str, first_seen: datetime) -> dict[str, Any]:
    """The row of an account Warden sees for the first time: active, nothing restricted."""
    return {
        "id": account_id,
        "state": AccountState.ACTIVE.value,
        "restricted_capabilities": [],
        "contact_handles": [],
        "first_seen": first_seen,
        "created_at": first_seen,
        "updated_at": first_seen,
    }


class SqlEventsSeen:
    """The idempotency ledger: an event is processed once, however often it arrives."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def seen(self, event_id: str) -> bool:
        return self._session.get(EventSeenRow, event_id) is not None

    def mark(
        self, event_id: str, account_id: str, kind: str, ts: datetime, ingested_at: datetime
    ) -> bool:
        """Record the event; ``False`` (no error) if it was already recorded."""
        return insert_if_absent(
            self._session,
            EventSeenRow,
            {
                "event_id": event_id,
                "account_id": account_id,
                "kind": kind,
                "ts": ts,
                "ingested_at": ingested_at,
            },
        )

    def mark_many(
        self, events: Sequence[tuple[str, str, str, datetime]], ingested_at: datetime
    ) -> set[str]:
        """Record a batch of ``(event id, account id, kind, ts)`` in one statement; the ids
        this call recorded (the others were recorded before — or earlier in ``events``)."""
        fresh: set[str] = set()
        for start in range(0, len(events), MARK_BATCH):
            rows = {
                event_id: {
                    "event_id": event_id,
                    "account_id": account_id,
                    "kind": kind,
                    "ts": ts,
                    "ingested_at": ingested_at,
                }
                for event_id, account_id, kind, ts in events[start : start + MARK_BATCH]
                if event_id not in fresh
            }
            if rows:
                fresh |= inserted_keys(self._session, EventSeenRow, list(rows.values()))
        return fresh


class SqlQuarantine:
    """Input records that could not be accepted, with the field, value and reason."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        file: str,
        line: int | None,
        field: str | None,
        value: str | None,
        reason: str,
        raw: str | None,
        at: datetime,
    ) -> int:
        row = QuarantineRow(
            file=file, line=line, field=field, value=value, reason=reason, raw=raw, at=at
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def list(self, *, file: str | None = None, limit: int = 1000) -> Sequence[QuarantinedRecord]:
        statement = select(QuarantineRow).order_by(QuarantineRow.id).limit(limit)
        if file is not None:
            statement = statement.where(QuarantineRow.file == file)
        return [
            QuarantinedRecord(r.id, r.file, r.line, r.field, r.value, r.reason, r.raw, r.at)
            for r in self._session.scalars(statement)
        ]
