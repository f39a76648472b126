"""Both back-ends give the same answers: on hand-picked cases and on random conditions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warden.errors import InputError
from warden.policy.evaluation import compile_vectorized, evaluate
from warden.policy.expressions import check, parse
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
    to_source,
)

NUMBERS = ("n.a", "n.b", "n.c")
BOOLS = ("b.x", "b.y")
STRINGS = ("s.k",)
TYPES = {
    **dict.fromkeys(NUMBERS, ValueType.NUMBER),
    **dict.fromkeys(BOOLS, ValueType.BOOL),
    **dict.fromkeys(STRINGS, ValueType.STRING),
}
WORDS = ("", "fraud", "spam", "x y")


def both(source: str, columns: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """(per-row evaluate, vectorized) for a condition over the given columns."""
    tree = check(parse(source), TYPES)
    rows = len(next(iter(columns.values())))
    online = [evaluate(tree, {k: v[i] for k, v in columns.items()}) for i in range(rows)]
    return online, compile_vectorized(tree)(columns).tolist()


def test_division_by_zero_is_zero_in_both() -> None:
    columns = {"n.a": np.array([1.0, 0.0, -3.0, 6.0]), "n.b": np.array([0.0, 0.0, 0.0, 3.0])}
    online, vectorized = both("n.a / n.b == 0", columns)
    assert online == vectorized == [True, True, True, False]
    tree = check(parse("n.a / n.b > 1"), TYPES)
    assert evaluate(tree, {"n.a": 6, "n.b": 3}) is True


def test_missing_values_read_as_zero_false_and_empty() -> None:
    tree = check(parse("n.a == 0 and not b.x and s.k == ''"), TYPES)
    assert evaluate(tree, {}) is True
    assert evaluate(tree, {"n.a": None, "b.x": None, "s.k": None}) is True
    assert compile_vectorized(tree)({}, rows=3).tolist() == [True, True, True]
    with_nones = {"n.a": np.array([None, 1.0], dtype=object), "b.x": np.array([None, False])}
    assert compile_vectorized(tree)(with_nones).tolist() == [True, False]


def test_columns_must_agree_on_length() -> None:
    tree = check(parse("n.a > n.b"), TYPES)
    with pytest.raises(InputError, match="different lengths"):
        compile_vectorized(tree)({"n.a": np.zeros(3), "n.b": np.zeros(4)})
    with pytest.raises(InputError, match="rows="):
        compile_vectorized(tree)({})


def test_an_unchecked_tree_is_refused() -> None:
    with pytest.raises(InputError, match="unresolved"):
        evaluate(parse("n.a > 1"), {"n.a": 2})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("min(n.a, n.b) <= max(n.a, n.b)", [True, True, True]),
        ("abs(n.a - n.b) >= 1", [True, False, True]),
        ("s.k in ['fraud', 'spam']", [True, False, False]),
        ("s.k not in ['fraud']", [False, True, True]),
        ("n.a in [1, -2]", [True, False, True]),
        ("b.x == (n.a > 0)", [True, False, True]),
        ("n.a * 2 + 1 > n.b or b.x", [True, True, False]),
    ],
)
def test_semantics_match_on_examples(source: str, expected: list[bool]) -> None:
    columns = {
        "n.a": np.array([1.0, 0.5, -2.0]),
        "n.b": np.array([3.0, 0.0, 4.0]),
        "b.x": np.array([True, False, False]),
        "s.k": np.array(["fraud", "", "x y"]),
    }
    online, vectorized = both(source, columns)
    assert online == expected
    assert vectorized == expected


# --- random conditions over random data -------------------------------------------------

ROWS = 6
literals = st.floats(min_value=0, max_value=1e6, allow_nan=False) | st.sampled_from([0.0, 0.5, 1.0])


def numbers(depth: int) -> st.SearchStrategy[Node]:
    leaf = st.builds(Number, literals) | st.builds(Name, st.sampled_from(NUMBERS))
    if depth == 0:
        return leaf
    sub = numbers(depth - 1)
    return (
        leaf
        | st.builds(Negate, sub)
        | st.builds(Arithmetic, st.sampled_from("+-*/"), sub, sub)
        | st.builds(lambda f, a, b: Call(f, (a, b)), st.sampled_from(["min", "max"]), sub, sub)
        | st.builds(lambda a: Call("abs", (a,)), sub)
    )


def booleans(depth: int) -> st.SearchStrategy[Node]:
    num = numbers(min(depth, 2))
    leaf = (
        st.builds(Boolean, st.booleans())
        | st.builds(Name, st.sampled_from(BOOLS))
        | st.builds(Comparison, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), num, num)
        | st.builds(
            Comparison,
            st.sampled_from(["==", "!="]),
            st.builds(Name, st.sampled_from(STRINGS)),
            st.builds(Text, st.sampled_from(WORDS)),
        )
        | st.builds(
            Membership,
            num,
            st.lists(
                st.builds(Number, literals | st.sampled_from([-1.0, -0.5])), min_size=1, max_size=3
            ).map(tuple),
            st.booleans(),
        )
        | st.builds(
            Membership,
            st.builds(Name, st.sampled_from(STRINGS)),
            st.lists(st.builds(Text, st.sampled_from(WORDS)), min_size=1, max_size=3).map(tuple),
            st.booleans(),
        )
    )
    if depth == 0:
        return leaf
    sub = booleans(depth - 1)
    return (
        leaf
        | st.builds(Logical, st.sampled_from(["and", "or"]), sub, sub)
        | st.builds(Not, sub)
        | st.builds(Comparison, st.sampled_from(["==", "!="]), sub, sub)
    )


data_values = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1.0, 0.5, 1e308, -1e308, 5e-324]
)


@st.composite
def frames(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """Random columns; each name may be absent (then it reads as its zero)."""
    columns: dict[str, np.ndarray] = {}
    for name in NUMBERS:
        if draw(st.booleans()) or name == "n.a":
            columns[name] = np.array(draw(st.lists(data_values, min_size=ROWS, max_size=ROWS)))
    for name in BOOLS:
        if draw(st.booleans()):
            columns[name] = np.array(draw(st.lists(st.booleans(), min_size=ROWS, max_size=ROWS)))
    for name in STRINGS:
        if draw(st.booleans()):
            columns[name] = np.array(
                draw(st.lists(st.sampled_from(WORDS), min_size=ROWS, max_size=ROWS))
            )
    return columns


def rows_of(columns: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    return [{k: v[i].item() for k, v in columns.items()} for i in range(ROWS)]


@settings(max_examples=400, deadline=None)
@given(booleans(3), frames())
def test_random_conditions_agree_in_both_backends(
    tree: Node, columns: dict[str, np.ndarray]
) -> None:
    assert parse(to_source(tree)) == tree  # the printer and parser agree too
    checked = check(tree, TYPES)
    online = [evaluate(checked, env) for env in rows_of(columns)]
    vectorized = compile_vectorized(checked)(columns)
    assert vectorized.dtype == np.bool_
    assert online == vectorized.tolist()


@settings(max_examples=300, deadline=None)
@given(numbers(3), frames())
def test_random_arithmetic_agrees_in_both_backends(
    tree: Node, columns: dict[str, np.ndarray]
) -> None:
    comparison = check(Comparison("==", tree, Number(0)), TYPES)
    assert isinstance(comparison, Comparison)
    checked = comparison.left
    online = np.array([evaluate(checked, env) for env in rows_of(columns)], dtype=np.float64)
    vectorized = compile_vectorized(checked)(columns)
    assert vectorized.dtype == np.float64
    np.testing.assert_array_equal(online, vectorized)  # NaN equals NaN here, 0.0 equals -0.0
