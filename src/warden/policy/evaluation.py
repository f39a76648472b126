"""The two back-ends that run a checked condition: one account, or a column per name.

Online ingestion asks about one account at a time (:func:`evaluate`, a walk over the tree);
a sweep asks about millions (:func:`compile_vectorized`, which turns the tree into a chain of
numpy operations, one array per node, and no Python per row). A rule must decide the same
way in both, so the two live side by side here and every case is written twice, in the same
order, with the same edge cases:

* numbers are float64; ``x / 0`` is 0 (a ratio over nothing is "none", and it keeps both
  sides free of infinities that the data did not contain);
* ``min``/``max`` give NaN when either side is NaN (numpy's ``minimum``/``maximum``);
* a missing name — absent from the account's features, ``None``, or a column that was not
  passed — reads as its type's zero: 0, false or the empty string.

The property test in ``tests/unit/test_policy_evaluation.py`` checks that random
conditions over random data agree exactly.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from warden.errors import InputError
from warden.policy.syntax import (
    Arithmetic,
    Boolean,
    Call,
    Comparison,
    Logical,
    Membership,
    Name,
    Negate,
    Node,
    Not,
    Number,
    Text,
    ValueType,
)

Value = float | bool | str
Column = npt.NDArray[Any]

ZERO: dict[ValueType, Value] = {ValueType.NUMBER: 0.0, ValueType.BOOL: False, ValueType.STRING: ""}
DTYPES: dict[ValueType, type] = {
    ValueType.NUMBER: np.float64,
    ValueType.BOOL: np.bool_,
    ValueType.STRING: np.str_,
}

_NONE = np.asarray(None, dtype=object)  # to find the Nones of an object column

COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

# --- one account --------------------------------------------------------------------------


def evaluate(node: Node, env: Mapping[str, Any]) -> Value:
    """The value of a checked condition for one account whose features are ``env``."""
    match node:
        case Number(value=value) | Text(value=value) | Boolean(value=value):
            return value
        case Name():
            return coerce(node, env.get(node.name))
        case Negate(operand=operand):
            return -_number(evaluate(operand, env))
        case Arithmetic(op=op, left=left, right=right):
            a, b = _number(evaluate(left, env)), _number(evaluate(right, env))
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            return a / b if b != 0 else 0.0
        case Comparison(op=op, left=left, right=right):
            return bool(COMPARE[op](evaluate(left, env), evaluate(right, env)))
        case Logical(op=op, left=left, right=right):
            first = bool(evaluate(left, env))
            if first is (op == "or"):  # true or ..., false and ...: decided by the left side
                return first
            return bool(evaluate(right, env))
        case Not(operand=operand):
            return not evaluate(operand, env)
        case Membership(item=item, options=options, negated=negated):
            value = evaluate(item, env)
            return any(value == o.value for o in options) != negated
        case Call(function=function, args=args):
            values = [_number(evaluate(a, env)) for a in args]
            if function == "abs":
                return abs(values[0])
            a, b = values
            if math.isnan(a) or math.isnan(b):
                return math.nan
            return min(a, b) if function == "min" else max(a, b)
    raise TypeError(f"not a condition node: {node!r}")  # pragma: no cover


def coerce(name: Name, raw: Any) -> Value:
    """An account's raw feature value as the name's declared type (``None`` → the zero)."""
    kind = declared(name)
    if raw is None:
        return ZERO[kind]
    if kind is ValueType.NUMBER:
        return float(raw)
    if kind is ValueType.BOOL:
        return bool(raw)
    return str(raw)


def _number(value: Value) -> float:
    assert isinstance(value, float), value  # the checker guarantees it
    return value


def declared(name: Name) -> ValueType:
    if name.type is None:
        raise InputError(f"name {name.name!r} is unresolved; run expressions.check() first")
    return name.type


# --- many accounts ------------------------------------------------------------------------


def compile_vectorized(node: Node) -> Callable[..., Column]:
    """Turn a checked expression into ``f(columns, rows=None) -> array`` (one value per row).

    ``columns`` maps names to equal-length arrays (one row per account); names not given
    read as their type's zero. ``rows`` is needed only when no column is given.
    """
    build = _compile(node)

    def run(columns: Mapping[str, Any], rows: int | None = None) -> Column:
        frame = _Frame(columns, rows)
        with np.errstate(all="ignore"):
            return np.broadcast_to(build(frame), (frame.rows,)).copy()

    return run


class _Frame:
    """The columns of one batch, converted once per name to the declared dtype."""

    def __init__(self, columns: Mapping[str, Any], rows: int | None) -> None:
        lengths = {len(c) for c in columns.values()}
        if rows is not None:
            lengths.add(rows)
        if len(lengths) > 1:
            raise InputError(f"columns have different lengths: {sorted(lengths)}")
        if not lengths:
            raise InputError("no columns given: pass rows= to say how many accounts")
        self.rows = lengths.pop()
        self.columns = columns
        self.cache: dict[str, Column] = {}

    def column(self, name: Name) -> Column:
        kind = declared(name)
        if name.name not in self.cache:
            raw = self.columns.get(name.name)
            data: Column
            if raw is None:
                data = np.full(self.rows, ZERO[kind], dtype=DTYPES[kind])
            else:
                array = np.asarray(raw)
                if array.dtype == object:
                    array = np.where(np.equal(array, _NONE), ZERO[kind], array)
                data = array.astype(DTYPES[kind], copy=False)
            self.cache[name.name] = data
        return self.cache[name.name]


Build = Callable[[_Frame], Column]


def _compile(node: Node) -> Build:
    match node:
        case Number(value=value) | Text(value=value) | Boolean(value=value):
            constant = np.asarray(value)
            return lambda frame: constant
        case Name():
            return lambda frame: frame.column(node)
        case Negate(operand=operand):
            inner = _compile(operand)
            return lambda frame: np.negative(inner(frame))
        case Arithmetic(op=op, left=left, right=right):
            return _arithmetic(op, _compile(left), _compile(right))
        case Comparison(op=op, left=left, right=right):
            compare, lhs, rhs = COMPARE[op], _compile(left), _compile(right)
            return lambda frame: np.asarray(compare(lhs(frame), rhs(frame)), dtype=np.bool_)
        case Logical(op=op, left=left, right=right):
            combine = np.logical_and if op == "and" else np.logical_or
            lhs, rhs = _compile(left), _compile(right)
            return lambda frame: combine(lhs(frame), rhs(frame))
        case Not(operand=operand):
            inner = _compile(operand)
            return lambda frame: np.logical_not(inner(frame))
        case Membership(item=item, options=options, negated=negated):
            values = np.asarray([o.value for o in options])
            inner = _compile(item)
            return lambda frame: np.isin(np.atleast_1d(inner(frame)), values, invert=negated)
        case Call(function="abs", args=(arg,)):
            inner = _compile(arg)
            return lambda frame: np.abs(inner(frame))
        case Call(function=function, args=(first, second)):
            pick = np.minimum if function == "min" else np.maximum
            lhs, rhs = _compile(first), _compile(second)
            return lambda frame: pick(lhs(frame), rhs(frame))
    raise TypeError(f"not a condition node: {node!r}")  # pragma: no cover


def _arithmetic(op: str, lhs: Build, rhs: Build) -> Build:
    if op == "/":

        def divide(frame: _Frame) -> Column:
            a, b = np.broadcast_arrays(
                np.asarray(lhs(frame), dtype=np.float64), np.asarray(rhs(frame), dtype=np.float64)
            )
            quotient: Column = np.divide(a, b, out=np.zeros(a.shape), where=b != 0)
            return quotient

        return divide
    ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]
    return lambda frame: ufunc(lhs(frame), rhs(frame))
