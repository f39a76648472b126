"""The policy pack: one versioned YAML file that says what Warden looks for and how it acts.

:func:`load_pack` reads and validates ``policies/<pack>.yaml`` (format: ``docs/policy.md``)
into a :class:`PolicyPack`; every error names the file and line. The pack is then the single
source for the rest of the pipeline:

* feature folding asks :attr:`PolicyPack.names` which names to provide;
* :meth:`PolicyPack.evaluate` (one account, online) and :meth:`PolicyPack.evaluate_columns`
  (many accounts as numpy columns, sweeps) turn features into decisions — the same
  decisions, because both run the same parsed conditions;
* the planner asks :meth:`PolicyPack.next_step`, :meth:`PolicyPack.cap_exceeded` and
  :meth:`PolicyPack.rule_paused`.

Every decision carries :attr:`PolicyPack.policy_version`, the pack's ``version`` plus a short
hash of its bytes (and of the campaign files it references), so an audited decision points
at exactly the text that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from warden.domain.actions import ActionType, Decision, Evidence, Severity
from warden.domain.moments import from_seconds, to_micros
from warden.policy.campaigns import NAME as CAMPAIGN_NAME
from warden.policy.campaigns import (
    Campaign,
    campaign_from_bytes,
    load_campaign,
    read_campaign,
    scale_thresholds,
)
from warden.policy.caps import (
    Caps,
    DailyCounts,
    Valve,
    cap_exceeded,
    read_caps,
    read_valve,
    rule_paused,
)
from warden.policy.errors import PolicyError
from warden.policy.evaluation import evaluate
from warden.policy.gate import Gate, gate_of
from warden.policy.ladders import Ladder, LadderStep, next_step, read_ladder
from warden.policy.names import NameRegistry
from warden.policy.rules import CompiledRule, Rule, read_rule
from warden.policy.yaml_source import Entry, compose

DEFAULT_LADDER = "default"


@dataclass(frozen=True, slots=True)
class LexiconSet:
    """Which lexicons the screener loads (paths carried as data; the screener resolves them)."""

    defaults: bool = True
    extra: tuple[str, ...] = ()
    catalogs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyPack:
    """A validated policy pack (build it with :func:`load_pack`)."""

    path: Path
    version: str
    digest: str  # first 8 hex digits of the SHA-256 of the pack and its campaign files
    description: str
    categories: tuple[str, ...]
    names: NameRegistry
    lexicons: LexiconSet
    models: tuple[str, ...]
    rules: tuple[Rule, ...]
    ladders: Mapping[str, Ladder]  # one per category (the default ladder filled in)
    caps: Caps
    valve: Valve
    campaigns: Mapping[str, Campaign]
    #: hash banks rules may read as ``media.bank_match.<bank>`` (``warden banks``)
    banks: tuple[str, ...] = ()
    _compiled: dict[tuple[float, frozenset[str]], tuple[CompiledRule, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def policy_version(self) -> str:
        return f"{self.version}+{self.digest}"

    # --- what the planner asks -------------------------------------------------------------

    def next_step(
        self,
        category: str,
        active_strikes_before: int,
        severity: Severity,
        jump_to: ActionType | None,
        shift: int = 0,
    ) -> LadderStep:
        """:func:`~warden.policy.ladders.next_step` on ``category``'s ladder."""
        return next_step(self.ladders[category], active_strikes_before, severity, jump_to, shift)

    def cap_exceeded(self, rule_id: str, category: str, counts_today: DailyCounts) -> bool:
        return cap_exceeded(self.caps, rule_id, category, counts_today)

    def rule_paused(self, overturned: int, decided: int) -> bool:
        return rule_paused(overturned, decided, self.valve)

    def campaign(self, name: str) -> Campaign:
        """A campaign of this pack, or one loaded by name from ``<pack dir>/campaigns/``."""
        if name in self.campaigns:
            return self.campaigns[name]
        if not CAMPAIGN_NAME.match(name):
            raise PolicyError(f"campaign name {name!r} must match [a-z0-9][a-z0-9_-]*")
        campaign = load_campaign(self.path.parent / "campaigns" / f"{name}.yaml", self.categories)
        if campaign.name != name:
            raise PolicyError(f"campaign file {name}.yaml names itself {campaign.name!r}")
        return campaign

    # --- decisions ---------------------------------------------------------------------------

    def evaluate(
        self,
        env: Mapping[str, Any],
        *,
        account_id: str,
        at: datetime,
        campaign: Campaign | None = None,
    ) -> list[Decision]:
        """One decision per enabled rule that fires for the account whose features are ``env``."""
        return [
            self._decision(
                compiled,
                account_id,
                at,
                campaign,
                compiled.evidence(env.get),
                env.get,
            )
            for compiled in self.rules_in_force(campaign, at)
            if evaluate(compiled.condition, env) is True
        ]

    def evaluate_columns(
        self,
        columns: Mapping[str, Any],
        *,
        account_ids: Sequence[str],
        at: datetime,
        campaign: Campaign | None = None,
    ) -> list[Decision]:
        """The decisions for many accounts, one row each: exactly what :meth:`evaluate` gives
        per account, in the same order (by account, then by rule)."""
        rows = len(account_ids)
        compiled_rules = self.rules_in_force(campaign, at)
        firing: list[tuple[int, int, tuple[Evidence, ...]]] = []
        for index, compiled in enumerate(compiled_rules):
            fired = np.flatnonzero(compiled.vectorized(columns, rows))
            evidence = compiled.evidence_of_rows(columns, fired)
            firing.extend(
                (row, index, found) for row, found in zip(fired.tolist(), evidence, strict=True)
            )
        firing.sort(key=lambda item: item[:2])
        return [
            self._decision(
                compiled_rules[index],
                account_ids[row],
                at,
                campaign,
                evidence,
                row_reader(columns, row),
            )
            for row, index, evidence in firing
        ]

    def evaluate_rows(
        self,
        columns: Mapping[str, Any],
        *,
        account_ids: Sequence[str],
        ats: Sequence[datetime],
        campaign: Campaign | None = None,
        moments_us: npt.NDArray[np.int64] | None = None,
        with_evidence: bool = True,
    ) -> list[tuple[int, Decision]]:
        """Rows taken at different moments (a sweep over history): ``(row, decision)`` pairs,
        by row then rule — exactly what :meth:`evaluate` gives for each row at its own ``at``.

        Rows are grouped by whether ``campaign`` is active at their moment (the only way the
        moment changes which rules apply), and each group is evaluated as columns.
        ``moments_us`` (the same moments as UTC microseconds) makes that grouping one NumPy
        comparison instead of a loop over a million datetimes. ``with_evidence=False`` leaves
        the feature evidence out (a sweep adds it, with :meth:`rule_evidence`, only to the
        few decisions that lead to an action)."""
        rows = len(account_ids)
        if campaign is None:
            active = np.zeros(rows, dtype=bool)
        elif moments_us is not None:
            start, end = to_micros(campaign.start), to_micros(campaign.end)
            active = (moments_us >= start) & (moments_us < end)
        else:
            active = np.fromiter((campaign.active(at) for at in ats), dtype=bool, count=rows)
        firing: list[tuple[int, int, tuple[Evidence, ...], tuple[CompiledRule, ...]]] = []
        for in_campaign in (False, True):
            members = np.flatnonzero(active == in_campaign)
            if not len(members):
                continue
            compiled_rules = self.rules_in_force(campaign, ats[int(members[0])])
            subset = {name: np.asarray(column)[members] for name, column in columns.items()}
            for index, compiled in enumerate(compiled_rules):
                fired = np.flatnonzero(compiled.vectorized(subset, len(members)))
                evidence = (
                    compiled.evidence_of_rows(subset, fired) if with_evidence else [()] * len(fired)
                )
                firing.extend(
                    (int(members[row]), index, found, compiled_rules)
                    for row, found in zip(fired.tolist(), evidence, strict=True)
                )
        firing.sort(key=lambda item: item[:2])
        return [
            (
                row,
                self._decision(
                    rules[index],
                    account_ids[row],
                    ats[row],
                    campaign,
                    evidence,
                    row_reader(columns, row),
                ),
            )
            for row, index, evidence, rules in firing
        ]

    def gate(self, campaign: Campaign | None = None, unknown: frozenset[str] = frozenset()) -> Gate:
        """The cheap test that no rule can fire (:mod:`warden.policy.gate`), for the rules
        as written and, with ``campaign``, as the campaign scales them."""
        conditions = [c.condition for c in self.rules_in_force(None, datetime.now(UTC))]
        if campaign is not None:
            conditions += [c.condition for c in self.rules_in_force(campaign, campaign.start)]
        return gate_of(conditions, unknown)

    def rule_evidence(self, rule_id: str, raw: Callable[[str], Any]) -> tuple[Evidence, ...]:
        """The feature evidence :meth:`evaluate` gives a decision of ``rule_id`` (the values of
        the names the rule reads; a campaign scales thresholds, not which names are read)."""
        return self._as_written(rule_id).evidence(raw)

    def content_categories(self, rule_id: str) -> tuple[str, ...]:
        """The categories whose content ``rule_id`` reads (``score.*``, ``count.*``,
        ``intent.*``): its decisions carry those messages as evidence."""
        return tuple(n.partition(".")[2] for n in self._as_written(rule_id).incident_names)

    def _as_written(self, rule_id: str) -> CompiledRule:
        """``rule_id`` compiled without a campaign (which scales thresholds, never names)."""
        for compiled in self.rules_in_force(None, datetime.now(UTC)):
            if compiled.rule.id == rule_id:
                return compiled
        raise KeyError(rule_id)

    def rules_in_force(self, campaign: Campaign | None, at: datetime) -> tuple[CompiledRule, ...]:
        """The enabled rules, compiled, as they apply at ``at``: with thresholds scaled where
        ``campaign`` is active and covers the rule's category (cached per campaign)."""
        if campaign is not None:
            unknown = campaign.categories - set(self.categories)
            if unknown:
                raise PolicyError(
                    f"campaign {campaign.name!r} names categories this pack does not have: "
                    f"{', '.join(sorted(unknown))}"
                )
        key = (
            (campaign.threshold_scale, campaign.categories)
            if campaign is not None and campaign.active(at)
            else (1.0, frozenset[str]())
        )
        if key not in self._compiled:
            scale, covered = key
            self._compiled[key] = tuple(
                CompiledRule.build(
                    rule,
                    scale_thresholds(rule.condition, scale)
                    if rule.category in covered and scale != 1.0
                    else rule.condition,
                )
                for rule in self.rules
                if rule.enabled
            )
        return self._compiled[key]

    def _decision(
        self,
        compiled: CompiledRule,
        account_id: str,
        at: datetime,
        campaign: Campaign | None,
        evidence: tuple[Evidence, ...],
        raw: Callable[[str], Any],
    ) -> Decision:
        """A decision of ``compiled``; ``raw`` reads the row it fired on (for ``content_at``)."""
        rule = compiled.rule
        incident_at = compiled.incident_at(raw)
        covering = campaign is not None and campaign.covers(rule.category, at)
        return Decision(
            account_id=account_id,
            rule_id=rule.id,
            category=rule.category,
            severity=rule.severity,
            confidence=rule.confidence,
            at=at,
            policy_version=self.policy_version,
            campaign=campaign.name if covering and campaign is not None else None,
            evidence=evidence,
            auto_close=rule.auto_close,
            jump_to=rule.jump_to,
            content_at=from_seconds(incident_at) if incident_at else None,
        )


