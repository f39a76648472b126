"""The syntax tree of rule conditions, and how to walk it and print it back.

The parser (:mod:`warden.policy.expressions`) builds these frozen dataclasses; the checker
fills in each :class:`Name`'s type; the back-ends (:mod:`warden.policy.evaluation`) run
them; campaigns (:mod:`warden.policy.campaigns`) rewrite them. Keeping the tree in its own
module lets all of those depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class ValueType(StrEnum):
    """The three types a value in a condition can have."""

    NUMBER = "number"
    BOOL = "bool"
    STRING = "string"

    @property
    def described(self) -> str:
        return {"number": "a number", "bool": "true/false", "string": "a string"}[self.value]


# --- syntax tree ------------------------------------------------------------------------
# ``column`` (1-based, where the node starts in the condition text) is for error messages
# only and takes no part in equality: two trees are equal when they mean the same thing.


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Text:
    value: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Boolean:
    value: bool
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A dotted name from the registry; ``type`` is filled in by :func:`check`."""

    name: str
    type: ValueType | None = None
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: str  # + - * /
    left: Node
    right: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Comparison:
    op: str  # < <= > >= == !=
    left: Node
    right: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Logical:
    op: str  # and | or
    left: Node
    right: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Membership:
    item: Node
    options: tuple[Number | Text | Boolean, ...]
    negated: bool = False
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    function: str  # one of FUNCTIONS
    args: tuple[Node, ...]
    column: int = field(default=0, compare=False)


Node = (
    Number
    | Text
    | Boolean
    | Name
    | Negate
    | Arithmetic
    | Comparison
    | Logical
    | Not
    | Membership
    | Call
)
Literal = Number | Text | Boolean

# --- reading trees back -----------------------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    yield node
    match node:
        case Negate(operand=child) | Not(operand=child):
            yield from walk(child)
        case Arithmetic(left=left, right=right) | Comparison(left=left, right=right):
            yield from walk(left)
            yield from walk(right)
        case Logical(left=left, right=right):
            yield from walk(left)
            yield from walk(right)
        case Membership(item=item):
            yield from walk(item)
        case Call(args=args):
            for arg in args:
                yield from walk(arg)


def names_in(node: Node) -> tuple[str, ...]:
    """The distinct names a condition reads, sorted (they become the decision's evidence)."""
    return tuple(sorted({n.name for n in walk(node) if isinstance(n, Name)}))


_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "compare": 4, "+": 5, "-": 5, "*": 6, "/": 6}


def to_source(node: Node) -> str:
    """Write a tree back as condition text that parses to an equal tree."""
    return _source(node, 0)


def _source(node: Node, context: int) -> str:
    match node:
        case Number(value=value):
            # Negative literals only occur in 'in' lists, where the parser reads them back.
            return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
        case Text(value=value):
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        case Boolean(value=value):
            return "true" if value else "false"
        case Name(name=name):
            return name
        case Call(function=function, args=args):
            return f"{function}({', '.join(_source(a, 0) for a in args)})"
        case Negate(operand=operand):
            return _wrap(f"-{_source(operand, 7)}", 7, context)
        case Not(operand=operand):
            return _wrap(f"not {_source(operand, 3)}", 3, context)
        case Logical(op=op, left=left, right=right) | Arithmetic(op=op, left=left, right=right):
            level = _PRECEDENCE[op]
            text = f"{_source(left, level)} {op} {_source(right, level + 1)}"
            return _wrap(text, level, context)
        case Comparison(op=op, left=left, right=right):
            return _wrap(f"{_source(left, 5)} {op} {_source(right, 5)}", 4, context)
        case Membership(item=item, options=options, negated=negated):
            listed = ", ".join(_source(o, 0) for o in options)
            keyword = "not in" if negated else "in"
            return _wrap(f"{_source(item, 5)} {keyword} [{listed}]", 4, context)
    raise TypeError(f"not a condition node: {node!r}")  # pragma: no cover


def _wrap(text: str, level: int, context: int) -> str:
    return f"({text})" if level < context else text
