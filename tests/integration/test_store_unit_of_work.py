"""The unit of work owns the commit: all of an action's rows are kept together, or none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from warden.domain.actions import ActionType, PlannedAction
from warden.store import UnitOfWork
from warden.store.interfaces import UnitOfWorkPort
from warden.store.schema import ActionRow, AuditRow, OutboxRow

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def _lock(account: str = "acc-1") -> PlannedAction:
    return PlannedAction(
        account_id=account,
        type=ActionType.LOCK,
        category="sexual_services",
        rule_ids=("ss.escort_ad",),
        reason="escort ad with contact handle",
        policy_version="2026.06.1",
        campaign=None,
        at=T0,
        strikes_after=2,
        until=datetime(2026, 6, 17, tzinfo=UTC),
    )


def _enforce(uow: UnitOfWorkPort, action: PlannedAction) -> int:
    record = uow.actions.add(action)
    uow.strikes.add(action.account_id, action.category, record.id, 1, action.at)
    uow.outbox.add(action.account_id, {"action_id": record.id, "type": "lock"}, action.at)
    uow.audit.append("action", action.account_id, {"action_id": record.id}, actor="warden")
    return record.id


def _counts(engine: Engine) -> tuple[int, int, int]:
    with UnitOfWork(engine) as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(ActionRow)) or 0,
            uow.session.scalar(select(func.count()).select_from(AuditRow)) or 0,
            uow.session.scalar(select(func.count()).select_from(OutboxRow)) or 0,
        )


def test_commit_keeps_the_action_its_audit_record_and_its_message(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        action_id = _enforce(uow, _lock())
        uow.commit()
    assert _counts(engine) == (1, 1, 1)
    with UnitOfWork(engine) as uow:
        stored = uow.actions.get(action_id)
        assert stored is not None
        assert stored.action == _lock()


def test_an_exception_leaves_neither_the_action_nor_its_audit_record(engine: Engine) -> None:
    def enforce_then_fail() -> None:
        with UnitOfWork(engine) as uow:
            _enforce(uow, _lock())
            assert uow.actions.list(account_id="acc-1")  # visible inside the transaction
            raise RuntimeError("platform down")

    with pytest.raises(RuntimeError, match="platform down"):
        enforce_then_fail()
    assert _counts(engine) == (0, 0, 0)


def test_leaving_without_commit_keeps_nothing(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        _enforce(uow, _lock())
    assert _counts(engine) == (0, 0, 0)


def test_work_after_a_commit_is_its_own_transaction(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        _enforce(uow, _lock("acc-1"))
        uow.commit()
        _enforce(uow, _lock("acc-2"))
        uow.rollback()
    assert _counts(engine) == (1, 1, 1)
    with UnitOfWork(engine) as uow:
        assert [r.action.account_id for r in uow.actions.list()] == ["acc-1"]


def test_a_unit_of_work_is_used_once_and_only_as_a_context_manager(engine: Engine) -> None:
    uow = UnitOfWork(engine)
    with pytest.raises(RuntimeError, match="context manager"):
        uow.commit()
    with uow, pytest.raises(RuntimeError, match="already entered"):
        uow.__enter__()
