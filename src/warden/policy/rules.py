"""Rules: a named condition over an account's features that yields a decision.

A rule says *what* it found (category, severity, confidence) and *when* (a condition in
the language of :mod:`warden.policy.expressions`); the ladder decides what to do about it.
:class:`CompiledRule` holds a rule's condition in both runnable forms — the checked tree for
:func:`~warden.policy.evaluation.evaluate` and the numpy function for sweeps — plus the names
it reads, which become the decision's evidence (``Evidence("feature", name, value)``), so a
reviewer sees the numbers that made the rule fire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from warden.domain.actions import ActionType, Evidence, Severity
from warden.policy.errors import ExpressionError
from warden.policy.evaluation import Column, Value, coerce, compile_vectorized
from warden.policy.expressions import check, parse
from warden.policy.ladders import Ladder
from warden.policy.syntax import Name, Node, ValueType, walk
from warden.policy.yaml_source import Entry

JUMPS = (ActionType.LOCK, ActionType.CLOSE)
#: per-category names that read an account's content (see warden.accounts.features)
CONTENT_PREFIXES = frozenset({"score", "count", "intent"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule as written in the pack, with its condition parsed and checked."""

    id: str
    description: str
    category: str
    severity: Severity
    confidence: float
    when: str  # the condition as written
    condition: Node
    auto_close: bool = False
    jump_to: ActionType | None = None
    enabled: bool = True
    line: int = 0  # where the rule starts in the pack file


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to run: its (possibly campaign-scaled) condition in both back-ends."""

    rule: Rule
    condition: Node
    vectorized: Callable[..., Column]
    reads: tuple[Name, ...]  # the resolved names the condition reads, sorted by name
    #: ``latest.<category>`` of every category whose content the condition reads: when the
    #: newest such content was written, so the planner can tell a new incident from an old one
    incident_names: tuple[str, ...] = ()

    @classmethod
    def build(cls, rule: Rule, condition: Node) -> CompiledRule:
        names = {n.name: n for n in walk(condition) if isinstance(n, Name)}
        reads = tuple(names[k] for k in sorted(names))
        incidents = sorted(
            {
                f"latest.{name.partition('.')[2]}"
                for name in names
                if name.partition(".")[0] in CONTENT_PREFIXES
            }
        )
        return cls(rule, condition, compile_vectorized(condition), reads, tuple(incidents))

    def incident_at(self, raw: Callable[[str], Any]) -> float | None:
        """When the newest content this rule read was written (Unix seconds), or None for
        a rule that reads no content (behaviour only: blasts, floods, reports)."""
        if not self.incident_names:
            return None
        return max(float(raw(name) or 0.0) for name in self.incident_names)

    def evidence(self, raw: Callable[[str], Any]) -> tuple[Evidence, ...]:
        """The values of the names this rule read, ``raw(name)`` giving the account's value."""
        return tuple(
            Evidence("feature", name.name, show(coerce(name, raw(name.name))))
            for name in self.reads
        )

    def evidence_of_rows(
        self, columns: Mapping[str, Any], rows: npt.NDArray[np.intp]
    ) -> list[tuple[Evidence, ...]]:
        """:meth:`evidence` for the given rows of ``columns`` (the same text, in bulk)."""
        per_name = []
        for name in self.reads:
            column = columns.get(name.name)
            values = [None] * len(rows) if column is None else np.asarray(column)[rows].tolist()
            per_name.append([Evidence("feature", name.name, show(coerce(name, v))) for v in values])
        return list(zip(*per_name, strict=True)) if per_name else [()] * len(rows)


def show(value: Value) -> str:
    """A feature value as evidence text; the same value always gives the same text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def read_rule(entry: Entry, ladders: Mapping[str, Ladder], names: Mapping[str, ValueType]) -> Rule:
    """A rule from its YAML mapping, checked against the pack's ladders (one per category).

    The condition must parse and use only known names; a ``jump_to`` must land on a step
    the category's ladder has.
    """
    categories = set(ladders)
    context = f"rule {entry.peek('id')!r}" if entry.peek("id") else "rule"
    fields = entry.within(context).fields(
        required=("id", "category", "severity", "confidence", "when"),
        optional=("description", "auto_close", "jump_to", "enabled"),
    )
    rule_id = fields["id"].identifier()
    category = fields["category"].text()
    if category not in categories:
        raise fields["category"].error(
            f"category {category!r} is not one of the pack's categories: "
            f"{', '.join(sorted(categories))}"
        )
    when = fields["when"].text()
    try:
        condition = check(parse(when), names)
    except ExpressionError as exc:
        located = fields["when"].within(f"{context} condition, column {exc.column}")
        raise located.error(exc.problem) from exc
    jump_to = None
    if "jump_to" in fields:
        jump_to = ActionType(fields["jump_to"].choice(a.value for a in JUMPS))
        if ladders[category].first(jump_to) is None:
            raise fields["jump_to"].error(
                f"jump_to {jump_to.value} but the {category} ladder has no {jump_to.value} step"
            )
    return Rule(
        id=rule_id,
        description=fields["description"].text() if "description" in fields else "",
        category=category,
        severity=Severity(fields["severity"].choice(s.value for s in Severity)),
        confidence=fields["confidence"].number(0.0, 1.0),
        when=when,
        condition=condition,
        auto_close=fields["auto_close"].flag() if "auto_close" in fields else False,
        jump_to=jump_to,
        enabled=fields["enabled"].flag() if "enabled" in fields else True,
        line=entry.line,
    )
