"""The planner: decisions in, actions out — pure, so online ingestion and sweeps agree.

Given the rules that fired for one account and where the account stands (its state, live
restrictions, active strikes per category, open close reviews), the planner decides what to
do under the policy's ladders, caps and safety valves. It reads nothing and writes nothing;
the executor applies what it returns.

The rules it follows, in order:

1. a closed account gets nothing more;
2. decisions of paused rules (too many overturned appeals) are dropped, and so is a rule that
   already struck this account within the cooldown (one incident, one strike: ten copies of
   the same ad in a minute are one offence, not ten) — or that struck it before and reads no
   content written since that incident (a payment or a login an hour later re-evaluates the
   rule over the same old message: one message, one strike; see :func:`struck_already`);
3. per category, the strongest decision (severity, then confidence) is the one acted on;
4. its ladder (shifted by an active campaign) says which action the new strike count leads
   to; ``jump_to`` may make it harsher, never milder;
5. an action that would change nothing is not planned (a lock shorter than the lock in
   force, a restriction of capabilities already restricted, a second close review);
6. a close goes to two reviewers unless its rule is auto-close, and any action past a cap
   goes to review instead of being applied;
7. while a close that a rule jumped to (``jump_to: close``, not auto-close) waits for its
   reviewers, the account is locked — the ladder's lock step, applied at once with no strike
   of its own: a porn or terror bank match must not keep posting for the hours a review
   takes. A close the ladder reached step by step follows a lock already.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from warden.domain.actions import (
    ActionType,
    Capability,
    CaseKind,
    Decision,
    PlannedAction,
    Severity,
)
from warden.policy.ladders import LadderStep

SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
DEFAULT_COOLDOWN = timedelta(hours=1)


#: Where a ladder leads (action, capabilities, days, strikes after): the policy's own type.
Step = LadderStep

#: ``(category, active strikes before, severity, jump_to, campaign shift) → Step``
LadderFn = Callable[[str, int, Severity, ActionType | None, int], Step]
#: ``(rule id, category) → True when today's cap for it is used up``
CapFn = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class Standing:
    """What the planner must know about an account right now."""

    account_id: str
    state: str = "active"  # active | restricted | locked | closed
    locked_until: datetime | None = None
    restricted: frozenset[Capability] = frozenset()
    restricted_until: datetime | None = None
    active_strikes: Mapping[str, int] = field(default_factory=dict)
    last_struck: Mapping[str, datetime] = field(default_factory=dict)  # rule id → when
    close_pending: bool = False


class SetAside(StrEnum):
    """Why the planner set a decision aside — one closed list, so reports, the sweep's
    shortcuts and the API count the same reasons under the same names."""

    CLOSED = "account already closed"
    PAUSED = "rule paused by its appeal overturn rate"
    COOLDOWN = "rule struck this account within the cooldown"
    WEAKER = "a stronger decision in the same category"
    CLOSE_UNDER_WAY = "a close is already under review or planned"
    NO_CHANGE = "the ladder's action would change nothing"


#: Reasons that hold as long as the standing, the live rules and the campaign do — not the
#: moment: a close already under review stays so, while a lock "changing nothing" now may
#: change something later (a later moment means a later end).
SETTLED = frozenset({SetAside.CLOSE_UNDER_WAY, SetAside.WEAKER})


@dataclass(frozen=True, slots=True)
class Plan:
    """The planner's answer: actions to take, and decisions it set aside (with why)."""

    actions: tuple[PlannedAction, ...]
    set_aside: tuple[tuple[Decision, SetAside], ...] = ()


def gatekeep(
    decision: Decision,
    standing: Standing,
    paused_rules: frozenset[str],
    cooldown: timedelta = DEFAULT_COOLDOWN,
) -> SetAside | None:
    """The planner's first tests for one decision: the account is closed, the rule is paused,
    or the rule already struck this incident. None when the decision goes on to the ladder.

    The sweep asks this alone, for shortcuts, and gets the same answer the planner would."""
    if standing.state == "closed":
        return SetAside.CLOSED
    if decision.rule_id in paused_rules:
        return SetAside.PAUSED
    if struck_already(decision, standing.last_struck.get(decision.rule_id), cooldown):
        return SetAside.COOLDOWN
    return None


