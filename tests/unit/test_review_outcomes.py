"""The two-person rule and the other ways a case is settled."""

from __future__ import annotations

import pytest

from warden.domain.actions import CaseKind, CaseStatus
from warden.review.outcomes import Review, ReviewError, Verdict, check_verdict, settle

A, B, C = "alice", "bob", "carol"


def r(who: str, verdict: Verdict) -> Review:
    return Review(who, verdict)


def test_close_needs_two_different_approvers() -> None:
    assert settle(CaseKind.CLOSE_REVIEW, [r(A, Verdict.APPROVE)]) is CaseStatus.OPEN
    assert (
        settle(CaseKind.CLOSE_REVIEW, [r(A, Verdict.APPROVE), r(A, Verdict.APPROVE)])
        is CaseStatus.OPEN
    )
    assert (
        settle(CaseKind.CLOSE_REVIEW, [r(A, Verdict.APPROVE), r(B, Verdict.APPROVE)])
        is CaseStatus.APPROVED
    )


def test_one_rejection_ends_a_close_review() -> None:
    assert (
        settle(CaseKind.CLOSE_REVIEW, [r(A, Verdict.APPROVE), r(B, Verdict.REJECT)])
        is CaseStatus.REJECTED
    )


def test_escalation_keeps_it_open_for_a_senior() -> None:
    escalated = [r(A, Verdict.ESCALATE)]
    assert settle(CaseKind.CLOSE_REVIEW, escalated) is CaseStatus.ESCALATED
    done = [*escalated, r(B, Verdict.APPROVE), r(C, Verdict.APPROVE)]
    assert settle(CaseKind.CLOSE_REVIEW, done) is CaseStatus.APPROVED


def test_cap_review_and_appeals_take_one_reviewer() -> None:
    assert settle(CaseKind.CAP_REVIEW, [r(A, Verdict.APPROVE)]) is CaseStatus.APPROVED
    assert settle(CaseKind.APPEAL, [r(A, Verdict.OVERTURN)]) is CaseStatus.OVERTURNED
    assert settle(CaseKind.APPEAL, [r(A, Verdict.UPHOLD)]) is CaseStatus.REJECTED


def test_overturning_a_close_needs_two() -> None:
    one = [r(A, Verdict.OVERTURN)]
    assert settle(CaseKind.APPEAL, one, closes_account=True) is CaseStatus.OPEN
    assert (
        settle(CaseKind.APPEAL, [*one, r(B, Verdict.OVERTURN)], closes_account=True)
        is CaseStatus.OVERTURNED
    )


@pytest.mark.parametrize(
    ("kind", "status", "earlier", "new", "message"),
    [
        (CaseKind.CLOSE_REVIEW, CaseStatus.OPEN, [r(A, Verdict.APPROVE)], r(A, Verdict.APPROVE), "already given a verdict"),
        (CaseKind.APPEAL, CaseStatus.OPEN, [], r(A, Verdict.APPROVE), "does not apply to case kind 'appeal'"),
        (CaseKind.CLOSE_REVIEW, CaseStatus.APPROVED, [], r(C, Verdict.REJECT), "takes no more verdicts"),
    ],
)  # fmt: skip
def test_verdicts_that_cannot_be_given(
    kind: CaseKind, status: CaseStatus, earlier: list[Review], new: Review, message: str
) -> None:
    with pytest.raises(ReviewError, match=message):
        check_verdict(kind, status, earlier, new)
