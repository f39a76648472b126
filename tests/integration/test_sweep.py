"""The sweep on real databases (SQLite and PostgreSQL): parity with online ingestion,
enforcement through the executor, rings in the store, and resuming after a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sweepdata import POLICY, action_rows, ring_scenario, write_jsonl

import warden.sweep.enforce as sweep_enforce
from warden.audit.log import verify
from warden.cli.sample_day import T0, scenario
from warden.detect.screener import Screener
from warden.enforce.decide import stored_ring_features
from warden.enforce.ingest import Ingestor
from warden.io.events import read_events
from warden.policy import PolicyPack, load_pack
from warden.store import UnitOfWork
from warden.sweep.local import LocalEngine
from warden.sweep.pipeline import SweepOptions, SweepResult, run_sweep

Row = tuple[Any, ...]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_pack(POLICY)


def sweep(
    events: Path, out: Path, store: Engine | None, screener: Screener, **options: Any
) -> SweepResult:
    chosen = SweepOptions(events=events, policy=POLICY, out=out, workers=2, **options)
    return run_sweep(chosen, LocalEngine(screener), store=store)


def stored_actions(engine: Engine) -> list[Row]:
    with UnitOfWork(engine) as uow:
        return action_rows(uow.actions.list())


def stored_decisions(engine: Engine) -> list[Row]:
    with UnitOfWork(engine) as uow:
        accounts = {r.action.account_id for r in uow.actions.list()}
        return sorted(
            (d.account_id, d.rule_id, d.at, d.campaign)
            for account in accounts
            for d in uow.decisions.list_for_account(account)
        )


@pytest.mark.parametrize("campaign", [None, "thunder-strike"])
def test_sweep_plans_exactly_what_online_ingestion_does(
    engine: Engine,
    screener: Screener,
    pack: PolicyPack,
    tmp_path: Path,
    campaign: str | None,
) -> None:
    events = write_jsonl(tmp_path / "day.jsonl", ring_scenario())
    shadow = sweep(events, tmp_path / "shadow", None, screener, campaign=campaign)
    assert shadow.rings.rings, "the ring scenario must produce a ring"
    online = Ingestor(
        engine,
        screener,
        pack,
        campaign=pack.campaign(campaign) if campaign else None,
        rings=shadow.rings.features,
    )
    summary = online.ingest(read_events(events))
    assert summary.quarantined == 0
    assert action_rows(shadow.outcome.records) == stored_actions(engine)
    assert sorted(
        (d.account_id, d.rule_id, d.at, d.campaign) for d in shadow.outcome.decisions
    ) == stored_decisions(engine)
    # the same evidence too (the sweep adds the ring it found)
    with UnitOfWork(engine) as uow:
        online_evidence = {
            (d.account_id, d.rule_id, d.at): d.evidence
            for account in {d.account_id for d in shadow.outcome.decisions}
            for d in uow.decisions.list_for_account(account)
        }
    for decision in shadow.outcome.decisions:
        swept = tuple(e for e in decision.evidence if e.kind != "ring")
        assert swept == online_evidence[(decision.account_id, decision.rule_id, decision.at)]


def test_ring_is_found_with_its_evidence_and_guards_hold(
    screener: Screener, tmp_path: Path
) -> None:
    events = write_jsonl(tmp_path / "day.jsonl", ring_scenario())
    result = sweep(events, tmp_path / "out", None, screener)
    (ring,) = result.rings.rings
    assert ring.members == ("ring0", "ring1", "ring2", "ring3")
    assert "chat_handle:honey_ring77" in ring.entities
    assert ring.score == 1.0 or ring.score >= 0.75
    linked = {(link.account_id, link.entity) for link in ring.links}
    assert ("ring3", "chat_handle:honey_ring77") in linked
    assert all(link.event_ids for link in ring.links)
    # the family is a component of three with a zero score, never a ring; the café IP is a hub
    assert result.rings.features["fam0"] == (3, 0.0)
    assert "ip24:172.16.5.0/24" in result.rings.hubs
    assert "guest0" not in result.rings.features
    # the careful member (mild ads) is caught through the ring rule
    ring_actions = [r for r in result.outcome.records if "escort_ring_member" in r.action.rule_ids]
    assert {r.action.account_id for r in ring_actions} >= {"ring3"}
    evidence = [e for r in ring_actions for e in r.action.evidence if e.kind == "ring"]
    assert evidence
    assert evidence[0].ref == ring.ring_id


def test_enforce_applies_the_shadow_plan_with_audit_and_rings(
    engine: Engine, screener: Screener, tmp_path: Path
) -> None:
    events = write_jsonl(tmp_path / "day.jsonl", ring_scenario())
    shadow = sweep(events, tmp_path / "shadow", None, screener, campaign="thunder-strike")
    enforced = sweep(
        events, tmp_path / "enforce", engine, screener, campaign="thunder-strike", mode="enforce"
    )
    assert action_rows(enforced.outcome.records) == action_rows(shadow.outcome.records)
    assert stored_actions(engine) == action_rows(shadow.outcome.records)
    assert verify(engine).ok
    with UnitOfWork(engine) as uow:
        (ring,) = uow.rings.list()
        assert ring.members == shadow.rings.rings[0].members
    # every account the sweep saw counts as active in the transparency report
    with engine.connect() as connection:
        active = connection.execute(
            text("SELECT count(DISTINCT account_id) FROM events_seen WHERE kind = 'activity'")
        ).scalar_one()
    assert active == enforced.active_accounts
    # online ingestion reads ring.* from the rings the sweep stored
    assert stored_ring_features(engine) == dict.fromkeys(ring.members, (ring.size, ring.score))
    with UnitOfWork(engine) as uow:
        closes = [r for r in uow.actions.list() if r.action.type.value == "close"]
        assert closes
        assert all(r.action.extra.get("sweep") == enforced.sweep_id for r in closes)
    # running the same sweep again changes nothing
    again = sweep(
        events, tmp_path / "again", engine, screener, campaign="thunder-strike", mode="enforce"
    )
    assert stored_actions(engine) == action_rows(shadow.outcome.records)
    assert again.outcome.records == []
    assert again.outcome.rings_stored == 0


def test_a_sweep_killed_half_way_resumes_without_repeating_or_losing_actions(
    engine: Engine, screener: Screener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = write_jsonl(tmp_path / "day.jsonl", ring_scenario())
    expected = action_rows(
        sweep(
            events, tmp_path / "shadow", None, screener, campaign="thunder-strike"
        ).outcome.records
    )
    monkeypatch.setattr(sweep_enforce, "COMMIT_EVERY", 2)
    real_apply: Callable[..., None] = sweep_enforce._apply
    calls = {"n": 0}

    def crash_on_third_batch(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        real_apply(*args)

    monkeypatch.setattr(sweep_enforce, "_apply", crash_on_third_batch)
    with pytest.raises(KeyboardInterrupt):
        sweep(
            events, tmp_path / "run1", engine, screener, campaign="thunder-strike", mode="enforce"
        )
    half = stored_actions(engine)
    assert 0 < len(half) < len(expected)
    monkeypatch.setattr(sweep_enforce, "_apply", real_apply)
    resumed = sweep(
        events, tmp_path / "run2", engine, screener, campaign="thunder-strike", mode="enforce"
    )
    assert 0 < len(resumed.outcome.records) < len(expected)
    assert stored_actions(engine) == expected
    assert verify(engine).ok


def test_window_and_bad_records(screener: Screener, tmp_path: Path) -> None:
    events = scenario()
    lines = [json.dumps(e, ensure_ascii=False) for e in events]
    lines.insert(2, "{broken")
    lines.insert(5, json.dumps({"kind": "message", "event_id": "naive", "account_id": "x",
                                "ts": "2026-06-10T09:00:00", "text": "hi", "recipient_id": "y"}))  # fmt: skip
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(lines) + "\n")
    everything = sweep(path, tmp_path / "all", None, screener)
    assert everything.counts["records"] == len(events) + 2
    assert everything.counts["quarantined"] == 2
    assert everything.counts["events"] == len(events)
    text = (tmp_path / "all" / "quarantined.jsonl").read_text()
    quarantined = [json.loads(x) for x in text.splitlines()]
    assert {q["line"] for q in quarantined} == {3, 6}
    assert any(q["field"] == "ts" for q in quarantined)
    late = sweep(path, tmp_path / "late", None, screener, since=T0.replace(hour=11))
    assert late.counts["events"] < len(events)
    assert late.counts["quarantined"] == 2  # bad records are never filtered out silently
    assert all(r.action.at >= T0.replace(hour=11) for r in late.outcome.records)
