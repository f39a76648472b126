"""A policy's gate: a cheap test that no rule can fire, so a sweep can skip most rows.

Every rule condition implies a disjunction of simple comparisons — ``score.sexual_services
>= 0.8 and entities.has_contact`` cannot hold unless ``score.sexual_services >= 0.8`` does.
Collect one such disjunction per rule (the *necessary atoms*); a row where none of the atoms
of any rule holds cannot make any rule fire, and need not be evaluated — or even have all of
its features computed. Most of a platform's rows are ordinary users chatting with friends:
their scores are zero and every gate atom is false.

The gate is exact: it never skips a row where a rule could fire, because each atom is a
necessary condition, checked with the policy's own scalar evaluator. Atoms on names whose
value is not known yet (``ring.*`` while a sweep is still folding) are never used; a rule
whose condition has no usable necessary atoms keeps the gate open for every row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warden.policy.evaluation import COMPARE, coerce, declared
from warden.policy.syntax import Boolean, Comparison, Logical, Name, Node, Number, ValueType

Atoms = tuple[Node, ...]  # a disjunction: the condition holds only if one of these does


@dataclass(frozen=True)
class Gate:
    """Necessary atoms of every rule; :meth:`may_fire` is False only when no rule can fire."""

    atoms: Atoms | None  # None: some rule has no usable atoms; the gate is always open

    @property
    def names(self) -> tuple[str, ...]:
        """The names the atoms read (what to compute before asking)."""
        return tuple(dict.fromkeys(name.name for name, _, _ in self._tests))

    @functools.cached_property
    def _tests(self) -> tuple[tuple[Name, Callable[[Any, Any], Any] | None, Any], ...]:
        """Each atom as (name, comparison, constant) — the evaluator's own operators and
        coercion, without walking the tree for every row (comparison None: truthiness)."""
        tests: list[tuple[Name, Callable[[Any, Any], Any] | None, Any]] = []
        for atom in self.atoms or ():
            if isinstance(atom, Name):
                tests.append((atom, None, None))
            else:
                assert isinstance(atom, Comparison)
                assert isinstance(atom.left, Name)
                assert isinstance(atom.right, Number | Boolean)
                tests.append((atom.left, COMPARE[atom.op], atom.right.value))
        return tuple(tests)

    def may_fire(
        self, value: Callable[[str], Any], ceilings: Mapping[str, float] | None = None
    ) -> bool:
        """Whether any rule could fire where ``value(name)`` gives the row's features.

        ``ceilings`` holds upper bounds of some names' values: an atom ``name >= c`` (or
        ``>``) whose ceiling already fails is false without computing the value — the caller
        promises ``value(name) <= ceilings[name]``."""
        if self.atoms is None:
            return True
        seen: dict[str, Any] = {}
        for name, compare, constant in self._tests:
            if ceilings is not None and compare in _UPWARD:
                ceiling = ceilings.get(name.name)
                if ceiling is not None and not compare(ceiling, constant):
                    continue
            known = seen.get(name.name, _UNSET)
            if known is _UNSET:
                raw = value(name.name)
                plain = raw.__class__ is (float if declared(name) is ValueType.NUMBER else bool)
                known = seen[name.name] = raw if plain else coerce(name, raw)
            if compare(known, constant) if compare is not None else known:
                return True
        return False


_UNSET = object()
_UPWARD = (COMPARE[">="], COMPARE[">"])


def gate_of(conditions: Iterable[Node], unknown: frozenset[str] = frozenset()) -> Gate:
    """The gate of a set of rule conditions (every variant that may apply: plain and scaled
    by a campaign); atoms reading ``unknown`` names are not used."""
    atoms: list[Node] = []
    for condition in conditions:
        found = necessary(condition, unknown)
        if found is None:
            return Gate(None)
        atoms.extend(a for a in found if a not in atoms)
    return Gate(tuple(atoms))


def necessary(node: Node, unknown: frozenset[str] = frozenset()) -> Atoms | None:
    """A disjunction of comparisons ``node`` implies, or None when none is known."""
    match node:
        case Comparison(left=Name(name=name), right=Number() | Boolean()) if name not in unknown:
            return (node,)
        case Name(name=name) if name not in unknown:
            return (node,)
        case Logical(op="or", left=left, right=right):
            a, b = necessary(left, unknown), necessary(right, unknown)
            return None if a is None or b is None else a + b
        case Logical(op="and", left=left, right=right):
            options = [o for o in (necessary(left, unknown), necessary(right, unknown)) if o]
            if not options:
                return None
            return _most_selective(options)
    return None


def _most_selective(options: Sequence[Atoms]) -> Atoms:
    """Of alternative disjunctions, the one least often true: fewest atoms, then thresholds
    on counts and scores (``x >= c`` with c > 0) over anything else, then the later one."""

    def rank(atoms: Atoms) -> tuple[int, int]:
        thresholds = sum(
            1
            for a in atoms
            if isinstance(a, Comparison)
            and a.op in (">=", ">")
            and isinstance(a.right, Number)
            and a.right.value > 0
        )
        return (len(atoms), -thresholds)

    best = options[0]
    for option in options[1:]:
        if rank(option) <= rank(best):
            best = option
    return best
