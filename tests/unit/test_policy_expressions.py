"""The condition language parses what the grammar says, and refuses the rest precisely."""

from __future__ import annotations

import pytest

from warden.policy.errors import ExpressionError
from warden.policy.expressions import check, parse, tokenize
from warden.policy.names import NameRegistry
from warden.policy.syntax import (
    Arithmetic,
    Boolean,
    Call,
    Comparison,
    Logical,
    Membership,
    Name,
    Negate,
    Not,
    Number,
    Text,
    ValueType,
    names_in,
    to_source,
)

NAMES = NameRegistry.for_categories(["sexual_services", "fraud", "spam"])
TYPES = {**NAMES, "account.kind": ValueType.STRING}


def test_precedence_follows_the_grammar() -> None:
    tree = parse("a or b and not c")
    assert tree == Logical("or", Name("a"), Logical("and", Name("b"), Not(Name("c"))))
    assert parse("1 + 2 * 3 - 4 / 5") == Arithmetic(
        "-",
        Arithmetic("+", Number(1), Arithmetic("*", Number(2), Number(3))),
        Arithmetic("/", Number(4), Number(5)),
    )
    assert parse("-x * 2 >= 1") == Comparison(
        ">=", Arithmetic("*", Negate(Name("x")), Number(2)), Number(1)
    )


def test_parentheses_and_left_associativity() -> None:
    assert parse("(a or b) and c") == Logical("and", Logical("or", Name("a"), Name("b")), Name("c"))
    assert parse("8 - 4 - 2") == Arithmetic("-", Arithmetic("-", Number(8), Number(4)), Number(2))


def test_literals_functions_and_membership() -> None:
    tree = parse("min(score.fraud, 0.5) > abs(-1e-3) and x in ['a', \"b\\'c\", 3, -2, true,]")
    assert isinstance(tree, Logical)
    assert tree.left == Comparison(
        ">",
        Call("min", (Name("score.fraud"), Number(0.5))),
        Call("abs", (Negate(Number(0.001)),)),
    )
    assert tree.right == Membership(
        Name("x"), (Text("a"), Text("b'c"), Number(3), Number(-2), Boolean(True))
    )
    assert parse("x not in [1]") == Membership(Name("x"), (Number(1),), negated=True)


def test_columns_point_at_the_token() -> None:
    tokens = tokenize("score.fraud >= 0.8")
    assert [(t.kind, t.text, t.column) for t in tokens] == [
        ("name", "score.fraud", 1),
        ("op", ">=", 13),
        ("number", "0.8", 16),
        ("end", "", 19),
    ]


@pytest.mark.parametrize(
    ("source", "column", "problem"),
    [
        ("score.sexual_services and", 26, "expected an operand after 'and', found the end"),
        ("a and or b", 7, "expected an operand after 'and', found 'or'"),
        ("x = 1", 3, "unexpected character '='; did you mean '=='?"),
        ("a && b", 3, "did you mean 'and'?"),
        ("(a or b", 8, "expected ')' after 'b', found the end"),
        ("score.fraud 0.5", 13, "expected an operator, 'and', 'or' or the end"),
        ("0 < x < 1", 7, "comparisons cannot be chained"),
        ("sqrt(x)", 1, "unknown function 'sqrt'; the functions are abs, max, min"),
        ("min(x) > 1", 1, "min() takes 2 argument(s), got 1"),
        ("x in []", 6, "an 'in' list needs at least one value"),
        ("x in [y]", 7, "an 'in' list holds only numbers, strings, true and false"),
        ("x == 'open", 6, "string starting with ' is never closed"),
        ("", 1, "expected an operand, found the end"),
    ],
)
def test_syntax_errors_name_column_and_expectation(source: str, column: int, problem: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert caught.value.column == column
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"column {column}: ")


def test_no_python_gets_through() -> None:
    for attack in ("__import__('os').system('x')", "x.__class__", "[c for c in x]", "a; b"):
        with pytest.raises(ExpressionError):
            check(parse(attack), TYPES)


def test_check_resolves_names_with_types() -> None:
    tree = check(parse("entities.has_contact and score.fraud > 0.5"), TYPES)
    assert isinstance(tree, Logical)
    assert tree.left == Name("entities.has_contact", ValueType.BOOL)
    assert isinstance(tree.right, Comparison)
    assert tree.right.left == Name("score.fraud", ValueType.NUMBER)


@pytest.mark.parametrize(
    ("source", "column", "problem"),
    [
        ("score.sexual_service >= 0.8", 1, "did you mean 'score.sexual_services'"),
        ("score.gambling >= 0.8", 1, "unknown name 'score.gambling'"),
        ("entities.has_contact + 1 > 0", 1, "'+' needs a number, but its left side is true/false"),
        ("score.fraud and entities.has_contact", 1, "'and' needs true/false, but its left side"),
        ("entities.has_contact > 0", 1, "'>' needs a number"),
        ("score.fraud == true", 13, "'==' compares values of one type"),
        ("account.kind in ['a', 1]", 23, "'in' list holds a number but the left side is a string"),
        ("score.fraud * 2", 1, "a condition must be true/false, but this is a number"),
        ("not score.fraud", 5, "'not' needs true/false, but its operand is a number"),
        ("abs(entities.has_contact) > 1", 5, "abs() needs a number, but argument 1"),
    ],
)
def test_type_errors_and_unknown_names(source: str, column: int, problem: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        check(parse(source), TYPES)
    assert caught.value.column == column
    assert problem in caught.value.problem


def test_to_source_round_trips_with_minimal_parentheses() -> None:
    for source in (
        "a or b and not c",
        "(a or b) and c",
        "8 - (4 - 2) > -x",
        "not (a and b)",
        "(x > 1) == (y < 2)",
        "x not in [1, -2.5, 'q']",
        "max(a, b * 2) >= 0.25",
    ):
        tree = parse(source)
        assert to_source(tree) == source
        assert parse(to_source(tree)) == tree


def test_names_in_lists_each_name_once() -> None:
    tree = parse("score.fraud > 0.5 and (score.fraud < 0.9 or ring.size >= max(ring.size, 2))")
    assert names_in(tree) == ("ring.size", "score.fraud")
