"""Reviewer quality assurance: decided cases come back, blind, to a second reviewer.

When a case is settled, a fixed share of cases (``WARDEN_CONSOLE_QA_SHARE``, 10% by default)
is drawn for QA — by a hash of the case id, so the draw is reproducible and no reviewer can
steer it. A different reviewer answers the same case without seeing the first verdict; the
two agree or not. Agreement per reviewer says who needs coaching; agreement per rule, with
the share of the rule's appeals that were overturned, says which rule the policy lead should
look at — a rule reviewers keep disagreeing with or overturning is a rule that is wrong.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warden.domain.actions import CaseKind, CaseStatus
from warden.errors import InputError
from warden.store.cases import SqlCases
from warden.store.engine import insert_if_absent
from warden.store.schema import ActionRow, CaseReviewRow, CaseRow, QaReviewRow

#: a rule whose decisions are overturned or disagreed with this often is shown as a problem
TROUBLE = 0.3


def drawn(case_id: int, share: float) -> bool:
    """Whether the case is drawn for QA (stable: the same case, the same answer)."""
    digest = hashlib.sha256(f"qa:{case_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def sample(
    session: Session, case_id: int, reviewer: str, verdict: str, now: datetime, share: float
) -> bool:
    """Draw a just-settled case for QA (True when drawn and recorded)."""
    if not drawn(case_id, share):
        return False
    row = session.get(CaseRow, case_id)
    rule_id = None
    if row is not None and row.action_id is not None:
        action = session.get(ActionRow, row.action_id)
        rule_id = action.rule_ids[0] if action is not None and action.rule_ids else None
    return insert_if_absent(
        session,
        QaReviewRow,
        {
            "case_id": case_id,
            "rule_id": rule_id,
            "first_reviewer": reviewer,
            "first_verdict": verdict,
            "sampled_at": now,
        },
    )


def pending(session: Session, reviewer: str) -> list[QaReviewRow]:
    """QA items waiting for a second reviewer — none that ``reviewer`` reviewed first."""
    reviewed = SqlCases(session).reviewed_by(reviewer)
    rows = session.scalars(
        select(QaReviewRow).where(QaReviewRow.qa_verdict.is_(None)).order_by(QaReviewRow.sampled_at)
    )
    return [r for r in rows if r.case_id not in reviewed]


def answer(session: Session, case_id: int, reviewer: str, verdict: str, now: datetime) -> bool:
    """Record the blind second verdict; whether it agrees with the first."""
    row = session.get(QaReviewRow, case_id, with_for_update=True)
    if row is None:
        raise InputError(f"case_id: case {case_id} is not drawn for QA")
    if row.qa_verdict is not None:
        raise InputError(f"case_id: QA of case {case_id} is already answered")
    first = session.get(CaseReviewRow, (case_id, reviewer))
    if first is not None or row.first_reviewer == reviewer:
        raise InputError(
            f"reviewer: {reviewer!r} reviewed case {case_id}; expected a second reviewer"
        )
    row.qa_reviewer, row.qa_verdict, row.at = reviewer, verdict, now
    row.agreed = verdict == row.first_verdict
    session.flush()
    return bool(row.agreed)


@dataclass(frozen=True, slots=True)
class Agreement:
    name: str  # reviewer or rule
    answered: int
    agreed: int
    appeals: int = 0
    overturned: int = 0

    @property
    def rate(self) -> float | None:
        return self.agreed / self.answered if self.answered else None

    @property
    def overturn_rate(self) -> float | None:
        return self.overturned / self.appeals if self.appeals else None

    @property
    def trouble(self) -> bool:
        disagree = 1 - self.rate if self.rate is not None else 0.0
        return disagree >= TROUBLE or (self.overturn_rate or 0.0) >= TROUBLE


def agreement(session: Session) -> tuple[list[Agreement], list[Agreement]]:
    """Agreement per first reviewer, and per rule (with its appeals' overturn rate)."""
    by_reviewer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in session.scalars(select(QaReviewRow).where(QaReviewRow.qa_verdict.is_not(None))):
        by_reviewer[row.first_reviewer][0] += 1
        by_reviewer[row.first_reviewer][1] += int(bool(row.agreed))
        if row.rule_id:
            by_rule[row.rule_id][0] += 1
            by_rule[row.rule_id][1] += int(bool(row.agreed))
    decided = session.execute(
        select(CaseRow.status, ActionRow.rule_ids)
        .join(ActionRow, ActionRow.id == CaseRow.action_id)
        .where(
            CaseRow.kind == CaseKind.APPEAL.value,
            CaseRow.status.in_((CaseStatus.OVERTURNED.value, CaseStatus.REJECTED.value)),
        )
    )
    for status, rule_ids in decided:
        for rule in rule_ids or ():
            by_rule[rule][2] += 1
            by_rule[rule][3] += int(status == CaseStatus.OVERTURNED.value)
    reviewers = [Agreement(n, a, g) for n, (a, g) in sorted(by_reviewer.items())]
    rules = [Agreement(n, a, g, p, o) for n, (a, g, p, o) in sorted(by_rule.items())]
    rules.sort(key=lambda r: (not r.trouble, r.name))
    return reviewers, rules