def row_reader(columns: Mapping[str, Any], row: int) -> Callable[[str], Any]:
    """``name → value`` of one row of ``columns`` as a plain Python value (None where the
    column is missing): how a sweep's bulk rows are read one at a time."""

    def read(name: str) -> Any:
        column = columns.get(name)
        if column is None:
            return None
        value = column[row]
        return value.item() if hasattr(value, "item") else value

    return read


# --- loading --------------------------------------------------------------------------------

PACK_KEYS = ("version", "categories", "rules", "ladders")
OPTIONAL_KEYS = ("description", "lexicons", "models", "banks", "caps", "valves", "campaigns")


def load_pack(path: Path | str, *, names: NameRegistry | None = None) -> PolicyPack:
    """Read and validate a policy pack; ``names`` overrides the standard name registry."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy pack: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    top = compose(path, text).fields(PACK_KEYS, OPTIONAL_KEYS)
    version = top["version"].text()
    categories = _read_categories(top["categories"])
    banks = _read_banks(top["banks"]) if "banks" in top else ()
    registry = names or NameRegistry.for_categories(categories, banks)
    ladders = _read_ladders(top["ladders"], categories)
    rules = _read_rules(top["rules"], ladders, registry)
    hasher = hashlib.sha256(data)
    campaigns: dict[str, Campaign] = {}
    if "campaigns" in top:
        campaigns, files = _read_campaigns(top["campaigns"], path, categories)
        for file_bytes in files:
            hasher.update(file_bytes)
    return PolicyPack(
        path=path,
        version=version,
        digest=hasher.hexdigest()[:8],
        description=top["description"].text() if "description" in top else "",
        categories=categories,
        names=registry,
        lexicons=_read_lexicons(top["lexicons"]) if "lexicons" in top else LexiconSet(),
        models=top["models"].strings() if "models" in top else (),
        rules=rules,
        ladders=ladders,
        caps=(
            read_caps(top["caps"], {r.id for r in rules}, set(categories))
            if "caps" in top
            else Caps()
        ),
        valve=read_valve(top["valves"]) if "valves" in top else Valve(),
        campaigns=campaigns,
        banks=banks,
    )


def _read_banks(entry: Entry) -> tuple[str, ...]:
    return _identifiers(entry, "bank")


def _identifiers(entry: Entry, what: str) -> tuple[str, ...]:
    """A list of distinct identifiers (categories, banks), each error at its line."""
    seen: list[str] = []
    for item in entry.items():
        name = item.identifier()
        if name in seen:
            raise item.error(f"{what} {name!r} is listed twice")
        seen.append(name)
    return tuple(seen)


def _read_categories(entry: Entry) -> tuple[str, ...]:
    seen = _identifiers(entry, "category")
    if not seen:
        raise entry.error("categories must list at least one category")
    return seen


def _read_rules(
    entry: Entry, ladders: Mapping[str, Ladder], names: NameRegistry
) -> tuple[Rule, ...]:
    rules: dict[str, Rule] = {}
    for item in entry.items():
        rule = read_rule(item, ladders, names)
        if rule.id in rules:
            raise item.error(
                f"rule id {rule.id!r} is used twice (first at line {rules[rule.id].line})"
            )
        rules[rule.id] = rule
    return tuple(rules.values())


def _read_ladders(entry: Entry, categories: tuple[str, ...]) -> dict[str, Ladder]:
    given = entry.fields(required=(), optional=(DEFAULT_LADDER, *categories))
    ladders = {key: read_ladder(value.within(f"ladder {key!r}")) for key, value in given.items()}
    out: dict[str, Ladder] = {}
    for category in categories:
        ladder = ladders.get(category) or ladders.get(DEFAULT_LADDER)
        if ladder is None:
            raise entry.error(
                f"no ladder for category {category!r} and no {DEFAULT_LADDER!r} ladder"
            )
        out[category] = ladder
    return out


def _read_lexicons(entry: Entry) -> LexiconSet:
    fields = entry.fields(required=(), optional=("defaults", "extra", "catalogs"))
    return LexiconSet(
        defaults=fields["defaults"].flag() if "defaults" in fields else True,
        extra=fields["extra"].strings() if "extra" in fields else (),
        catalogs=fields["catalogs"].strings() if "catalogs" in fields else (),
    )


def _read_campaigns(
    entry: Entry, path: Path, categories: tuple[str, ...]
) -> tuple[dict[str, Campaign], list[bytes]]:
    """Inline campaigns, or references: a name (``campaigns/<name>.yaml``) or a relative path.

    Also returns the bytes of the referenced files, which are part of the policy version.
    """
    campaigns: dict[str, Campaign] = {}
    files: list[bytes] = []
    for item in entry.items():
        if isinstance(item.node.value, str):
            reference = item.text()
            if CAMPAIGN_NAME.match(reference):
                reference = f"campaigns/{reference}.yaml"
            file = path.parent / reference
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise item.error(f"cannot read campaign file {file}: {exc.strerror}") from exc
            files.append(data)
            campaign = campaign_from_bytes(file, data, categories)
        else:
            campaign = read_campaign(item, categories)
        if campaign.name in campaigns:
            raise item.error(f"campaign {campaign.name!r} is listed twice")
        campaigns[campaign.name] = campaign
    return campaigns, files
