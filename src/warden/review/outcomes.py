"""How reviewers' verdicts settle a case: the two-person rule and friends, as pure functions.

* a **close review** needs two *different* reviewers to approve before an account is closed;
  one rejection ends it (the account stays open); an escalation hands it to a senior reviewer
  and keeps it open;
* a **cap review** (an action held because a daily cap was hit) is settled by one reviewer;
* an **appeal** is settled by one reviewer: *overturn* reverses the action, *uphold* keeps it —
  except that overturning a ``close`` again needs two reviewers, as closing did.

A reviewer may give one verdict per case; the store enforces it, and :func:`settle` also
refuses a verdict not meant for the case's kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warden.domain.actions import CaseKind, CaseStatus, ReviewVerdict
from warden.errors import WardenError

#: A reviewer's verdict (the store's and the domain's one enum).
Verdict = ReviewVerdict


ALLOWED = {
    CaseKind.CLOSE_REVIEW: frozenset({Verdict.APPROVE, Verdict.REJECT, Verdict.ESCALATE}),
    CaseKind.CAP_REVIEW: frozenset({Verdict.APPROVE, Verdict.REJECT, Verdict.ESCALATE}),
    CaseKind.APPEAL: frozenset({Verdict.OVERTURN, Verdict.UPHOLD, Verdict.ESCALATE}),
}
TWO_PERSON = 2


class ReviewError(WardenError):
    """A verdict that cannot be given (wrong kind, same reviewer twice, closed case)."""


@dataclass(frozen=True, slots=True)
class Review:
    reviewer: str
    verdict: Verdict


def check_verdict(
    kind: CaseKind, status: CaseStatus, reviews: Sequence[Review], new: Review
) -> None:
    """Raise :class:`ReviewError` unless ``new`` may be added to this case."""
    if status not in (CaseStatus.OPEN, CaseStatus.ESCALATED):
        raise ReviewError(f"the case is {status.value}; it takes no more verdicts")
    if new.verdict not in ALLOWED[kind]:
        allowed = ", ".join(sorted(v.value for v in ALLOWED[kind]))
        raise ReviewError(
            f"verdict {new.verdict.value!r} does not apply to case kind {kind.value!r}; "
            f"expected one of {allowed}"
        )
    if any(r.reviewer == new.reviewer for r in reviews):
        raise ReviewError(f"reviewer {new.reviewer!r} has already given a verdict on this case")


def settle(
    kind: CaseKind, reviews: Sequence[Review], *, closes_account: bool = False
) -> CaseStatus:
    """The case's status after ``reviews`` (in the order given).

    ``closes_account``: for an appeal, whether the contested action is a close (then an
    overturn needs two reviewers too).
    """
    status = CaseStatus.OPEN
    approvers: set[str] = set()
    overturners: set[str] = set()
    for review in reviews:
        if review.verdict is Verdict.ESCALATE:
            status = CaseStatus.ESCALATED
        elif review.verdict in (Verdict.REJECT, Verdict.UPHOLD):
            return CaseStatus.REJECTED
        elif review.verdict is Verdict.APPROVE:
            approvers.add(review.reviewer)
            needed = TWO_PERSON if kind is CaseKind.CLOSE_REVIEW else 1
            if len(approvers) >= needed:
                return CaseStatus.APPROVED
        elif review.verdict is Verdict.OVERTURN:
            overturners.add(review.reviewer)
            if len(overturners) >= (TWO_PERSON if closes_account else 1):
                return CaseStatus.OVERTURNED
    return status
