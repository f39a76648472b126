"""What the rest of Warden may ask of storage: record types and one Protocol per repository.

Pure code (the enforcement executor, review, reports) depends on these Protocols, never on
SQLAlchemy; :mod:`warden.store.unit_of_work` gives the SQL implementation, and a test or a
sweep may supply its own. Every repository works inside a unit of work and never commits:
:class:`UnitOfWorkPort` owns the transaction, so an action, its strike, its audit record and
its outbox message are written together or not at all.

Repositories take and return the domain's types where they exist (:class:`Decision`,
:class:`PlannedAction`); the records below add what only storage knows (ids, status
timestamps). All datetimes are timezone-aware; they come back in UTC.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol, Self

from warden.audit.chain import AuditRecord
from warden.domain.actions import (
    ActionStatus,
    Capability,
    CaseKind,
    CaseStatus,
    Decision,
    PlannedAction,
    ReviewVerdict,
)
from warden.domain.outbox import OutgoingMessage
from warden.domain.rings import Ring


class AccountState(StrEnum):
    """Where an account stands on the platform, as far as Warden has enforced."""

    ACTIVE = "active"
    RESTRICTED = "restricted"
    LOCKED = "locked"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Account:
    """An account as Warden knows it."""

    id: str
    state: AccountState
    restricted_capabilities: tuple[Capability, ...]
    locked_until: datetime | None
    first_seen: datetime
    contact_handles: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    """An input record that could not be accepted, kept with why."""

    id: int
    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str
    raw: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """A stored action: the planner's :class:`PlannedAction` plus its id and life so far."""

    id: int
    action: PlannedAction
    status: ActionStatus
    created_at: datetime
    applied_at: datetime | None
    reversed_at: datetime | None
    reversal_reason: str | None


@dataclass(frozen=True, slots=True)
class Case:
    """A review task or an appeal."""

    id: int
    kind: CaseKind
    status: CaseStatus
    account_id: str
    action_id: int | None
    opened_at: datetime
    closed_at: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class CaseReview:
    """One reviewer's verdict on one case (a reviewer reviews a case at most once)."""

    case_id: int
    reviewer: str
    verdict: ReviewVerdict
    note: str
    at: datetime


class Accounts(Protocol):
    def get(self, account_id: str) -> Account | None: ...

    def get_or_create(self, account_id: str, first_seen: datetime) -> Account: ...

    def ensure(self, first_seen: Mapping[str, datetime]) -> None: ...

    def set_state(
        self,
        account_id: str,
        state: AccountState,
        at: datetime,
        *,
        capabilities: Sequence[Capability] = (),
        locked_until: datetime | None = None,
    ) -> Account: ...

    def add_contact_handles(
        self, account_id: str, handles: Sequence[str], at: datetime
    ) -> None: ...


class EventsSeen(Protocol):
    def seen(self, event_id: str) -> bool: ...

    def mark(
        self, event_id: str, account_id: str, kind: str, ts: datetime, ingested_at: datetime
    ) -> bool: ...

    def mark_many(
        self, events: Sequence[tuple[str, str, str, datetime]], ingested_at: datetime
    ) -> set[str]: ...


class Quarantine(Protocol):
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
    ) -> int: ...

    def list(
        self, *, file: str | None = None, limit: int = 1000
    ) -> Sequence[QuarantinedRecord]: ...


class Decisions(Protocol):
    def add(self, decision: Decision) -> int: ...

    def list_for_account(self, account_id: str) -> Sequence[Decision]: ...


class Actions(Protocol):
    def add(self, action: PlannedAction, status: ActionStatus | None = None) -> ActionRecord: ...

    def get(self, action_id: int) -> ActionRecord | None: ...

    def set_status(
        self, action_id: int, status: ActionStatus, at: datetime, reason: str | None = None
    ) -> ActionRecord: ...

    def count_today(
        self,
        day: date,
        *,
        rule_id: str | None = None,
        category: str | None = None,
        statuses: Collection[ActionStatus] | None = None,
    ) -> int: ...

    def list(
        self,
        *,
        account_id: str | None = None,
        status: ActionStatus | None = None,
        category: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> Sequence[ActionRecord]: ...


class Strikes(Protocol):
    def add(
        self, account_id: str, category: str, action_id: int | None, count: int, at: datetime
    ) -> int: ...

    def active_for(self, account_id: str, category: str, now: datetime, decay_days: int) -> int: ...

    def given(self, account_id: str) -> Sequence[tuple[str, int, datetime]]:
        """(category, count, given at) of the account's strikes not removed, oldest first."""
        ...

    def remove_for_action(self, action_id: int, at: datetime) -> int: ...


class Cases(Protocol):
    def open(
        self,
        kind: CaseKind,
        account_id: str,
        reason: str,
        at: datetime,
        action_id: int | None = None,
    ) -> Case: ...

    def get(self, case_id: int) -> Case | None: ...

    def set_status(self, case_id: int, status: CaseStatus, at: datetime) -> Case: ...

    def add_review(
        self, case_id: int, reviewer: str, verdict: ReviewVerdict, note: str, at: datetime
    ) -> CaseReview: ...

    def reviews_for(self, case_id: int) -> Sequence[CaseReview]: ...

    def list(
        self,
        *,
        status: CaseStatus | None = None,
        kind: CaseKind | None = None,
        account_id: str | None = None,
    ) -> Sequence[Case]: ...


class Outbox(Protocol):
    """Messages to the platform; also satisfies :class:`warden.enforce.webhooks.OutboxPort`."""

    def add(self, account_id: str, payload: Mapping[str, Any], at: datetime) -> int: ...

    def due(self, now: datetime, limit: int) -> Sequence[OutgoingMessage]: ...

    def mark_delivered(self, message_id: int, at: datetime) -> None: ...

    def mark_failed(
        self, message_id: int, error: str, next_attempt_at: datetime, dead: bool
    ) -> None: ...


class Rings(Protocol):
    """Rings found by sweeps, with every member's evidence (:class:`Ring`, :class:`RingLink`).

    ``add`` is idempotent by ``ring_id`` so an interrupted sweep can simply run again: a
    ring already stored is left exactly as it is. Rings come back with ``members`` sorted
    and ``links`` grouped by member (in member order), each member's links in the order
    they were added.
    """

    def add(self, ring: Ring) -> bool: ...

    def get(self, ring_id: str) -> Ring | None: ...

    def for_account(self, account_id: str) -> list[Ring]: ...

    def list(self, sweep_id: str | None = None, limit: int | None = None) -> list[Ring]: ...

    def size_counts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> dict[int, int]: ...

    def member_count(self, since: datetime | None = None, until: datetime | None = None) -> int: ...


class AuditTrail(Protocol):
    def append(
        self,
        kind: str,
        subject: str,
        payload: Mapping[str, Any],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> AuditRecord: ...


class UnitOfWorkPort(Protocol):
    """One transaction: use as a context manager; nothing is kept unless :meth:`commit` runs."""

    @property
    def accounts(self) -> Accounts: ...

    @property
    def events_seen(self) -> EventsSeen: ...

    @property
    def quarantine(self) -> Quarantine: ...

    @property
    def decisions(self) -> Decisions: ...

    @property
    def actions(self) -> Actions: ...

    @property
    def strikes(self) -> Strikes: ...

    @property
    def cases(self) -> Cases: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def rings(self) -> Rings: ...

    @property
    def audit(self) -> AuditTrail: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