def plan(
    decisions: Sequence[Decision],
    standing: Standing,
    *,
    ladder: LadderFn,
    cap_exceeded: CapFn,
    paused_rules: frozenset[str] = frozenset(),
    campaign_shift: Mapping[str, int] | None = None,
    cooldown: timedelta = DEFAULT_COOLDOWN,
) -> Plan:
    """Plan the actions for one account's decisions (see the module docstring for the rules)."""
    aside: list[tuple[Decision, SetAside]] = []
    strongest: dict[str, Decision] = {}
    for decision in decisions:
        gate = gatekeep(decision, standing, paused_rules, cooldown)
        if gate is not None:
            aside.append((decision, gate))
            continue
        best = strongest.get(decision.category)
        if best is None or _stronger(decision, best):
            if best is not None:
                aside.append((best, SetAside.WEAKER))
            strongest[decision.category] = decision
        else:
            aside.append((decision, SetAside.WEAKER))

    actions: list[PlannedAction] = []
    closing = standing.close_pending
    for category, decision in sorted(strongest.items()):
        shift = (campaign_shift or {}).get(category, 0)
        before = standing.active_strikes.get(category, 0)
        step = ladder(category, before, decision.severity, decision.jump_to, shift)
        until = decision.at + timedelta(days=step.days) if step.days else None
        if not _changes_something(step, until, standing, closing):
            closing_already = step.action is ActionType.CLOSE
            aside.append(
                (decision, SetAside.CLOSE_UNDER_WAY if closing_already else SetAside.NO_CHANGE)
            )
            continue
        review: CaseKind | None = None
        if step.action is ActionType.CLOSE:
            closing = True
            if not decision.auto_close:
                review = CaseKind.CLOSE_REVIEW
        if cap_exceeded(decision.rule_id, category):
            review = review or CaseKind.CAP_REVIEW
        held: PlannedAction | None = None
        if review is CaseKind.CLOSE_REVIEW and decision.jump_to is ActionType.CLOSE:
            # the ladder's lock, whatever rung this account is on: a fresh low strike jumped
            # to lock (the strike count of the close is what the account keeps)
            hold = _hold(ladder(category, 0, Severity.LOW, ActionType.LOCK, 0))
            held_until = decision.at + timedelta(days=hold.days) if hold and hold.days else None
            if hold is not None and _changes_something(hold, held_until, standing, closing):
                held = PlannedAction(
                    account_id=standing.account_id,
                    type=ActionType.LOCK,
                    category=category,
                    rule_ids=(decision.rule_id,),
                    reason=f"{_reason(decision, step, shift)}; locked while the close is reviewed",
                    policy_version=decision.policy_version,
                    campaign=decision.campaign,
                    at=decision.at,
                    strikes_after=before,
                    strikes_given=0,
                    capabilities=(),
                    until=held_until,
                    needs_review=None,
                    evidence=decision.evidence,
                )
        actions.append(
            PlannedAction(
                account_id=standing.account_id,
                type=step.action,
                category=category,
                rule_ids=(decision.rule_id,),
                reason=_reason(decision, step, shift),
                policy_version=decision.policy_version,
                campaign=decision.campaign,
                at=decision.at,
                strikes_after=step.strikes_after,
                strikes_given=step.strikes_after - before,
                capabilities=step.capabilities,
                until=until,
                needs_review=review,
                evidence=decision.evidence,
            )
        )
        if held is not None:
            actions.append(held)
    return Plan(tuple(actions), tuple(aside))


def struck_already(
    decision: Decision, last: datetime | None, cooldown: timedelta = DEFAULT_COOLDOWN
) -> bool:
    """True when the rule's strike at ``last`` already covers ``decision``: it came within
    the cooldown, or the newest content it read was written before that incident ended
    (``last + cooldown``) — nothing new was said since."""
    if last is None:
        return False
    if decision.at - last < cooldown:
        return True
    return decision.content_at is not None and decision.content_at < last + cooldown


def _hold(step: Step) -> Step | None:
    """The lock a ladder's jump to ``lock`` leads to, or None when the ladder has none."""
    return step if step.action is ActionType.LOCK else None


def _stronger(a: Decision, b: Decision) -> bool:
    return (SEVERITY_RANK[a.severity], a.confidence) > (SEVERITY_RANK[b.severity], b.confidence)


def _changes_something(
    step: Step, until: datetime | None, standing: Standing, closing: bool
) -> bool:
    if step.action is ActionType.WARN:
        return True  # a warning is also the record of a strike
    if step.action is ActionType.CLOSE:
        return not closing
    if step.action is ActionType.LOCK:
        return standing.locked_until is None or (
            until is not None and until > standing.locked_until
        )
    new_capabilities = set(step.capabilities) - standing.restricted
    longer = standing.restricted_until is None or (
        until is not None and until > standing.restricted_until
    )
    return bool(new_capabilities) or longer


def _reason(decision: Decision, step: Step, shift: int) -> str:
    parts = [
        f"rule {decision.rule_id} ({decision.category}, {decision.severity.value}, "
        f"confidence {decision.confidence:.2f})",
        f"strike {step.strikes_after} → {step.action.value}",
    ]
    if decision.jump_to is not None:
        parts.append(f"may jump to {decision.jump_to.value}")
    if shift:
        parts.append(f"campaign {decision.campaign} shifts the ladder by {shift}")
    return "; ".join(parts)
