"""Policy: what Warden looks for and how it escalates, read from a versioned YAML pack.

* :mod:`~warden.policy.expressions` — the rule-condition language (parser, type checks);
* :mod:`~warden.policy.syntax` — its syntax tree (walk it, print it back);
* :mod:`~warden.policy.evaluation` — its two back-ends: one account, or numpy columns;
* :mod:`~warden.policy.names` — the names a condition may read (the contract with folding);
* :mod:`~warden.policy.rules`, :mod:`~warden.policy.ladders`, :mod:`~warden.policy.caps`,
  :mod:`~warden.policy.campaigns` — the parts of a pack;
* :mod:`~warden.policy.pack` — loading and validating a pack, and evaluating it;
* :mod:`~warden.policy.default` — where the default pack is (a checkout or an install).

The format is documented in ``docs/policy.md``.
"""

from __future__ import annotations

from warden.policy.campaigns import Campaign, load_campaign, scale_thresholds
from warden.policy.caps import Caps, DailyCounts, Valve, cap_exceeded, rule_paused
from warden.policy.default import default_pack_path
from warden.policy.errors import ExpressionError, PolicyError
from warden.policy.evaluation import compile_vectorized, evaluate
from warden.policy.expressions import check, parse
from warden.policy.ladders import Ladder, LadderRung, LadderStep, active_strikes, next_step
from warden.policy.names import NameRegistry, NameSpec
from warden.policy.pack import LexiconSet, PolicyPack, load_pack
from warden.policy.rules import Rule
from warden.policy.syntax import ValueType, to_source

__all__ = [
    "Campaign",
    "Caps",
    "DailyCounts",
    "ExpressionError",
    "Ladder",
    "LadderRung",
    "LadderStep",
    "LexiconSet",
    "NameRegistry",
    "NameSpec",
    "PolicyError",
    "PolicyPack",
    "Rule",
    "ValueType",
    "Valve",
    "active_strikes",
    "cap_exceeded",
    "check",
    "compile_vectorized",
    "default_pack_path",
    "evaluate",
    "load_campaign",
    "load_pack",
    "next_step",
    "parse",
    "rule_paused",
    "scale_thresholds",
    "to_source",
]
