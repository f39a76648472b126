"""Decisions, actions and cases: what Warden decides about accounts and what it does.

Pure data and the state machines that govern it (no I/O). A *decision* is a rule's finding
about one account ("escort ad with a contact handle, severity high"); the planner turns
decisions into *actions* along the category's strike ladder; actions that need a human — a
``close`` without auto-close, anything over a cap — open a *case*; an appeal is a case too.

Every state that changes over time is a ``str`` enum whose allowed transitions live next to
it (``ACTION_TRANSITIONS``, ``CASE_TRANSITIONS``); :func:`check_transition` is the one place
that enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from warden.errors import WardenError


class Severity(StrEnum):
    """How bad one finding is; ladders turn severities into strikes."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ActionType(StrEnum):
    """What can be done to an account, mildest first."""

    WARN = "warn"
    RESTRICT = "restrict"
    LOCK = "lock"
    CLOSE = "close"

    @property
    def rank(self) -> int:
        return list(ActionType).index(self)


class Capability(StrEnum):
    """What a ``restrict`` action can take away."""

    MESSAGE_STRANGERS = "message_strangers"
    ADD_FRIENDS = "add_friends"
    CREATE_GROUP = "create_group"
    SEND_LINKS = "send_links"
    PAYMENTS = "payments"
    PUBLISH = "publish"


class ActionStatus(StrEnum):
    """Life of an action."""

    PENDING_REVIEW = "pending_review"  # waiting for a human (a close, or over a cap)
    APPLIED = "applied"  # in force, sent to the platform
    REJECTED = "rejected"  # a reviewer said no before it was applied
    REVERSED = "reversed"  # undone after it was applied (overturned appeal, manual reversal)
    EXPIRED = "expired"  # a restrict/lock whose time ran out


ACTION_TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.PENDING_REVIEW: frozenset({ActionStatus.APPLIED, ActionStatus.REJECTED}),
    ActionStatus.APPLIED: frozenset({ActionStatus.REVERSED, ActionStatus.EXPIRED}),
    ActionStatus.REJECTED: frozenset(),
    ActionStatus.REVERSED: frozenset(),
    ActionStatus.EXPIRED: frozenset(),
}


class CaseKind(StrEnum):
    """Why a human is asked."""

    CLOSE_REVIEW = "close_review"  # a close that needs two approvals
    CAP_REVIEW = "cap_review"  # an action held because a cap was hit
    APPEAL = "appeal"  # the account contests an applied action


class CaseStatus(StrEnum):
    """Life of a case.

    Reviews end ``approved`` (the held action is applied) or ``rejected`` (it is dropped);
    appeals end ``overturned`` (the action is reversed, its strike removed) or ``rejected``
    (the action stands). ``escalated`` hands a case to a senior reviewer.
    """

    OPEN = "open"
    ESCALATED = "escalated"
    APPROVED = "approved"
    REJECTED = "rejected"
    OVERTURNED = "overturned"


CASE_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset(
        {CaseStatus.ESCALATED, CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.OVERTURNED}
    ),
    CaseStatus.ESCALATED: frozenset(
        {CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.OVERTURNED}
    ),
    CaseStatus.APPROVED: frozenset(),
    CaseStatus.REJECTED: frozenset(),
    CaseStatus.OVERTURNED: frozenset(),
}


class ReviewVerdict(StrEnum):
    """A reviewer's answer on a case (``uphold``/``overturn`` are for appeals)."""

    APPROVE = "approve"
    REJECT = "reject"
    ESCALATE = "escalate"
    OVERTURN = "overturn"
    UPHOLD = "uphold"


class TransitionError(WardenError):
    """A state change that the state machine does not allow."""


def check_transition(
    table: dict[Any, frozenset[Any]], current: StrEnum, target: StrEnum, what: str
) -> None:
    """Raise :class:`TransitionError` unless ``current → target`` is allowed."""
    if target not in table[current]:
        allowed = sorted(str(s) for s in table[current]) or ["none: final state"]
        raise TransitionError(
            f"{what}: cannot go from {current.value!r} to {target.value!r}; allowed: {allowed}"
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """A pointer to why: an event, a lexicon match, an entity, a feature value, a ring."""

    kind: str  # "event" | "match" | "entity" | "media" | "feature" | "ring"
    ref: str  # event id, "term@event", entity value, feature name, ring id
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule's finding about one account at one moment, under one policy version."""

    account_id: str
    rule_id: str
    category: str
    severity: Severity
    confidence: float
    at: datetime
    policy_version: str
    campaign: str | None = None
    evidence: tuple[Evidence, ...] = ()
    auto_close: bool = False
    jump_to: ActionType | None = None  # severe findings may skip ladder rungs
    #: when the newest content the rule read was written (None: the rule reads behaviour
    #: only); one message never earns the same rule two strikes (warden.enforce.planner)
    content_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """What the planner wants done; the executor gives it an id and applies or holds it."""

    account_id: str
    type: ActionType
    category: str
    rule_ids: tuple[str, ...]
    reason: str
    policy_version: str
    campaign: str | None
    at: datetime
    strikes_after: int
    strikes_given: int = 1
    capabilities: tuple[Capability, ...] = ()
    until: datetime | None = None
    needs_review: CaseKind | None = None  # close review, or a cap that was hit
    evidence: tuple[Evidence, ...] = ()
    actor: str = "warden"
    extra: dict[str, Any] = field(default_factory=dict)
