"""The executor: writes what the planner decided — action, strike, standing, case, audit, outbox.

Everything here runs inside the caller's unit of work, so an action is stored together with
its strike, the account's new standing, its audit record and the message that tells the
platform — or none of them is (the unit of work commits once, at the caller's end).

Actions held for a human (a close under the two-person rule, anything past a cap) are stored
``pending_review`` with a case, and touch nothing else until a reviewer approves them
(:func:`apply_held`). Reversal (an overturned appeal, a manual reversal) removes the strike,
recomputes the standing from the actions still in force and tells the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from warden.domain.actions import ActionStatus, ActionType, Decision
from warden.enforce.planner import Plan
from warden.enforce.standing import AccountStatus, InForce, status_at
from warden.store.interfaces import AccountState, ActionRecord, UnitOfWorkPort


def record_decisions(uow: UnitOfWorkPort, decisions: Sequence[Decision], actor: str) -> None:
    """Store each decision and its audit record (a decision is evidence even if nothing follows)."""
    for decision in decisions:
        decision_id = uow.decisions.add(decision)
        uow.audit.append(
            "decision",
            decision.account_id,
            decision_payload(decision) | {"id": decision_id},
            actor=actor,
            at=decision.at,
        )


def execute(uow: UnitOfWorkPort, plan: Plan, actor: str = "warden") -> list[ActionRecord]:
    """Store every planned action: applied now, or held for review with a case."""
    records: list[ActionRecord] = []
    for planned in plan.actions:
        record = uow.actions.add(planned)
        uow.audit.append(
            "action", planned.account_id, action_payload(record), actor=actor, at=planned.at
        )
        if record.status is ActionStatus.PENDING_REVIEW:
            assert planned.needs_review is not None
            case = uow.cases.open(
                planned.needs_review,
                planned.account_id,
                planned.reason,
                planned.at,
                action_id=record.id,
            )
            uow.audit.append(
                "case",
                planned.account_id,
                {
                    "case": case.id,
                    "kind": case.kind.value,
                    "action": record.id,
                    "status": case.status.value,
                },
                actor=actor,
                at=planned.at,
            )
        else:
            _take_effect(uow, record, planned.at, actor)
        records.append(record)
    return records


def apply_held(uow: UnitOfWorkPort, action_id: int, at: datetime, actor: str) -> ActionRecord:
    """A reviewer approved a held action: apply it now."""
    record = uow.actions.set_status(action_id, ActionStatus.APPLIED, at)
    uow.audit.append(
        "action_applied", record.action.account_id, action_payload(record), actor=actor, at=at
    )
    _take_effect(uow, record, at, actor)
    return record


def drop_held(
    uow: UnitOfWorkPort, action_id: int, at: datetime, actor: str, reason: str
) -> ActionRecord:
    """A reviewer rejected a held action: it never takes effect."""
    record = uow.actions.set_status(action_id, ActionStatus.REJECTED, at, reason)
    uow.audit.append(
        "action_rejected",
        record.action.account_id,
        action_payload(record) | {"reason": reason},
        actor=actor,
        at=at,
    )
    return record


def reverse(
    uow: UnitOfWorkPort, action_id: int, at: datetime, actor: str, reason: str
) -> ActionRecord:
    """Undo an applied action: strike removed, standing recomputed, platform told."""
    record = uow.actions.set_status(action_id, ActionStatus.REVERSED, at, reason)
    removed = uow.strikes.remove_for_action(action_id, at)
    account = record.action.account_id
    status = refresh_standing(uow, account, at)
    uow.audit.append(
        "reversal",
        account,
        action_payload(record)
        | {"reason": reason, "strikes_removed": removed, "standing": status.state},
        actor=actor,
        at=at,
    )
    uow.outbox.add(account, platform_message(record, status, reversal=reason), at)
    return record


def refresh_standing(uow: UnitOfWorkPort, account_id: str, at: datetime) -> AccountStatus:
    """Recompute the account's standing from its applied actions and store it."""
    applied = uow.actions.list(account_id=account_id, status=ActionStatus.APPLIED)
    status = status_at(
        [InForce(r.action.type, r.action.capabilities, r.action.until) for r in applied], at
    )
    uow.accounts.set_state(
        account_id,
        AccountState(status.state),
        at,
        capabilities=sorted(status.restricted),
        locked_until=status.locked_until,
    )
    return status


def _take_effect(uow: UnitOfWorkPort, record: ActionRecord, at: datetime, actor: str) -> None:
    planned = record.action
    if planned.strikes_given:
        uow.strikes.add(planned.account_id, planned.category, record.id, planned.strikes_given, at)
    status = refresh_standing(uow, planned.account_id, at)
    uow.outbox.add(planned.account_id, platform_message(record, status), at)


def decision_payload(decision: Decision) -> dict[str, Any]:
    return {
        "rule": decision.rule_id,
        "category": decision.category,
        "severity": decision.severity.value,
        "confidence": decision.confidence,
        "at": decision.at.isoformat(),
        "policy_version": decision.policy_version,
        "campaign": decision.campaign,
        "evidence": [e.to_dict() for e in decision.evidence],
    }


def action_payload(record: ActionRecord) -> dict[str, Any]:
    planned = record.action
    return {
        "action": record.id,
        "type": planned.type.value,
        "status": record.status.value,
        "category": planned.category,
        "rules": list(planned.rule_ids),
        "capabilities": [c.value for c in planned.capabilities],
        "until": planned.until.isoformat() if planned.until else None,
        "strikes_after": planned.strikes_after,
        "reason": planned.reason,
        "policy_version": planned.policy_version,
        "campaign": planned.campaign,
        "evidence": [e.to_dict() for e in planned.evidence],
    }


def platform_message(
    record: ActionRecord, status: AccountStatus, reversal: str | None = None
) -> dict[str, Any]:
    """What the platform receives: the action and the standing it must now enforce."""
    planned = record.action
    return {
        "account_id": planned.account_id,
        "action_id": record.id,
        "action": planned.type.value,
        "event": "reversed" if reversal else "applied",
        "reason": reversal or planned.reason,
        "category": planned.category,
        "until": planned.until.isoformat() if planned.until else None,
        "standing": {
            "state": status.state,
            "restricted": sorted(c.value for c in status.restricted),
            "restricted_until": status.restricted_until.isoformat()
            if status.restricted_until
            else None,
            "locked_until": status.locked_until.isoformat() if status.locked_until else None,
        },
        "policy_version": planned.policy_version,
        "campaign": planned.campaign,
        "closes": planned.type is ActionType.CLOSE,
    }
