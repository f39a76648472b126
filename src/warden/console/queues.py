"""Review queues: what waits for a human, in the order it should be worked, with its deadline.

Four queues — close reviews, cap reviews, appeals and user reports — each ordered by severity
(most severe first) and then by age (oldest first), each with a service-level deadline
(:data:`SLA`): an item is *due* at its opening plus the queue's SLA, and *overdue* after.

A reviewer *claims* a case before working it: the claim locks the case to them for
:data:`CLAIM` (released by hand, by deciding, or by running out), so two reviewers never work
the same case at once; a case claimed by someone else is refused to everyone else's verdict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warden.console.reports import escalated_since
from warden.domain.actions import ActionType, CaseStatus, Severity
from warden.errors import InputError
from warden.policy import PolicyPack
from warden.policy.rules import Rule
from warden.store.cases import SqlCases
from warden.store.schema import (
    ActionRow,
    CaseClaimRow,
    CaseRow,
    EventContentRow,
    ReportTriageRow,
)

CLAIM = timedelta(minutes=20)


class Queue(StrEnum):
    CLOSE_REVIEW = "close_review"
    CAP_REVIEW = "cap_review"
    APPEAL = "appeal"
    REPORT = "report"


#: How long an item may wait before it is overdue, per queue. Closes wait on two people and
#: keep a harmful account open meanwhile; appeals keep an account shut that may be innocent.
SLA: dict[Queue, timedelta] = {
    Queue.CLOSE_REVIEW: timedelta(hours=24),
    Queue.CAP_REVIEW: timedelta(hours=8),
    Queue.APPEAL: timedelta(hours=72),
    Queue.REPORT: timedelta(hours=24),
}

SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}
#: a user report's reason → how severe it is, when the reason names a category
REPORT_SEVERITY = {
    "terror": Severity.CRITICAL,
    "csam": Severity.CRITICAL,
    "sexual_services": Severity.HIGH,
    "fraud": Severity.HIGH,
    "gambling": Severity.MEDIUM,
    "fake_documents": Severity.MEDIUM,
    "harassment": Severity.MEDIUM,
    "porn": Severity.MEDIUM,
    "spam": Severity.LOW,
}


class ClaimRefused(InputError):
    """The case is claimed by someone else."""


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a queue: a case (``case_id``) or the reports against one account."""

    queue: Queue
    key: str  # case id, or the reported account id
    account_id: str
    severity: Severity
    opened_at: datetime
    due_at: datetime
    summary: str
    status: str = "open"
    claimed_by: str | None = None
    reports: int = 0

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at

    @property
    def case_id(self) -> int | None:
        return int(self.key) if self.queue is not Queue.REPORT else None


@dataclass(frozen=True, slots=True)
class QueueSummary:
    queue: Queue
    count: int
    overdue: int
    oldest: datetime | None
    sla: timedelta


def rule_severity(rules: Mapping[str, Rule], rule_ids: list[str], action_type: str) -> Severity:
    """The most severe of the rules an action rests on (by action type when none is known)."""
    known = [rules[r].severity for r in rule_ids if r in rules]
    if known:
        return max(known, key=lambda s: SEVERITY_RANK[s.value])
    return {
        ActionType.CLOSE.value: Severity.HIGH,
        ActionType.LOCK.value: Severity.MEDIUM,
    }.get(action_type, Severity.LOW)


def case_items(session: Session, pack: PolicyPack, queue: Queue, now: datetime) -> list[Item]:
    """The open and escalated cases of ``queue``, most severe then oldest first. Reads only
    the columns a queue shows (an action's evidence can be large, a queue long)."""
    statement = (
        select(
            CaseRow.id,
            CaseRow.account_id,
            CaseRow.status,
            CaseRow.opened_at,
            CaseRow.reason,
            ActionRow.type,
            ActionRow.category,
            ActionRow.rule_ids,
            CaseClaimRow.reviewer,
        )
        .outerjoin(ActionRow, ActionRow.id == CaseRow.action_id)
        .outerjoin(
            CaseClaimRow, (CaseClaimRow.case_id == CaseRow.id) & (CaseClaimRow.expires_at > now)
        )
        .where(
            CaseRow.kind == queue.value,
            CaseRow.status.in_((CaseStatus.OPEN.value, CaseStatus.ESCALATED.value)),
        )
    )
    rules = {rule.id: rule for rule in pack.rules}
    items = []
    for (
        case_id,
        account,
        status,
        opened,
        reason,
        kind,
        category,
        rule_ids,
        holder,
    ) in session.execute(statement):
        if kind is not None:
            severity = rule_severity(rules, list(rule_ids or ()), kind)
            summary = f"{kind} · {category}"
        else:
            severity, summary = Severity.LOW, reason
        items.append(
            Item(queue, str(case_id), account, severity, opened, opened + SLA[queue],
                 summary, status, holder)
        )  # fmt: skip
    return _ordered(items)


