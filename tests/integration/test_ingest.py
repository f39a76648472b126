"""The decision core end to end, on SQLite and PostgreSQL: events in, ladders, cases, audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from warden.audit.log import verify
from warden.cli.sample_day import T0, write_scenario
from warden.detect.screener import Screener
from warden.domain.actions import ActionStatus, ActionType, CaseKind, CaseStatus
from warden.enforce.ingest import Ingestor
from warden.io.events import read_events
from warden.policy import PolicyPack, load_pack
from warden.review.outcomes import ReviewError, Verdict
from warden.review.service import appeal, decide
from warden.store import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_pack(ROOT / "policies" / "default.yaml")


@pytest.fixture
def ingested(engine: Engine, screener: Screener, pack: PolicyPack, tmp_path: Path) -> Engine:
    path = write_scenario(tmp_path / "day.jsonl", with_bad_records=True)
    summary = Ingestor(engine, screener, pack).ingest(read_events(path))
    assert summary.adds_up
    assert summary.quarantined == 3
    return engine


def actions_of(engine: Engine, account: str) -> list[tuple[str, str]]:
    with UnitOfWork(engine) as uow:
        return [(r.action.type.value, r.status.value) for r in uow.actions.list(account_id=account)]


def test_each_account_gets_the_right_ladder(ingested: Engine) -> None:
    escort = actions_of(ingested, "escort")
    assert [a for a, _ in escort][:2] == [
        "restrict",
        "lock",
    ]  # high severity: two strikes an incident
    assert escort[-1] == ("close", "pending_review")  # closes wait for two reviewers
    assert ("close", "pending_review") in actions_of(
        ingested, "scammer"
    )  # deposit-first jumps to close
    assert actions_of(ingested, "blaster")[0][0] in ("warn", "restrict")
    assert actions_of(ingested, "troll")[0][0] in ("warn", "restrict")
    assert actions_of(ingested, "alice") == []
    assert actions_of(ingested, "bob") == []


def test_every_decision_and_action_is_audited(ingested: Engine) -> None:
    with UnitOfWork(ingested) as uow:
        result = verify(uow.session)
        rows = uow.session.execute(text("select kind, count(*) from audit_log group by kind")).all()
    assert result.ok
    kinds = dict(rows)
    assert kinds["decision"] >= 5
    assert kinds["action"] >= 6
    assert kinds["case"] == 2


def test_reingesting_changes_nothing(
    ingested: Engine, screener: Screener, pack: PolicyPack, tmp_path: Path
) -> None:
    with UnitOfWork(ingested) as uow:
        before = (
            len(uow.actions.list()),
            len(uow.quarantine.list()),
            uow.session.execute(text("select count(*) from audit_log")).scalar(),
        )
    again = Ingestor(ingested, screener, pack).ingest(read_events(tmp_path / "day.jsonl"))
    assert again.processed == 0
    assert again.duplicates == 99
    with UnitOfWork(ingested) as uow:
        after = (
            len(uow.actions.list()),
            len(uow.quarantine.list()),
            uow.session.execute(text("select count(*) from audit_log")).scalar(),
        )
    assert after == before


def test_quarantine_names_file_line_field_value(ingested: Engine) -> None:
    with UnitOfWork(ingested) as uow:
        bad = {q.line: q for q in uow.quarantine.list()}
    assert bad[4].field == "recipent_id"
    assert "Extra inputs are not permitted" in bad[4].reason
    assert "malformed JSON" in bad[8].reason
    assert (bad[10].field, bad[10].value) == ("amount", "-5")
    assert bad[4].file.endswith("day.jsonl")


def test_two_person_rule_then_close(ingested: Engine) -> None:
    at = T0 + timedelta(days=1)
    with UnitOfWork(ingested) as uow:
        case = next(
            c for c in uow.cases.list(kind=CaseKind.CLOSE_REVIEW) if c.account_id == "scammer"
        )
        assert decide(uow, case.id, "alice.reviewer", Verdict.APPROVE, at).status is CaseStatus.OPEN
        with pytest.raises(ReviewError, match="already given a verdict"):
            decide(uow, case.id, "alice.reviewer", Verdict.APPROVE, at)
        assert (
            decide(uow, case.id, "bob.reviewer", Verdict.APPROVE, at).status is CaseStatus.APPROVED
        )
        uow.commit()
    with UnitOfWork(ingested) as uow:
        assert uow.accounts.get("scammer").state.value == "closed"  # type: ignore[union-attr]
        assert uow.actions.get(case.action_id).status is ActionStatus.APPLIED  # type: ignore[arg-type, union-attr]


def test_overturned_appeal_restores_capabilities_and_removes_the_strike(
    ingested: Engine, pack: PolicyPack
) -> None:
    at = T0 + timedelta(hours=1)
    with UnitOfWork(ingested) as uow:
        restrict = next(
            r
            for r in uow.actions.list(account_id="blaster")
            if r.status is ActionStatus.APPLIED and r.action.type is ActionType.RESTRICT
        )
        strikes_before = uow.strikes.active_for(
            "blaster", "spam", at, pack.ladders["spam"].decay_days
        )
        case = appeal(uow, restrict.id, "it was a real promotion to my customers", at)
        with pytest.raises(ReviewError, match="already has an open appeal"):
            appeal(uow, restrict.id, "again", at)
        decided = decide(uow, case.id, "carol.reviewer", Verdict.OVERTURN, at, "customers opted in")
        assert decided.status is CaseStatus.OVERTURNED
        uow.commit()
    with UnitOfWork(ingested) as uow:
        assert uow.actions.get(restrict.id).status is ActionStatus.REVERSED  # type: ignore[union-attr]
        assert uow.accounts.get("blaster").state.value == "active"  # type: ignore[union-attr]
        assert (
            uow.strikes.active_for("blaster", "spam", at, pack.ladders["spam"].decay_days)
            < strikes_before
        )
        assert restrict.action.type in (ActionType.WARN, ActionType.RESTRICT)


def test_a_rule_with_too_many_overturned_appeals_is_paused(
    engine: Engine, pack: PolicyPack
) -> None:
    from warden.domain.actions import PlannedAction
    from warden.enforce.decide import paused_rules

    valve = pack.valve
    appeals = max(valve.min_appeals, 1)
    overturn = int(appeals * valve.pause_rule_when_overturn_rate_above) + 1
    with UnitOfWork(engine) as uow:
        for i in range(appeals):
            planned = PlannedAction(
                account_id=f"acct{i}", type=ActionType.WARN, category="spam", rule_ids=("spam_blast",),
                reason="test", policy_version=pack.policy_version, campaign=None, at=T0, strikes_after=1,
            )  # fmt: skip
            record = uow.actions.add(planned)
            case = uow.cases.open(
                CaseKind.APPEAL, planned.account_id, "appeal", T0, action_id=record.id
            )
            uow.cases.set_status(
                case.id, CaseStatus.OVERTURNED if i < overturn else CaseStatus.REJECTED, T0
            )
        uow.commit()
    assert "spam_blast" in paused_rules(engine, pack)
    assert "escort_ad" not in paused_rules(engine, pack)


def test_account_level_evidence_names_every_message_and_one_message_is_one_strike(
    engine: Engine, screener: Screener, pack: PolicyPack
) -> None:
    from warden.domain.events import MessageEvent, PaymentEvent
    from warden.io.events import Located

    scams = [
        "您的银行卡已冻结，请点击链接解冻 http://icbc-safe.top",
        "您涉嫌洗钱案件，请把资金转入安全账户配合调查",
    ]
    events = [
        MessageEvent(
            event_id=f"scam-{n}",
            account_id="caller",
            ts=T0 + timedelta(minutes=n),
            text=text,
            recipient_id=f"stranger-{n}",
            is_contact=False,
        )
        for n, text in enumerate(scams)
    ]
    later = [  # an unrelated payment a day later, then another a week later
        PaymentEvent(
            event_id=f"pay-{n}",
            account_id="caller",
            ts=T0 + timedelta(days=days),
            payee_id="friend",
            amount=50,
        )
        for n, days in enumerate((1, 2))
    ]
    ingestor = Ingestor(engine, screener, pack)
    summary = ingestor.ingest(Located(e, "test", i) for i, e in enumerate([*events, *later]))
    assert summary.adds_up
    with UnitOfWork(engine) as uow:
        actions = uow.actions.list(account_id="caller")
    assert [a.action.rule_ids for a in actions] == [("fraud_content",)]  # once, not per payment
    content = [e.ref for e in actions[0].action.evidence if e.kind == "content"]
    assert content == ["scam-0", "scam-1"]  # every message the account-level evidence holds
