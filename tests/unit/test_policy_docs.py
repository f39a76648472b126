"""docs/policy.md stays true: its names table, its examples and the shipped pack all hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from warden.domain.actions import ActionType, Severity
from warden.policy.campaigns import load_campaign
from warden.policy.ladders import LadderStep, next_step
from warden.policy.names import FIXED_NAMES, PER_BANK, PER_CATEGORY, NameRegistry
from warden.policy.pack import load_pack
from warden.policy.syntax import to_source

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    """The fenced block whose first line is ``marker``."""
    return DOC.split(f"```yaml\n{marker}\n", 1)[1].split("```", 1)[0]


def test_shipped_pack_and_campaign_load() -> None:
    pack = load_pack(ROOT / "policies" / "default.yaml")
    campaign = load_campaign(
        ROOT / "policies" / "campaigns" / "thunder-strike.yaml", pack.categories
    )
    assert pack.campaigns["thunder-strike"] == campaign
    assert all(name in pack.names for rule in pack.rules for name in _names(rule.when))


def _names(condition: str) -> set[str]:
    return set(
        re.findall(
            r"\b(?:score|count|intent|latest|features|entities|ring|media)\.[a-z_.]+", condition
        )
    )


def test_names_table_matches_the_registry() -> None:
    section = DOC.split("## Names a condition can use", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| (.+) \|$", section, flags=re.MULTILINE)
    documented = {name: (kind, meaning) for name, kind, meaning in rows}
    declared = {s.name: (s.type.value, s.meaning) for s in (*PER_CATEGORY, *FIXED_NAMES, *PER_BANK)}
    assert set(documented) == set(declared), set(documented) ^ set(declared)
    assert documented == declared  # same types and meanings too
    expanded = NameRegistry.for_categories(["fraud"])
    assert {"score.fraud", "count.fraud", "ring.score"} <= set(expanded)


def test_the_complete_example_loads_and_means_what_it_says(tmp_path: Path) -> None:
    path = tmp_path / "example-pack.yaml"
    path.write_text(block("# example-pack.yaml"), encoding="utf-8")
    pack = load_pack(path)
    assert pack.version == "2026.12-1"
    assert "phishing" in pack.categories
    assert "score.phishing" in pack.names
    assert [r.id for r in pack.rules if not r.enabled] == ["phishing_links"]
    assert pack.ladders["fraud"] == pack.ladders["harassment"]  # both the default ladder
    assert pack.ladders["spam"].decay_days == 30
    assert pack.lexicons.catalogs == ("lexicons/catalogs/public.yaml",)
    assert pack.models == ("models/sms-spam.wdm",)
    winter = pack.campaign("winter-sweep")
    assert (winter.mode, winter.categories) == ("shadow", {"fraud", "phishing"})
    at = datetime(2026, 12, 24, tzinfo=UTC)
    env = {"score.phishing": 1.0, "features.stranger_ratio": 1.0}
    assert pack.evaluate(env, account_id="a", at=at, campaign=winter) == []  # disabled rule


def test_the_documented_campaign_is_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "thunder-strike.yaml"
    path.write_text(block("# policies/campaigns/thunder-strike.yaml"), encoding="utf-8")
    categories = ["sexual_services", "fraud"]
    shipped = load_campaign(ROOT / "policies" / "campaigns" / "thunder-strike.yaml", categories)
    assert load_campaign(path, categories) == shipped


def test_the_documented_threshold_rewrite() -> None:
    pack = load_pack(ROOT / "policies" / "default.yaml")
    thunder = pack.campaign("thunder-strike")
    at = datetime(2026, 7, 1, tzinfo=UTC)
    compiled = {c.rule.id: c for c in pack.rules_in_force(thunder, at)}
    assert to_source(compiled["escort_ad"].condition) == (
        "score.sexual_services >= 0.64 and entities.has_contact and intent.sexual_services >= 0.56"
    )
    assert compiled["porn_sale"].condition == compiled["porn_sale"].rule.condition


def test_the_worked_ladder_example_with_a_campaign_shift() -> None:
    pack = load_pack(ROOT / "policies" / "default.yaml")
    ladder = pack.ladders["porn"]  # the default ladder, as in the docs
    assert next_step(ladder, 0, Severity.MEDIUM, None, shift=1).action is ActionType.RESTRICT
    assert next_step(ladder, 1, Severity.LOW, None, shift=1) == LadderStep(
        ActionType.LOCK, (), 14, 2
    )