def report_items(session: Session, now: datetime) -> list[Item]:
    """Accounts with user reports no reviewer has answered yet, one line per account."""
    answered: dict[str, datetime] = {}
    escalated: dict[str, datetime] = {}
    triaged = select(
        ReportTriageRow.target_account_id, ReportTriageRow.verdict, ReportTriageRow.reports_until
    )
    for target, verdict, until in session.execute(triaged).all():
        book = escalated if verdict == "escalate" else answered
        book[target] = max(until, book.get(target, until))
    pending: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    statement = select(
        EventContentRow.counterpart, EventContentRow.ts, EventContentRow.fields
    ).where(EventContentRow.kind == "report")
    for target, ts, fields in session.execute(statement).all():
        if target is None or (target in answered and ts <= answered[target]):
            continue
        pending[target].append((ts, str(fields.get("reason", ""))))
    items = []
    for target, reports in pending.items():
        first = min(ts for ts, _ in reports)
        reasons = sorted({reason for _, reason in reports})
        severity = max(
            (REPORT_SEVERITY.get(r, Severity.LOW) for r in reasons),
            key=lambda s: SEVERITY_RANK[s.value],
        )
        items.append(
            Item(
                Queue.REPORT,
                target,
                target,
                severity,
                first,
                first + SLA[Queue.REPORT],
                ", ".join(reasons),
                "escalated"
                if escalated_since(escalated.get(target), answered.get(target))
                else "open",
                reports=len(reports),
            )
        )
    return _ordered(items)


def items(session: Session, pack: PolicyPack, queue: Queue, now: datetime) -> list[Item]:
    if queue is Queue.REPORT:
        return report_items(session, now)
    return case_items(session, pack, queue, now)


def summaries(session: Session, pack: PolicyPack, now: datetime) -> list[QueueSummary]:
    out = []
    for queue in Queue:
        found = items(session, pack, queue, now)
        out.append(
            QueueSummary(
                queue,
                len(found),
                sum(1 for i in found if i.overdue(now)),
                min((i.opened_at for i in found), default=None),
                SLA[queue],
            )
        )
    return out


def _ordered(found: list[Item]) -> list[Item]:
    return sorted(found, key=lambda i: (-SEVERITY_RANK[i.severity.value], i.opened_at, i.key))


# -- claims ------------------------------------------------------------------------------


def claimant(session: Session, case_id: int, now: datetime) -> str | None:
    """Who holds a live claim on the case, if anyone."""
    row = session.get(CaseClaimRow, case_id, populate_existing=True)
    return row.reviewer if row is not None and row.expires_at > now else None


def claim(session: Session, case_id: int, reviewer: str, now: datetime) -> datetime:
    """Lock the case to ``reviewer`` (or extend their claim); when the claim runs out.
    Refused while someone else's claim is live."""
    row = session.get(CaseClaimRow, case_id, with_for_update=True, populate_existing=True)
    if row is not None and row.reviewer != reviewer and row.expires_at > now:
        raise ClaimRefused(
            f"case {case_id}: claimed by {row.reviewer!r} until {row.expires_at:%H:%M} UTC; "
            "expected an unclaimed case"
        )
    if row is None:
        row = CaseClaimRow(case_id=case_id, reviewer=reviewer, claimed_at=now, expires_at=now)
        session.add(row)
    row.reviewer, row.claimed_at, row.expires_at = reviewer, now, now + CLAIM
    session.flush()
    return row.expires_at


def release(session: Session, case_id: int, reviewer: str | None = None) -> None:
    """Give the claim up (``reviewer``'s own, or any claim when None)."""
    statement = delete(CaseClaimRow).where(CaseClaimRow.case_id == case_id)
    if reviewer is not None:
        statement = statement.where(CaseClaimRow.reviewer == reviewer)
    session.execute(statement)


def check_free_for(session: Session, case_id: int, reviewer: str, now: datetime) -> None:
    """Refuse when someone other than ``reviewer`` holds a live claim on the case."""
    holder = claimant(session, case_id, now)
    if holder is not None and holder != reviewer:
        raise ClaimRefused(f"case {case_id}: claimed by {holder!r}; expected your own claim")


def next_case(
    session: Session,
    pack: PolicyPack,
    queue: Queue,
    reviewer: str,
    now: datetime,
    *,
    senior: bool = False,
) -> int | None:
    """The first case of ``queue`` nobody else has claimed and ``reviewer`` has not reviewed
    (escalated cases only for a ``senior``)."""
    reviewed = SqlCases(session).reviewed_by(reviewer)
    for item in case_items(session, pack, queue, now):
        case_id = item.case_id
        if case_id is None or case_id in reviewed:
            continue
        if item.status == CaseStatus.ESCALATED.value and not senior:
            continue
        if item.claimed_by in (None, reviewer):
            return case_id
    return None


__all__ = [
    "CLAIM",
    "SLA",
    "ClaimRefused",
    "Item",
    "Queue",
    "QueueSummary",
    "claim",
    "claimant",
    "items",
    "next_case",
    "release",
    "summaries",
]
