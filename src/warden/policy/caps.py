"""Caps and safety valves: the brakes on automated enforcement.

A rule with a bug, or a campaign with a threshold set too low, can act on millions of
accounts before anyone notices. Two brakes, both pure functions over plain numbers so the
planner can apply them identically online and in a sweep:

* **caps** — at most N automated actions per rule, and per category, per day; past that,
  further actions go to human review instead of being applied;
* **the valve** — a rule whose actions are overturned on appeal too often (above
  ``pause_rule_when_overturn_rate_above``, once at least ``min_appeals`` have been decided)
  is paused: its decisions are set aside until someone fixes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from warden.policy.yaml_source import Entry


@dataclass(frozen=True, slots=True)
class Caps:
    """Daily limits on automated actions; a rule or category without an entry is unlimited."""

    per_rule_per_day: Mapping[str, int] = field(default_factory=dict)
    per_category_per_day: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """Automated actions already applied today, per rule id and per category."""

    rules: Mapping[str, int] = field(default_factory=dict)
    categories: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Valve:
    """When to pause a rule for its appeal overturn rate."""

    pause_rule_when_overturn_rate_above: float = 0.3
    min_appeals: int = 20


def cap_exceeded(caps: Caps, rule_id: str, category: str, counts_today: DailyCounts) -> bool:
    """True when one more automated action for this rule or category would pass its cap.

    A cap of 10 000 lets 10 000 actions through; the 10 001st goes to review.
    """
    rule_cap = caps.per_rule_per_day.get(rule_id)
    category_cap = caps.per_category_per_day.get(category)
    return (rule_cap is not None and counts_today.rules.get(rule_id, 0) >= rule_cap) or (
        category_cap is not None and counts_today.categories.get(category, 0) >= category_cap
    )


def rule_paused(overturned: int, decided: int, valve: Valve) -> bool:
    """True when a rule's decided appeals are numerous enough and too often overturned.

    Below ``min_appeals`` a rate means little (2 overturned of 3 is noise), so no pause.
    """
    if decided < valve.min_appeals or decided <= 0:
        return False
    return overturned / decided > valve.pause_rule_when_overturn_rate_above


# --- reading them ---------------------------------------------------------------------------


def read_caps(entry: Entry, rule_ids: set[str], categories: set[str]) -> Caps:
    """``caps:`` from YAML; every rule id and category it names must exist in the pack."""
    fields = entry.fields(required=(), optional=("per_rule_per_day", "per_category_per_day"))
    per_rule: dict[str, int] = {}
    per_category: dict[str, int] = {}
    for key, known, out, what in (
        ("per_rule_per_day", rule_ids, per_rule, "rule"),
        ("per_category_per_day", categories, per_category, "category"),
    ):
        if key not in fields:
            continue
        for name, value in fields[key].mapping().items():
            if name not in known:
                raise value.error(f"{key}: no {what} {name!r} in this pack")
            out[name] = value.integer(0)
    return Caps(per_rule, per_category)


def read_valve(entry: Entry) -> Valve:
    fields = entry.fields(
        required=(), optional=("pause_rule_when_overturn_rate_above", "min_appeals")
    )
    valve = Valve()
    rate = fields.get("pause_rule_when_overturn_rate_above")
    appeals = fields.get("min_appeals")
    return Valve(
        rate.number(0.0, 1.0) if rate else valve.pause_rule_when_overturn_rate_above,
        appeals.integer(1) if appeals else valve.min_appeals,
    )
