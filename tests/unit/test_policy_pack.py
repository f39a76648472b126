"""Policy packs load, refuse mistakes with file:line, and decide the same online and in sweeps."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from warden.domain.actions import ActionType, Capability, Evidence, Severity
from warden.policy.campaigns import Campaign, load_campaign, scale_thresholds
from warden.policy.caps import DailyCounts
from warden.policy.errors import PolicyError
from warden.policy.expressions import check, parse
from warden.policy.names import NameRegistry, NameSpec
from warden.policy.pack import PolicyPack, load_pack
from warden.policy.syntax import ValueType, to_source

POLICIES = Path(__file__).resolve().parents[2] / "policies"
DEFAULT = POLICIES / "default.yaml"
DURING = datetime(2026, 6, 10, 12, tzinfo=UTC)
AFTER = datetime(2026, 9, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_pack(DEFAULT)


@pytest.fixture(scope="module")
def thunder(pack: PolicyPack) -> Campaign:
    return pack.campaign("thunder-strike")


def test_the_default_pack_loads(pack: PolicyPack) -> None:
    assert pack.categories == (
        "sexual_services", "porn", "fraud", "gambling", "terror", "spam", "harassment",
    )  # fmt: skip
    assert pack.policy_version.startswith("2026.12-2+")
    assert len(pack.digest) == 8
    ids = {r.id for r in pack.rules}
    assert {"escort_ad", "deposit_first_escort_scam", "spam_blast", "terror_propaganda"} <= ids
    terror = next(r for r in pack.rules if r.id == "terror_propaganda")
    assert (terror.severity, terror.jump_to, terror.auto_close) == (
        Severity.CRITICAL, ActionType.CLOSE, False,
    )  # fmt: skip
    assert set(pack.ladders) == set(pack.categories)
    assert pack.ladders["porn"] == pack.ladders["gambling"]  # both use the default ladder
    assert pack.caps.per_rule_per_day["escort_ad"] == 10000
    assert pack.valve.min_appeals == 20
    assert pack.lexicons.defaults is True


def test_thunder_strike_is_ninety_days_of_stricter_policy(thunder: Campaign) -> None:
    assert thunder.title == "Thunder strike"
    assert thunder.start == datetime(2026, 6, 9, tzinfo=UTC)
    assert (thunder.end - thunder.start).days == 90
    assert thunder.categories == {"sexual_services", "fraud"}
    assert (thunder.threshold_scale, thunder.ladder_shift) == (0.8, 1)
    assert thunder.active(DURING)
    assert not thunder.active(AFTER)
    assert thunder.active(datetime(2026, 6, 9))  # naive means UTC
    assert thunder.shift("fraud", DURING) == 1
    assert thunder.shift("spam", DURING) == 0
    assert (
        load_campaign(POLICIES / "campaigns" / "thunder-strike.yaml", ["sexual_services", "fraud"])
        == thunder
    )


def test_the_planner_asks_the_pack(pack: PolicyPack) -> None:
    step = pack.next_step("sexual_services", 1, Severity.MEDIUM, None)
    assert step.action is ActionType.RESTRICT
    assert Capability.PUBLISH in step.capabilities
    assert (
        pack.next_step("terror", 0, Severity.CRITICAL, ActionType.CLOSE).action is ActionType.CLOSE
    )
    assert pack.cap_exceeded("escort_ad", "sexual_services", DailyCounts({"escort_ad": 10000}))
    assert not pack.rule_paused(overturned=5, decided=19)


def escort(score: float) -> dict[str, Any]:
    return {
        "score.sexual_services": score,
        "intent.sexual_services": score,  # one ad, to a stranger
        "latest.sexual_services": 1.78e9,
        "entities.has_contact": True,
        "entities.contact_handles": 2,
    }


def test_evaluate_gives_one_decision_per_firing_rule(pack: PolicyPack) -> None:
    decisions = pack.evaluate(escort(0.92), account_id="acc-1", at=AFTER, campaign=None)
    assert [d.rule_id for d in decisions] == ["escort_ad"]
    decision = decisions[0]
    assert decision.account_id == "acc-1"
    assert (decision.category, decision.severity, decision.confidence) == (
        "sexual_services",
        Severity.HIGH,
        0.9,
    )
    assert decision.policy_version == pack.policy_version
    assert decision.campaign is None
    assert decision.evidence == (
        Evidence("feature", "entities.has_contact", "true"),
        Evidence("feature", "intent.sexual_services", "0.92"),
        Evidence("feature", "score.sexual_services", "0.92"),
    )
    assert decision.content_at == datetime(2026, 5, 28, 20, 26, 40, tzinfo=UTC)
    assert pack.evaluate({}, account_id="quiet", at=AFTER) == []


def test_campaign_lowers_thresholds_only_where_and_when_it_applies(
    pack: PolicyPack, thunder: Campaign
) -> None:
    env = {**escort(0.7), "score.porn": 0.7, "features.payers_day": 3}
    assert pack.evaluate(env, account_id="a", at=DURING) == []
    during = pack.evaluate(env, account_id="a", at=DURING, campaign=thunder)
    assert [(d.rule_id, d.campaign) for d in during] == [("escort_ad", "thunder-strike")]
    # porn_sale needs score.porn >= 0.8 and porn is not a thunder-strike category
    assert pack.evaluate(env, account_id="a", at=AFTER, campaign=thunder) == []
    fraud = pack.evaluate({"intent.fraud": 1.3}, account_id="b", at=DURING, campaign=thunder)
    assert [(d.rule_id, d.campaign) for d in fraud] == [("fraud_content", "thunder-strike")]
    out_of_scope = {
        "features.small_payments_after_ad_day": 5,
        "features.near_duplicate_recipients_hour": 60,
    }
    covered = pack.evaluate(out_of_scope, account_id="c", at=DURING, campaign=thunder)
    assert [(d.rule_id, d.campaign) for d in covered] == [
        ("deposit_first_escort_scam", "thunder-strike"),
        ("spam_blast", None),  # spam is not a thunder-strike category
    ]


def test_threshold_scale_touches_only_documented_comparisons() -> None:
    names = NameRegistry.for_categories(["fraud", "porn"])
    source = (
        "score.fraud >= 0.8 and 0.5 < score.porn and score.fraud > 0.9 "
        "and not score.porn >= 0.5 and score.fraud <= 0.95 and count.fraud >= 10 "
        "and score.fraud + score.porn >= 1 and (score.fraud == 0.5 or score.porn > 0.25)"
    )
    scaled = scale_thresholds(check(parse(source), names), 0.5)
    assert to_source(scaled) == (
        "score.fraud >= 0.4 and 0.25 < score.porn and score.fraud > 0.45 "
        "and not score.porn >= 0.5 and score.fraud <= 0.95 and count.fraud >= 10 "
        "and score.fraud + score.porn >= 1 and (score.fraud == 0.5 or score.porn > 0.125)"
    )


def random_columns(pack: PolicyPack, rows: int, seed: int) -> dict[str, Any]:
    """Feature columns shaped so that every rule of the default pack fires now and then."""
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {}
    for name, kind in pack.names.items():
        if kind == "bool":
            columns[name] = rng.random(rows) < 0.5
        elif name.startswith("score.") or name.endswith(("_ratio", ".score")):
            columns[name] = np.round(rng.random(rows), 2)
        else:
            columns[name] = rng.integers(0, 8, rows).astype(np.float64) ** rng.integers(1, 4, rows)
    del columns["features.payments_out_day"]  # a missing column reads as 0 in both
    return columns


@pytest.mark.parametrize("at", [DURING, AFTER])
def test_sweep_and_online_give_identical_decisions(
    pack: PolicyPack, thunder: Campaign, at: datetime
) -> None:
    rows = 400
    columns = random_columns(pack, rows, seed=7)
    ids = [f"acc-{i}" for i in range(rows)]
    for campaign in (None, thunder):
        swept = pack.evaluate_columns(columns, account_ids=ids, at=at, campaign=campaign)
        online = [
            decision
            for i, account in enumerate(ids)
            for decision in pack.evaluate(
                {k: v[i] for k, v in columns.items()}, account_id=account, at=at, campaign=campaign
            )
        ]
        assert swept == online
        assert {d.rule_id for d in swept} == {r.id for r in pack.rules}  # every rule was exercised
    assert any(d.campaign == "thunder-strike" for d in swept) == (at == DURING)


# --- validation: every error names file:line and the problem -------------------------------


def broken(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the default pack (and its campaigns) with one edit."""
    shutil.copytree(POLICIES / "campaigns", tmp_path / "campaigns")
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "pack.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "marker", "problem"),
    [
        (
            "    severity: high\n    confidence: 0.9\n",
            "    severity: hgh\n    confidence: 0.9\n",
            "severity: hgh",
            "rule 'escort_ad': severity 'hgh' is not one of low, medium, high, critical",
        ),
        (
            "    severity: high\n    confidence: 0.9\n",
            "    severity: high\n    severity: low\n    confidence: 0.9\n",
            "severity: low",
            "rule 'escort_ad': key 'severity' appears twice",
        ),
        (
            "    confidence: 0.9\n    when",
            "    confidence: 0.9\n    wen: x\n    when",
            "wen: x",
            "rule 'escort_ad': unknown key 'wen'; did you mean 'when'?",
        ),
        (
            "when: score.sexual_services >= 0.8 and entities.has_contact and",
            "when: score.sexual_services >= 0.8 and and entities.has_contact and",
            "and and",
            "rule 'escort_ad' condition, column 34: expected an operand after 'and', found 'and'",
        ),
        (
            "when: score.sexual_services >= 0.8 and entities.has_contact and",
            "when: score.sexual_services >= 0.8 and entities.has_contacts and",
            "has_contacts",
            "rule 'escort_ad' condition, column 34: unknown name 'entities.has_contacts'; "
            "did you mean 'entities.has_contact'",
        ),
        (
            "      - {at: 3, action: lock, days: 14}\n      - {at: 5",
            "      - {at: 3, action: lock, days: 14}\n      - {at: 2",
            "{at: 2, action: close}",
            "ladder 'default': steps out of order: at: 2 comes after at: 3",
        ),
        (
            "      - {at: 3, action: lock, days: 30}\n      - {at: 5, action: close}",
            "      - {at: 3, action: close}\n      - {at: 5, action: lock, days: 30}",
            "{at: 5, action: lock, days: 30}",
            "ladder 'sexual_services': steps out of order: lock at 5 is milder than close at 3",
        ),
        ('version: "2026.12-2"\n', "", "description:", "missing required key 'version'"),
        (
            'version: "2026.12-2"',
            "version: 2026.11",
            "version:",
            "version must be a non-empty string",
        ),
        (
            "    category: gambling\n",
            "    category: betting\n",
            "category: betting",
            "rule 'gambling_promotion': category 'betting' is not one of the pack's categories",
        ),
        (
            "    escort_ad: 10000",
            "    escort_adx: 10000",
            "escort_adx",
            "per_rule_per_day: no rule 'escort_adx' in this pack",
        ),
        (
            "  - id: spam_blast\n",
            "  - id: escort_ad\n",
            "  - id: escort_ad",
            "rule id 'escort_ad' is used twice (first at line 26)",
        ),
    ],
)
def test_validation_errors_name_file_line_and_problem(
    tmp_path: Path, old: str, new: str, marker: str, problem: str
) -> None:
    path = broken(tmp_path, old, new)
    with pytest.raises(PolicyError) as caught:
        load_pack(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    if "used twice" in problem:  # the second of two identical lines
        line = [i for i, text in enumerate(lines, 1) if text == marker][1]
    else:
        line = line_of(path, marker)
    assert str(caught.value).startswith(f"{path}:{line}: {problem}")


def campaign_error(tmp_path: Path, old: str, new: str) -> str:
    source = (POLICIES / "campaigns" / "thunder-strike.yaml").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "c.yaml"
    path.write_text(source.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_campaign(path, ["sexual_services", "fraud", "spam"])
    return str(caught.value)


def test_campaign_end_before_start_is_refused(tmp_path: Path) -> None:
    message = campaign_error(tmp_path, "days: 90  ", "end: 2026-06-01")
    assert message.startswith(f"{tmp_path / 'c.yaml'}:6: campaign 'thunder-strike': end 2026-06-01")
    assert "is not after start 2026-06-09" in message


def test_campaign_with_unknown_category_is_refused(tmp_path: Path) -> None:
    message = campaign_error(tmp_path, "[sexual_services, fraud]", "[sexual_services, frauds]")
    assert message.startswith(f"{tmp_path / 'c.yaml'}:7: campaign 'thunder-strike': ")
    assert "unknown category 'frauds'" in message


def test_campaign_needs_end_or_days_and_a_tightening_scale(tmp_path: Path) -> None:
    assert "exactly one of end" in campaign_error(tmp_path, "days: 90", "# no end")
    assert "threshold_scale must be a number in (0, 1]" in campaign_error(
        tmp_path, "threshold_scale: 0.8", "threshold_scale: 1.5"
    )


def test_a_jump_the_ladder_cannot_make_is_refused(tmp_path: Path) -> None:
    path = broken(tmp_path, "      - {at: 3, action: close}\n", "")
    with pytest.raises(PolicyError) as caught:
        load_pack(path)
    terror_jump = line_of(path, "score.terror") - 2  # jump_to sits two lines above `when`
    assert str(caught.value) == (
        f"{path}:{terror_jump}: rule 'terror_propaganda': "
        "jump_to close but the terror ladder has no close step"
    )


def test_a_deployment_can_add_names(tmp_path: Path) -> None:
    names = NameRegistry.for_categories(["spam"]).with_names(
        [NameSpec("account.kind", ValueType.STRING, "personal or official")]
    )
    path = tmp_path / "kinds.yaml"
    path.write_text(
        'version: "1"\ncategories: [spam]\nladders: {default: {decay_days: 30, steps: [{at: 1, '
        "action: warn}]}}\nrules:\n  - {id: official_spam, category: spam, severity: low, "
        "confidence: 0.5, when: \"account.kind in ['official'] and features.msgs_per_hour > 10\"}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=r"unknown name 'account\.kind'"):
        load_pack(path)
    pack = load_pack(path, names=names)
    columns = {
        "account.kind": np.array(["official", "personal", "official"]),
        "features.msgs_per_hour": np.array([11, 50, 3]),
    }
    swept = pack.evaluate_columns(columns, account_ids=["a", "b", "c"], at=AFTER)
    assert [d.account_id for d in swept] == ["a"]
    assert swept == pack.evaluate(
        {"account.kind": "official", "features.msgs_per_hour": 11}, account_id="a", at=AFTER
    )


def test_yaml_syntax_errors_and_unknown_campaign_names(tmp_path: Path, pack: PolicyPack) -> None:
    path = broken(tmp_path, "categories: [", "categories: [[")
    with pytest.raises(PolicyError, match=rf"^{path}:\d+: not valid YAML"):
        load_pack(path)
    with pytest.raises(PolicyError, match="cannot read campaign file"):
        pack.campaign("no-such-campaign")
    with pytest.raises(PolicyError, match="must match"):
        pack.campaign("../default")


def test_policy_version_changes_with_the_text(tmp_path: Path, pack: PolicyPack) -> None:
    same = broken(tmp_path, "version", "version")
    assert load_pack(same).policy_version == pack.policy_version
    (tmp_path / "campaigns" / "thunder-strike.yaml").write_text(
        (POLICIES / "campaigns" / "thunder-strike.yaml")
        .read_text()
        .replace("ladder_shift: 1", "ladder_shift: 2")
    )
    assert load_pack(same).policy_version != pack.policy_version  # a campaign file is policy too
