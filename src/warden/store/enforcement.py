"""What Warden decided and did: decisions, actions and strikes (SQL repositories).

Rows map to and from the domain's :class:`Decision` and :class:`PlannedAction`; an action's
status changes only through :meth:`SqlActions.set_status`, which enforces
:data:`warden.domain.actions.ACTION_TRANSITIONS`. Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import TextClause, func, select, text, update
from sqlalchemy.orm import Session

from warden.domain.actions import (
    ACTION_TRANSITIONS,
    ActionStatus,
    ActionType,
    Capability,
    CaseKind,
    Decision,
    Evidence,
    PlannedAction,
    Severity,
    check_transition,
)
from warden.errors import InputError
from warden.policy.ladders import strikes_in_force
from warden.store.interfaces import ActionRecord
from warden.store.schema import ActionRow, DecisionRow, StrikeRow


def _evidence_in(evidence: Sequence[Evidence]) -> list[Any]:
    return [e.to_dict() for e in evidence]


def _evidence_out(stored: Sequence[Any]) -> tuple[Evidence, ...]:
    return tuple(Evidence(str(e["kind"]), str(e["ref"]), str(e.get("detail", ""))) for e in stored)


class SqlDecisions:
    """Every rule finding, kept as evidence for the actions planned from it."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, decision: Decision) -> int:
        row = DecisionRow(
            account_id=decision.account_id,
            rule_id=decision.rule_id,
            category=decision.category,
            severity=decision.severity.value,
            confidence=decision.confidence,
            at=decision.at,
            policy_version=decision.policy_version,
            campaign=decision.campaign,
            evidence=_evidence_in(decision.evidence),
            auto_close=decision.auto_close,
            jump_to=decision.jump_to.value if decision.jump_to else None,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def list_for_account(self, account_id: str) -> Sequence[Decision]:
        statement = (
            select(DecisionRow)
            .where(DecisionRow.account_id == account_id)
            .order_by(DecisionRow.at, DecisionRow.id)
        )
        return [
            Decision(
                account_id=r.account_id,
                rule_id=r.rule_id,
                category=r.category,
                severity=Severity(r.severity),
                confidence=r.confidence,
                at=r.at,
                policy_version=r.policy_version,
                campaign=r.campaign,
                evidence=_evidence_out(r.evidence),
                auto_close=r.auto_close,
                jump_to=ActionType(r.jump_to) if r.jump_to else None,
            )
            for r in self._session.scalars(statement)
        ]


class SqlActions:
    """Actions: added from the planner's output, then moved through their states."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, action: PlannedAction, status: ActionStatus | None = None) -> ActionRecord:
        """Store ``action`` with a new id; held for review if it ``needs_review``, else applied."""
        if status is None:
            status = ActionStatus.PENDING_REVIEW if action.needs_review else ActionStatus.APPLIED
        row = ActionRow(
            account_id=action.account_id,
            type=action.type.value,
            status=status.value,
            category=action.category,
            rule_ids=list(action.rule_ids),
            reason=action.reason,
            capabilities=[c.value for c in action.capabilities],
            until=action.until,
            policy_version=action.policy_version,
            campaign=action.campaign,
            evidence=_evidence_in(action.evidence),
            needs_review=action.needs_review.value if action.needs_review else None,
            extra=json.loads(json.dumps(action.extra)),
            actor=action.actor,
            created_at=action.at,
            applied_at=action.at if status is ActionStatus.APPLIED else None,
            strikes_after=action.strikes_after,
            strikes_given=action.strikes_given,
        )
        self._session.add(row)
        self._session.flush()
        return _record(row)

    def get(self, action_id: int) -> ActionRecord | None:
        row = self._session.get(ActionRow, action_id)
        return _record(row) if row else None

    def set_status(
        self, action_id: int, status: ActionStatus, at: datetime, reason: str | None = None
    ) -> ActionRecord:
        """Move the action to ``status`` if its state machine allows it (else TransitionError).

        ``reason`` is kept as ``reversal_reason`` when an action is reversed or rejected.
        """
        statement = select(ActionRow).where(ActionRow.id == action_id).with_for_update()
        row = self._session.scalars(statement.execution_options(populate_existing=True)).first()
        if row is None:
            raise InputError(f"action_id: no action {action_id}")
        check_transition(
            ACTION_TRANSITIONS, ActionStatus(row.status), status, f"action {action_id}"
        )
        row.status = status.value
        if status is ActionStatus.APPLIED:
            row.applied_at = at
        elif status in (ActionStatus.REVERSED, ActionStatus.REJECTED):
            row.reversed_at = at
            row.reversal_reason = reason
        self._session.flush()
        return _record(row)

    def count_today(
        self,
        day: date,
        *,
        rule_id: str | None = None,
        category: str | None = None,
        statuses: Collection[ActionStatus] | None = None,
    ) -> int:
        """Actions created on ``day`` (UTC) for ``rule_id`` and/or ``category`` — for caps."""
        start = datetime.combine(day, time(), tzinfo=UTC)
        statement = select(func.count()).select_from(ActionRow)
        statement = statement.where(
            ActionRow.created_at >= start, ActionRow.created_at < start + timedelta(days=1)
        )
        if category is not None:
            statement = statement.where(ActionRow.category == category)
        if rule_id is not None:
            statement = statement.where(self._has_rule(rule_id))
        if statuses is not None:
            statement = statement.where(ActionRow.status.in_([s.value for s in statuses]))
        return int(self._session.scalar(statement) or 0)

    def _has_rule(self, rule_id: str) -> TextClause:
        if self._session.get_bind().dialect.name == "postgresql":
            clause = "CAST(actions.rule_ids AS jsonb) @> CAST(:rule_ids_needle AS jsonb)"
            return text(clause).bindparams(rule_ids_needle=json.dumps([rule_id]))
        clause = "EXISTS (SELECT 1 FROM json_each(actions.rule_ids) WHERE value = :rule_id_needle)"
        return text(clause).bindparams(rule_id_needle=rule_id)

    def list(
        self,
        *,
        account_id: str | None = None,
        status: ActionStatus | None = None,
        category: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> Sequence[ActionRecord]:
        """Actions matching every filter given, oldest first."""
        statement = select(ActionRow).order_by(ActionRow.created_at, ActionRow.id)
        if account_id is not None:
            statement = statement.where(ActionRow.account_id == account_id)
        if status is not None:
            statement = statement.where(ActionRow.status == status.value)
        if category is not None:
            statement = statement.where(ActionRow.category == category)
        if since is not None:
            statement = statement.where(ActionRow.created_at >= since)
        if limit is not None:
            statement = statement.limit(limit)
        return [_record(row) for row in self._session.scalars(statement)]


def _record(row: ActionRow) -> ActionRecord:
    action = PlannedAction(
        account_id=row.account_id,
        type=ActionType(row.type),
        category=row.category,
        rule_ids=tuple(row.rule_ids),
        reason=row.reason,
        policy_version=row.policy_version,
        campaign=row.campaign,
        at=row.created_at,
        strikes_after=row.strikes_after,
        strikes_given=row.strikes_given,
        capabilities=tuple(Capability(c) for c in row.capabilities),
        until=row.until,
        needs_review=CaseKind(row.needs_review) if row.needs_review else None,
        evidence=_evidence_out(row.evidence),
        actor=row.actor,
        extra=dict(row.extra),
    )
    return ActionRecord(
        id=row.id,
        action=action,
        status=ActionStatus(row.status),
        created_at=row.created_at,
        applied_at=row.applied_at,
        reversed_at=row.reversed_at,
        reversal_reason=row.reversal_reason,
    )


class SqlStrikes:
    """Strikes per account and category; they decay, and a reversed action takes its own back."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, account_id: str, category: str, action_id: int | None, count: int, at: datetime
    ) -> int:
        row = StrikeRow(
            account_id=account_id, category=category, action_id=action_id, count=count, given_at=at
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def active_for(self, account_id: str, category: str, now: datetime, decay_days: int) -> int:
        """Strikes given in the ``decay_days`` before ``now`` and not removed (the one decay
        rule, :func:`~warden.policy.ladders.strikes_in_force`)."""
        return strikes_in_force(
            ((count, at) for kind, count, at in self.given(account_id) if kind == category),
            now,
            decay_days,
        )

    def given(self, account_id: str) -> Sequence[tuple[str, int, datetime]]:
        statement = (
            select(StrikeRow.category, StrikeRow.count, StrikeRow.given_at)
            .where(StrikeRow.account_id == account_id, StrikeRow.removed_at.is_(None))
            .order_by(StrikeRow.given_at, StrikeRow.id)
        )
        return [(c, int(n), at) for c, n, at in self._session.execute(statement)]

    def remove_for_action(self, action_id: int, at: datetime) -> int:
        """Remove the strikes an action gave; returns how many rows were removed."""
        statement = (
            update(StrikeRow)
            .where(StrikeRow.action_id == action_id, StrikeRow.removed_at.is_(None))
            .values(removed_at=at)
        )
        result = self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))
