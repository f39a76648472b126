"""YAML read with the line of every value, so a policy error names its file and line.

``yaml.safe_load`` forgets where things were; a policy author told "bad severity" in a
300-line pack has to hunt for it. Here the file is *composed* (PyYAML's node graph, which
keeps ``start_mark``) and read through :class:`Entry`, a node plus its file, the key it sits
under and a context ("rule 'escort_ad'"). Every typed accessor fails with a
:class:`~warden.policy.errors.PolicyError` that reads::

    policies/default.yaml:37: rule 'escort_ad': severity 'hgh' is not one of low, medium, high, critical

Mappings are checked for unknown keys (with close matches), missing required keys and
duplicate keys (which PyYAML would otherwise silently let the last one win). A document
nested deeper than :data:`MAX_YAML_NESTING` (a pack is four or five levels deep) is refused
at the line where it goes too deep: PyYAML composes nodes recursively, and a hostile file of
``[[[[…`` would otherwise end in a ``RecursionError``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from warden.policy.errors import PolicyError

_SCALARS = yaml.constructor.SafeConstructor()
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")
#: How deeply lists and mappings may nest in a policy or campaign file.
MAX_YAML_NESTING = 64


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting past :data:`MAX_YAML_NESTING`."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_NESTING:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"lists and mappings nest more than {MAX_YAML_NESTING} levels deep",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(path: Path, text: str) -> Entry:
    """The root of a YAML document, ready to be read with line numbers."""
    try:
        root = yaml.compose(text, Loader=_BoundedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyError(f"{path}:{line}: not valid YAML: {exc.problem or exc}") from exc
    if root is None:
        raise PolicyError(f"{path}:1: the file is empty")
    return Entry(str(path), root, key="", context="")


@dataclass(frozen=True, slots=True)
class Entry:
    """One YAML node with what an error message needs to point at it."""

    path: str
    node: yaml.Node
    key: str  # the key this value sits under ("severity"), or "" for the document root
    context: str  # what it belongs to ("rule 'escort_ad'"), or ""

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def within(self, context: str) -> Entry:
        return replace(self, context=context)

    def error(self, problem: str) -> PolicyError:
        prefix = f"{self.context}: " if self.context else ""
        return PolicyError(f"{self.path}:{self.line}: {prefix}{problem}")

    @property
    def _label(self) -> str:
        return self.key or "the document"

    # --- containers ----------------------------------------------------------------------

    def fields(self, required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, Entry]:
        """The entries of a mapping, refusing unknown, duplicate and missing keys."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"{self._label} must be a mapping of keys to values")
        required = list(required)
        allowed = [*required, *optional]
        out: dict[str, Entry] = {}
        for key_node, value_node in self.node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            at = replace(self, node=key_node)
            if not isinstance(key, str):
                raise at.error(f"{self._label} has a key that is not a plain word")
            if key in out:
                raise at.error(f"key {key!r} appears twice")
            if key not in allowed:
                raise at.error(_unknown_key(key, allowed))
            out[key] = replace(self, node=value_node, key=key)
        missing = [k for k in required if k not in out]
        if missing:
            raise self.error(f"missing required key {missing[0]!r}")
        return out

    def peek(self, key: str) -> str | None:
        """A mapping's plain value under ``key``, unchecked (to name the context early)."""
        if isinstance(self.node, yaml.MappingNode):
            for key_node, value_node in self.node.value:
                if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
                    return str(value_node.value)
        return None

    def mapping(self) -> dict[str, Entry]:
        """An open mapping (keys are data, e.g. rule ids under ``per_rule_per_day``)."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"{self._label} must be a mapping")
        keys = [k.value for k, _ in self.node.value]
        return self.fields(required=(), optional=[str(k) for k in keys])

    def items(self) -> list[Entry]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"{self._label} must be a list")
        return [replace(self, node=n) for n in self.node.value]

    # --- scalars -------------------------------------------------------------------------

    def _scalar(self) -> Any:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error(f"{self._label} must be a single value, not a list or mapping")
        return _SCALARS.construct_object(self.node, deep=True)

    def text(self) -> str:
        value = self._scalar()
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{self._label} must be a non-empty string, got {value!r}")
        return value

    def identifier(self) -> str:
        value = self.text()
        if not IDENTIFIER.match(value):
            raise self.error(f"{self._label} {value!r} must be lower-case [a-z][a-z0-9_]*")
        return value

    def choice(self, options: Iterable[str]) -> str:
        allowed = list(options)
        value = self._scalar()
        if value not in allowed:
            raise self.error(f"{self._label} {value!r} is not one of {', '.join(allowed)}")
        return str(value)

    def flag(self) -> bool:
        value = self._scalar()
        if not isinstance(value, bool):
            raise self.error(f"{self._label} must be true or false, got {value!r}")
        return value

    def number(self, low: float, high: float, *, low_open: bool = False) -> float:
        value = self._scalar()
        opening = "(" if low_open else "["
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not (low < value <= high if low_open else low <= value <= high):
            raise self.error(
                f"{self._label} must be a number in {opening}{low:g}, {high:g}], got {value!r}"
            )
        return float(value)

    def integer(self, low: int) -> int:
        value = self._scalar()
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise self.error(f"{self._label} must be a whole number ≥ {low}, got {value!r}")
        return value

    def moment(self) -> datetime:
        """A date or datetime; dates mean midnight UTC, datetimes without a zone are UTC."""
        value = self._scalar()
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        raise self.error(f"{self._label} must be an ISO date or datetime, got {self.node.value!r}")

    def strings(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key {key!r}; {hint}allowed: {', '.join(allowed)}"
