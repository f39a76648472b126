"""Each repository against real SQLite and PostgreSQL: round trips, filters, invariants."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from warden.domain.actions import (
    ActionStatus,
    ActionType,
    Capability,
    CaseKind,
    CaseStatus,
    Decision,
    Evidence,
    PlannedAction,
    Severity,
    TransitionError,
)
from warden.errors import InputError
from warden.store import UnitOfWork
from warden.store.interfaces import AccountState, ReviewVerdict

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def _action(
    account: str = "acc-1",
    *,
    type: ActionType = ActionType.RESTRICT,
    category: str = "fraud",
    rules: tuple[str, ...] = ("fraud.deposit_first",),
    at: datetime = T0,
    needs_review: CaseKind | None = None,
) -> PlannedAction:
    return PlannedAction(
        account_id=account,
        type=type,
        category=category,
        rule_ids=rules,
        reason="deposit-first escort ad",
        policy_version="2026.06.1",
        campaign="june-crackdown",
        at=at,
        strikes_after=1,
        capabilities=(Capability.PAYMENTS, Capability.SEND_LINKS),
        needs_review=needs_review,
        evidence=(Evidence("event", "ev-1"), Evidence("entity", "wx:abc", "handle in ad")),
        actor="warden",
        extra={"score": 0.93},
    )


def test_accounts_are_created_once_and_change_state(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        first = uow.accounts.get_or_create("acc-1", T0)
        again = uow.accounts.get_or_create("acc-1", T0 + timedelta(days=3))
        assert first == again
        assert first.state is AccountState.ACTIVE
        assert first.first_seen == T0
        uow.accounts.set_state(
            "acc-1",
            AccountState.RESTRICTED,
            T0 + timedelta(hours=1),
            capabilities=[Capability.PAYMENTS],
        )
        uow.accounts.add_contact_handles("acc-1", ["wx:abc", "qq:123"], T0)
        uow.commit()
    with UnitOfWork(engine) as uow:
        account = uow.accounts.get("acc-1")
        assert account is not None
        assert account.state is AccountState.RESTRICTED
        assert account.restricted_capabilities == (Capability.PAYMENTS,)
        assert account.contact_handles == ("qq:123", "wx:abc")
        assert account.updated_at == T0 + timedelta(hours=1)
        assert uow.accounts.get("nobody") is None
        with pytest.raises(InputError, match="locked_until"):
            uow.accounts.set_state("acc-1", AccountState.LOCKED, T0)


def test_marking_an_event_twice_returns_false(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        assert not uow.events_seen.seen("ev-1")
        assert uow.events_seen.mark("ev-1", "acc-1", "message", T0, T0)
        assert not uow.events_seen.mark("ev-1", "acc-1", "message", T0, T0)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.events_seen.seen("ev-1")
        assert not uow.events_seen.mark("ev-1", "acc-1", "message", T0, T0)
        assert uow.events_seen.mark("ev-2", "acc-1", "message", T0, T0)  # transaction still usable


def test_concurrent_marks_of_one_event_let_exactly_one_win(engine: Engine) -> None:
    results: list[bool] = []
    with UnitOfWork(engine) as first:
        assert first.events_seen.mark("ev-race", "acc-1", "message", T0, T0)

        def second_worker() -> None:
            with UnitOfWork(engine) as second:
                results.append(second.events_seen.mark("ev-race", "acc-1", "message", T0, T0))
                second.commit()

        worker = threading.Thread(target=second_worker)
        worker.start()
        time.sleep(0.3)  # the second writer is now waiting on the first
        assert results == []
        first.commit()
        worker.join(timeout=30)
    assert results == [False]


def test_quarantine_keeps_what_was_refused(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.quarantine.add(
            file="events.jsonl",
            line=7,
            field="ts",
            value="yesterday",
            reason="expected an ISO-8601 timestamp",
            raw='{"ts": "yesterday"}',
            at=T0,
        )
        uow.quarantine.add(
            file="other.jsonl", line=1, field=None, value=None, reason="not JSON", raw="{", at=T0
        )
        uow.commit()
    with UnitOfWork(engine) as uow:
        [record] = uow.quarantine.list(file="events.jsonl")
        assert (record.line, record.field, record.value) == (7, "ts", "yesterday")
        assert len(uow.quarantine.list()) == 2


def test_decisions_round_trip(engine: Engine) -> None:
    decision = Decision(
        account_id="acc-1",
        rule_id="ss.escort_ad",
        category="sexual_services",
        severity=Severity.HIGH,
        confidence=0.87,
        at=T0,
        policy_version="2026.06.1",
        campaign="june-crackdown",
        evidence=(Evidence("match", "包夜@ev-1"),),
        auto_close=True,
        jump_to=ActionType.LOCK,
    )
    with UnitOfWork(engine) as uow:
        uow.decisions.add(decision)
        uow.decisions.add(Decision("acc-2", "r", "spam", Severity.LOW, 0.5, T0, "v"))
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.decisions.list_for_account("acc-1") == [decision]


def test_actions_round_trip_and_filter(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        applied = uow.actions.add(_action())
        held = uow.actions.add(
            _action("acc-2", type=ActionType.CLOSE, needs_review=CaseKind.CLOSE_REVIEW)
        )
        uow.actions.add(_action("acc-1", category="spam", at=T0 + timedelta(days=1)))
        uow.commit()
    assert applied.id != held.id
    assert applied.status is ActionStatus.APPLIED
    assert applied.applied_at == T0
    assert held.status is ActionStatus.PENDING_REVIEW
    assert held.applied_at is None
    with UnitOfWork(engine) as uow:
        assert uow.actions.get(applied.id) == applied
        assert [r.id for r in uow.actions.list(account_id="acc-1", category="fraud")] == [
            applied.id
        ]
        assert [r.id for r in uow.actions.list(status=ActionStatus.PENDING_REVIEW)] == [held.id]
        assert len(uow.actions.list(since=T0 + timedelta(hours=1))) == 1
        assert len(uow.actions.list(limit=2)) == 2


def test_action_status_follows_the_state_machine(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        held = uow.actions.add(_action(needs_review=CaseKind.CAP_REVIEW))
        later = T0 + timedelta(hours=2)
        applied = uow.actions.set_status(held.id, ActionStatus.APPLIED, later)
        assert applied.applied_at == later
        reversed_ = uow.actions.set_status(
            held.id, ActionStatus.REVERSED, later, reason="appeal upheld"
        )
        assert (reversed_.reversed_at, reversed_.reversal_reason) == (later, "appeal upheld")
        with pytest.raises(TransitionError, match="'reversed' to 'applied'"):
            uow.actions.set_status(held.id, ActionStatus.APPLIED, later)
        with pytest.raises(InputError, match="no action 999"):
            uow.actions.set_status(999, ActionStatus.APPLIED, later)


def test_count_today_counts_by_rule_and_by_category(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.actions.add(_action("a", rules=("fraud.deposit_first", "fraud.payee")))
        uow.actions.add(_action("b", rules=("fraud.payee",)))
        uow.actions.add(_action("c", rules=("fraud.payee_x",)))
        uow.actions.add(_action("d", category="spam", rules=("spam.blast",)))
        uow.actions.add(_action("e", at=T0 + timedelta(days=1)))
        uow.actions.add(_action("f", needs_review=CaseKind.CAP_REVIEW))
        uow.commit()
    with UnitOfWork(engine) as uow:
        day = date(2026, 6, 10)
        assert uow.actions.count_today(day, rule_id="fraud.payee") == 2
        assert uow.actions.count_today(day, rule_id="fraud.deposit_first") == 2  # a and f
        assert uow.actions.count_today(day, category="fraud") == 4
        assert uow.actions.count_today(day, category="spam", rule_id="fraud.payee") == 0
        applied_only = uow.actions.count_today(
            day, category="fraud", statuses=[ActionStatus.APPLIED]
        )
        assert applied_only == 3
        assert uow.actions.count_today(date(2026, 6, 11), category="fraud") == 1
        assert uow.actions.count_today(date(2026, 6, 12)) == 0


def test_strikes_decay_and_are_removed_with_their_action(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        old = uow.actions.add(_action(at=T0 - timedelta(days=100)))
        recent = uow.actions.add(_action())
        uow.strikes.add("acc-1", "fraud", old.id, 1, T0 - timedelta(days=100))
        uow.strikes.add("acc-1", "fraud", recent.id, 2, T0)
        uow.strikes.add("acc-1", "spam", None, 1, T0)
        now = T0 + timedelta(days=1)
        assert uow.strikes.active_for("acc-1", "fraud", now, decay_days=90) == 2
        assert uow.strikes.active_for("acc-1", "fraud", now, decay_days=365) == 3
        assert uow.strikes.remove_for_action(recent.id, now) == 1
        assert uow.strikes.remove_for_action(recent.id, now) == 0
        assert uow.strikes.active_for("acc-1", "fraud", now, decay_days=90) == 0
        assert uow.strikes.active_for("acc-1", "spam", now, decay_days=90) == 1


def test_cases_are_reviewed_once_per_reviewer_and_close(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        action = uow.actions.add(_action(type=ActionType.CLOSE, needs_review=CaseKind.CLOSE_REVIEW))
        case = uow.cases.open(CaseKind.CLOSE_REVIEW, "acc-1", "close needs two", T0, action.id)
        uow.cases.open(CaseKind.APPEAL, "acc-9", "not me", T0)
        uow.cases.add_review(case.id, "alice", ReviewVerdict.APPROVE, "clear ad", T0)
        with pytest.raises(InputError, match="'alice' has already reviewed"):
            uow.cases.add_review(case.id, "alice", ReviewVerdict.REJECT, "changed my mind", T0)
        uow.cases.add_review(case.id, "bob", ReviewVerdict.APPROVE, "agree", T0)
        closed = uow.cases.set_status(case.id, CaseStatus.APPROVED, T0 + timedelta(hours=1))
        uow.commit()
    assert closed.closed_at == T0 + timedelta(hours=1)
    with UnitOfWork(engine) as uow:
        assert [r.reviewer for r in uow.cases.reviews_for(case.id)] == ["alice", "bob"]
        assert [c.kind for c in uow.cases.list(status=CaseStatus.OPEN)] == [CaseKind.APPEAL]
        assert [c.id for c in uow.cases.list(kind=CaseKind.CLOSE_REVIEW)] == [case.id]
        with pytest.raises(TransitionError):
            uow.cases.set_status(case.id, CaseStatus.OVERTURNED, T0)
        with pytest.raises(InputError, match="closed"):
            uow.cases.add_review(case.id, "carol", ReviewVerdict.REJECT, "", T0)
        with pytest.raises(InputError, match="no case 999"):
            uow.cases.add_review(999, "carol", ReviewVerdict.REJECT, "", T0)
