"""People, sessions, claims and bulk caps against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from warden.console import manual, queues
from warden.console.people import IDLE, LIFETIME, LOCKOUT, MAX_FAILURES, People, Role, SignInRefused
from warden.domain.actions import CaseKind, Severity
from warden.errors import InputError
from warden.policy import default_pack_path, load_pack
from warden.store import UnitOfWork

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"


def test_lockout_lasts_its_time_and_a_session_its_idle_and_lifetime(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        people = People(uow.session)
        people.create("ana", Role.REVIEWER, PASSWORD, NOW)
        with pytest.raises(InputError, match="at least 12"):
            people.create("bo", Role.REVIEWER, "short", NOW)
        with pytest.raises(InputError, match="valid user name"):
            people.create("a b<", Role.REVIEWER, PASSWORD, NOW)
        for _ in range(MAX_FAILURES):
            with pytest.raises(SignInRefused):
                people.authenticate("ana", "not-the-password", NOW)
        with pytest.raises(SignInRefused):
            people.authenticate("ana", PASSWORD, NOW + LOCKOUT - timedelta(seconds=1))
        person = people.authenticate("ana", PASSWORD, NOW + LOCKOUT + timedelta(seconds=1))
        token, _ = people.start(person, NOW)
        assert people.resume(token, NOW + IDLE - timedelta(seconds=1)) is not None
        assert people.resume(token, NOW + IDLE + IDLE - timedelta(seconds=2)) is not None, (
            "each request pushes the idle deadline on"
        )
        assert people.resume(token, NOW + 3 * IDLE) is None, "idle too long"
        fresh, _ = people.start(person, NOW)
        moment = NOW
        while moment < NOW + LIFETIME - IDLE:
            moment += IDLE / 2
            assert people.resume(fresh, moment) is not None
        assert people.resume(fresh, NOW + LIFETIME + timedelta(seconds=1)) is None, "too old"
        assert people.disable("ana", NOW) >= 1
        assert people.resume(fresh, NOW) is None
        with pytest.raises(SignInRefused):
            people.authenticate("ana", PASSWORD, NOW + timedelta(hours=1))


def test_a_claim_holds_until_released_or_expired(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.accounts.get_or_create("u1", NOW)
        case = uow.cases.open(CaseKind.CLOSE_REVIEW, "u1", "test", NOW)
        until = queues.claim(uow.session, case.id, "ana", NOW)
        assert until == NOW + queues.CLAIM
        with pytest.raises(queues.ClaimRefused, match="ana"):
            queues.claim(uow.session, case.id, "bo", NOW + timedelta(minutes=5))
        queues.check_free_for(uow.session, case.id, "ana", NOW)
        assert queues.claimant(uow.session, case.id, until + timedelta(seconds=1)) is None
        queues.claim(uow.session, case.id, "bo", until + timedelta(seconds=1))
        queues.release(uow.session, case.id, "bo")
        assert queues.claimant(uow.session, case.id, until) is None


def test_a_bulk_action_is_capped_and_previews_write_nothing(engine: Engine) -> None:
    pack = load_pack(default_pack_path())
    decisions = [
        manual.decision_for(pack, f"u{i}", "console.ring_action", "fraud", Severity.HIGH, NOW, [])
        for i in range(manual.BULK_CAP + 1)
    ]
    with UnitOfWork(engine) as uow:
        with pytest.raises(InputError, match=f"at most {manual.BULK_CAP}"):
            manual.plan_manual(uow, pack, decisions)
        planned = manual.plan_manual(uow, pack, decisions[:3])
        assert [p.action for p in planned] == [planned[0].action] * 3
        assert planned[0].action is not None
        assert uow.actions.list() == []
        with pytest.raises(InputError, match="category"):
            manual.decision_for(pack, "u1", "r", "no_such", Severity.HIGH, NOW, [])
