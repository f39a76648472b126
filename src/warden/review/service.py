"""Human decisions on cases, and their effects: approve a close, overturn an appeal, reverse.

Each function runs inside the caller's unit of work: the verdict, the case's new status, the
action it applies or reverses, the account's new standing, the audit records and the message
to the platform are committed together.
"""

from __future__ import annotations

from datetime import datetime

from warden.domain.actions import ActionStatus, ActionType, CaseKind, CaseStatus
from warden.enforce import executor
from warden.review.outcomes import Review, ReviewError, Verdict, check_verdict, settle
from warden.store.interfaces import Case, UnitOfWorkPort


def decide(
    uow: UnitOfWorkPort,
    case_id: int,
    reviewer: str,
    verdict: Verdict,
    at: datetime,
    note: str = "",
) -> Case:
    """Record ``reviewer``'s verdict on a case and carry out what it settles."""
    case = uow.cases.get(case_id)
    if case is None:
        raise ReviewError(f"case {case_id} does not exist")
    earlier = [Review(r.reviewer, r.verdict) for r in uow.cases.reviews_for(case_id)]
    new = Review(reviewer, verdict)
    check_verdict(case.kind, case.status, earlier, new)
    uow.cases.add_review(case_id, reviewer, verdict, note, at)
    uow.audit.append(
        "review",
        case.account_id,
        {"case": case_id, "kind": case.kind.value, "verdict": verdict.value, "note": note},
        actor=reviewer,
        at=at,
    )
    action = uow.actions.get(case.action_id) if case.action_id is not None else None
    closes = action is not None and action.action.type is ActionType.CLOSE
    status = settle(case.kind, [*earlier, new], closes_account=closes)
    if status is case.status:
        return case
    case = uow.cases.set_status(case_id, status, at)
    uow.audit.append(
        "case",
        case.account_id,
        {"case": case_id, "kind": case.kind.value, "status": status.value},
        actor=reviewer,
        at=at,
    )
    if case.action_id is None:
        return case
    if case.kind is CaseKind.APPEAL:
        if status is CaseStatus.OVERTURNED:
            executor.reverse(uow, case.action_id, at, reviewer, f"appeal {case_id} overturned")
    elif status is CaseStatus.APPROVED:
        executor.apply_held(uow, case.action_id, at, reviewer)
    elif status is CaseStatus.REJECTED:
        executor.drop_held(uow, case.action_id, at, reviewer, f"case {case_id} rejected")
    return case


def appeal(
    uow: UnitOfWorkPort, action_id: int, reason: str, at: datetime, appellant: str | None = None
) -> Case:
    """The account contests an applied action: open an appeal case."""
    record = uow.actions.get(action_id)
    if record is None:
        raise ReviewError(f"action {action_id} does not exist")
    if record.status is not ActionStatus.APPLIED:
        raise ReviewError(
            f"action {action_id} is {record.status.value}; only an applied action can be appealed"
        )
    account = record.action.account_id
    if any(
        c.action_id == action_id and c.status in (CaseStatus.OPEN, CaseStatus.ESCALATED)
        for c in uow.cases.list(kind=CaseKind.APPEAL)
    ):
        raise ReviewError(f"action {action_id} already has an open appeal")
    case = uow.cases.open(CaseKind.APPEAL, account, reason, at, action_id=action_id)
    uow.audit.append(
        "appeal",
        account,
        {"case": case.id, "action": action_id, "reason": reason},
        actor=appellant or account,
        at=at,
    )
    return case


def reverse_action(
    uow: UnitOfWorkPort, action_id: int, actor: str, reason: str, at: datetime
) -> None:
    """A manual reversal by staff (for example after a platform-side mistake)."""
    record = uow.actions.get(action_id)
    if record is None:
        raise ReviewError(f"action {action_id} does not exist")
    if record.status is not ActionStatus.APPLIED:
        raise ReviewError(
            f"action {action_id} is {record.status.value}; only an applied action can be reversed"
        )
    executor.reverse(uow, action_id, at, actor, reason)
