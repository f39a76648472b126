"""User reports: a reviewer answers the reports against one account at once.

*Dismiss* answers them with no action; *confirm* says the account did break the policy in a
category, and the account's ladder decides the action as for any rule
(:mod:`warden.console.manual`); *escalate* leaves them waiting, marked for a senior. An
answer covers the reports up to the newest one the reviewer saw, so a report arriving while
they read comes back to the queue instead of being answered unseen.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warden.console import manual
from warden.domain.actions import Evidence
from warden.errors import InputError
from warden.policy import PolicyPack
from warden.store.schema import ReportTriageRow
from warden.store.unit_of_work import UnitOfWork

VERDICTS = ("dismiss", "confirm", "escalate")


class EscalatedToSenior(InputError):
    """Reports escalated to a senior, answered by someone who is not."""


def answered_until(session: Session, account_id: str) -> datetime | None:
    """The newest report moment a dismiss or confirm has covered for the account."""
    return session.scalar(
        select(func.max(ReportTriageRow.reports_until)).where(
            ReportTriageRow.target_account_id == account_id,
            ReportTriageRow.verdict.in_(("dismiss", "confirm")),
        )
    )


def escalated(session: Session, account_id: str) -> bool:
    """Whether the account's pending reports were escalated (to a senior) since the last
    answer."""
    last = session.scalar(
        select(func.max(ReportTriageRow.reports_until)).where(
            ReportTriageRow.target_account_id == account_id, ReportTriageRow.verdict == "escalate"
        )
    )
    return escalated_since(last, answered_until(session, account_id))


def escalated_since(escalated: datetime | None, answered: datetime | None) -> bool:
    """Whether an escalation (its reports up to ``escalated``) is newer than the last answer."""
    return escalated is not None and (answered is None or escalated > answered)


def triage(
    uow: UnitOfWork,
    pack: PolicyPack,
    account_id: str,
    reviewer: str,
    verdict: str,
    category: str,
    severity: str,
    note: str,
    now: datetime,
    *,
    senior: bool = False,
) -> list[int]:
    """Answer the account's pending reports; the ids of the actions a confirmation took.
    Escalated reports are answered by a ``senior`` only."""
    if verdict not in VERDICTS:
        raise InputError(f"verdict: {verdict!r}; expected one of {', '.join(VERDICTS)}")
    if verdict != "escalate" and not senior and escalated(uow.session, account_id):
        raise EscalatedToSenior(
            f"account_id: the reports against {account_id!r} are escalated; expected a senior"
        )
    pending = uow.content.reports_against(account_id, answered_until(uow.session, account_id))
    if not pending:
        raise InputError(f"account_id: no pending reports against {account_id!r}")
    newest = max(report.ts for report in pending)
    action_ids: list[int] = []
    if verdict == "confirm":
        evidence = [Evidence("report", r.event_id, f"reported by {r.account_id}") for r in pending]
        decision = manual.decision_for(
            pack, account_id, "console.user_report", category, manual.parse_severity(severity),
            now, evidence,
        )  # fmt: skip
        _batch, _plan, action_ids = manual.apply_manual(
            uow, pack, lambda _batch: [decision], reviewer, None, account_id, "report_confirmed"
        )
    uow.session.add(
        ReportTriageRow(
            target_account_id=account_id,
            reviewer=reviewer,
            verdict=verdict,
            category=category or None,
            reports_until=newest,
            note=note[:2000],
            at=now,
        )
    )
    if verdict != "confirm":
        uow.audit.append(
            "report_triage",
            account_id,
            {"verdict": verdict, "reports": [r.event_id for r in pending], "note": note[:2000]},
            actor=reviewer,
            at=now,
        )
    return action_ids
