"""Accounts, actions, cases and rings as JSON: one shape for the HTTP API and the CLI's
``--json``, so a script written against one works against the other."""

from __future__ import annotations

from typing import Any

from warden.domain.actions import ActionStatus
from warden.domain.rings import Ring
from warden.store.interfaces import ActionRecord, Case, UnitOfWorkPort


def action_view(record: ActionRecord) -> dict[str, Any]:
    """One action with whose it is, why, and its evidence."""
    planned = record.action
    return {
        "id": record.id,
        "account_id": planned.account_id,
        "type": planned.type.value,
        "status": record.status.value,
        "category": planned.category,
        "rules": list(planned.rule_ids),
        "reason": planned.reason,
        "capabilities": [c.value for c in planned.capabilities],
        "until": planned.until.isoformat() if planned.until else None,
        "at": planned.at.isoformat(),
        "strikes_after": planned.strikes_after,
        "policy_version": planned.policy_version,
        "campaign": planned.campaign,
        "evidence": [e.to_dict() for e in planned.evidence],
        "reversal_reason": record.reversal_reason,
    }


def case_view(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "kind": case.kind.value,
        "status": case.status.value,
        "account_id": case.account_id,
        "action": case.action_id,
        "opened_at": case.opened_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "reason": case.reason,
    }


def case_detail(uow: UnitOfWorkPort, case: Case) -> dict[str, Any]:
    """A case with its reviews and the action it is about."""
    record = uow.actions.get(case.action_id) if case.action_id is not None else None
    return case_view(case) | {
        "reviews": [
            {
                "reviewer": r.reviewer,
                "verdict": r.verdict.value,
                "note": r.note,
                "at": r.at.isoformat(),
            }
            for r in uow.cases.reviews_for(case.id)
        ],
        "action_detail": action_view(record) if record is not None else None,
    }


def account_view(uow: UnitOfWorkPort, account_id: str) -> dict[str, Any] | None:
    """An account's standing, strikes applied, actions with evidence and cases; None if unknown."""
    account = uow.accounts.get(account_id)
    if account is None:
        return None
    records = uow.actions.list(account_id=account_id)
    cases = [c for c in uow.cases.list() if c.account_id == account_id]
    applied = [r for r in records if r.status is ActionStatus.APPLIED]
    return {
        "account_id": account.id,
        "state": account.state.value,
        "restricted_capabilities": [c.value for c in account.restricted_capabilities],
        "locked_until": account.locked_until.isoformat() if account.locked_until else None,
        "first_seen": account.first_seen.isoformat(),
        "contact_handles": list(account.contact_handles),
        "strikes": {
            category: sum(r.action.strikes_given for r in applied if r.action.category == category)
            for category in sorted({r.action.category for r in records})
        },
        "actions": [action_view(r) for r in records],
        "cases": [case_view(c) for c in cases],
        "decisions": len(uow.decisions.list_for_account(account_id)),
    }


def ring_view(ring: Ring) -> dict[str, Any]:
    return {
        "ring_id": ring.ring_id,
        "sweep_id": ring.sweep_id,
        "size": ring.size,
        "score": ring.score,
        "found_at": ring.found_at.isoformat(),
        "members": list(ring.members),
        "entities": list(ring.entities),
        "links": [
            {
                "account_id": link.account_id,
                "entity": link.entity,
                "event_ids": list(link.event_ids),
                "events": link.events,
            }
            for link in ring.links
        ],
    }
