"""Cases for human review and appeals, and the reviews given on them (SQL repository).

A case's status changes only through :meth:`SqlCases.set_status`, which enforces
:data:`warden.domain.actions.CASE_TRANSITIONS`; a final status stamps ``closed_at``. Each
reviewer reviews a case at most once (the key of ``case_reviews``), checked race-safely.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warden.domain.actions import (
    CASE_TRANSITIONS,
    CaseKind,
    CaseStatus,
    ReviewVerdict,
    check_transition,
)
from warden.errors import InputError
from warden.store.engine import insert_if_absent
from warden.store.interfaces import Case, CaseReview
from warden.store.schema import CaseReviewRow, CaseRow


class SqlCases:
    """Review tasks and appeals."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open(
        self,
        kind: CaseKind,
        account_id: str,
        reason: str,
        at: datetime,
        action_id: int | None = None,
    ) -> Case:
        row = CaseRow(
            kind=kind.value,
            status=CaseStatus.OPEN.value,
            account_id=account_id,
            action_id=action_id,
            opened_at=at,
            reason=reason,
        )
        self._session.add(row)
        self._session.flush()
        return _case(row)

    def get(self, case_id: int) -> Case | None:
        row = self._session.get(CaseRow, case_id)
        return _case(row) if row else None

    def set_status(self, case_id: int, status: CaseStatus, at: datetime) -> Case:
        """Move the case to ``status`` if allowed (else TransitionError); final states close it."""
        row = self._row(case_id, for_update=True)
        check_transition(CASE_TRANSITIONS, CaseStatus(row.status), status, f"case {case_id}")
        row.status = status.value
        if not CASE_TRANSITIONS[status]:
            row.closed_at = at
        self._session.flush()
        return _case(row)

    def add_review(
        self, case_id: int, reviewer: str, verdict: ReviewVerdict, note: str, at: datetime
    ) -> CaseReview:
        """Record one reviewer's verdict; a second review by the same reviewer is refused."""
        row = self._row(case_id)
        if not CASE_TRANSITIONS[CaseStatus(row.status)]:
            raise InputError(f"case {case_id}: is {row.status!r} (closed); expected an open case")
        values = {
            "case_id": case_id,
            "reviewer": reviewer,
            "verdict": ReviewVerdict(verdict).value,
            "note": note,
            "at": at,
        }
        if not insert_if_absent(self._session, CaseReviewRow, values):
            raise InputError(
                f"reviewer: {reviewer!r} has already reviewed case {case_id}; "
                "expected a reviewer who has not"
            )
        return CaseReview(case_id, reviewer, ReviewVerdict(verdict), note, at)

    def reviews_for(self, case_id: int) -> Sequence[CaseReview]:
        statement = (
            select(CaseReviewRow)
            .where(CaseReviewRow.case_id == case_id)
            .order_by(CaseReviewRow.at, CaseReviewRow.reviewer)
        )
        return [
            CaseReview(r.case_id, r.reviewer, ReviewVerdict(r.verdict), r.note, r.at)
            for r in self._session.scalars(statement)
        ]

    def reviewed_by(self, reviewer: str) -> set[int]:
        """The ids of the cases ``reviewer`` has given a verdict on."""
        statement = select(CaseReviewRow.case_id).where(CaseReviewRow.reviewer == reviewer)
        return set(self._session.scalars(statement))

    def list(
        self,
        *,
        status: CaseStatus | None = None,
        kind: CaseKind | None = None,
        account_id: str | None = None,
    ) -> Sequence[Case]:
        """Cases matching the filters, oldest first."""
        statement = select(CaseRow).order_by(CaseRow.opened_at, CaseRow.id)
        if status is not None:
            statement = statement.where(CaseRow.status == status.value)
        if kind is not None:
            statement = statement.where(CaseRow.kind == kind.value)
        if account_id is not None:
            statement = statement.where(CaseRow.account_id == account_id)
        return [_case(row) for row in self._session.scalars(statement)]

    def _row(self, case_id: int, *, for_update: bool = False) -> CaseRow:
        statement = select(CaseRow).where(CaseRow.id == case_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.scalars(statement.execution_options(populate_existing=True)).first()
        if row is None:
            raise InputError(f"case_id: no case {case_id}")
        return row


def _case(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        kind=CaseKind(row.kind),
        status=CaseStatus(row.status),
        account_id=row.account_id,
        action_id=row.action_id,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        reason=row.reason,
    )
