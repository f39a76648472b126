"""Actions a person starts: a confirmed user report, a bulk action on a ring.

A moderator does not pick "close" by hand; they confirm a finding (category and severity),
and the account's ladder decides the action exactly as it would for a rule — so a person's
strike and a rule's strike count alike, a close still goes to two reviewers, and caps still
hold. :func:`plan_manual` previews that plan for each account without writing;
:func:`apply_manual` plans again inside the writing transaction (the standing may have
moved since the preview) and applies it, with the batch id in every decision's evidence
and one audit record for the batch.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from warden.domain.actions import Decision, Evidence, Severity
from warden.enforce.decide import StoredStanding, apply_plan, plan_decisions
from warden.enforce.planner import Plan
from warden.errors import InputError
from warden.policy import PolicyPack
from warden.store.unit_of_work import UnitOfWork

#: Most accounts one bulk action may touch; a larger ring is acted on in reviewed parts.
BULK_CAP = 200


@dataclass(frozen=True, slots=True)
class Planned:
    """What the ladder would do to one account: an action, or why nothing."""

    account_id: str
    action: str | None  # "close (review)", "lock 7 days", … or None
    why_not: str | None = None

    @property
    def line(self) -> str:
        return f"{self.account_id}={self.action or 'none: ' + (self.why_not or '')}"


def parse_severity(value: str) -> Severity:
    """The severity a form sent (an :class:`InputError` naming it when it is none)."""
    try:
        return Severity(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Severity)
        raise InputError(f"severity: {value!r}; expected one of {allowed}") from None


def decision_for(
    pack: PolicyPack,
    account_id: str,
    rule_id: str,
    category: str,
    severity: Severity,
    at: datetime,
    evidence: Sequence[Evidence],
) -> Decision:
    if category not in pack.categories:
        raise InputError(
            f"category: {category!r} is not a category of the policy; expected one of "
            f"{', '.join(pack.categories)}"
        )
    return Decision(
        account_id=account_id,
        rule_id=rule_id,
        category=category,
        severity=Severity(severity),
        confidence=1.0,
        at=at,
        policy_version=pack.policy_version,
        evidence=tuple(evidence),
    )


def _plan_one(uow: UnitOfWork, pack: PolicyPack, decision: Decision) -> Plan:
    source = StoredStanding(uow, pack)
    return plan_decisions(
        pack,
        None,
        frozenset(),
        [decision],
        source.standing(decision.account_id, decision.at),
        source.applied_on,
    )


def describe(plan: Plan) -> tuple[str | None, str | None]:
    if not plan.actions:
        return None, plan.set_aside[0][1].value if plan.set_aside else "nothing to do"
    action = plan.actions[0]
    text = action.type.value
    if action.until is not None:
        text += f" until {action.until:%Y-%m-%d}"
    if action.capabilities:
        text += " (" + ", ".join(c.value for c in action.capabilities) + ")"
    if action.needs_review is not None:
        text += f" → {action.needs_review.value}"
    return text, None


def plan_manual(uow: UnitOfWork, pack: PolicyPack, decisions: Sequence[Decision]) -> list[Planned]:
    """The preview: what each decision would lead to now (nothing is written)."""
    if len(decisions) > BULK_CAP:
        raise InputError(
            f"accounts: {len(decisions)} in one bulk action; expected at most {BULK_CAP}"
        )
    return [Planned(d.account_id, *describe(_plan_one(uow, pack, d))) for d in decisions]


def digest(planned: Sequence[Planned]) -> str:
    """A short hash of a preview: the confirmation carries it, so what is applied is what
    the moderator saw (a changed plan asks for a new preview)."""
    return hashlib.sha256("\n".join(p.line for p in planned).encode()).hexdigest()[:16]


def apply_manual(
    uow: UnitOfWork,
    pack: PolicyPack,
    make: Callable[[str], Sequence[Decision]],
    actor: str,
    confirmed: str | None,
    subject: str,
    what: str,
) -> tuple[str, list[Planned], list[int]]:
    """Plan again and apply, if the plan is still the one confirmed (``confirmed``: the
    preview's digest; None when no preview was shown): ``(batch id, the plan, the action
    ids)``. ``make(batch id)`` builds the decisions, carrying the batch id in their evidence.

    Each account is planned once more just before its action is applied: an action applied
    to an earlier account counts towards the day's caps the later ones are planned against."""
    batch = f"batch-{uuid.uuid4().hex[:12]}"
    decisions = make(batch)
    planned = plan_manual(uow, pack, decisions)
    if confirmed is not None and digest(planned) != confirmed:
        raise InputError(
            "confirmation: the plan changed since the preview (an account's standing moved); "
            "expected a fresh preview"
        )
    action_ids: list[int] = []
    for decision in decisions:
        plan = _plan_one(uow, pack, decision)
        action_ids += [record.id for record in apply_plan(uow, [decision], plan, actor)]
    uow.audit.append(
        what,
        subject,
        {
            "batch": batch,
            "accounts": [d.account_id for d in decisions],
            "category": decisions[0].category if decisions else None,
            "severity": decisions[0].severity.value if decisions else None,
            "actions": action_ids,
            "plan": [p.line for p in planned],
        },
        actor=actor,
    )
    return batch, planned, action_ids
