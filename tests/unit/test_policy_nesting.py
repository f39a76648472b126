"""A condition (or a policy file) nested thousands of levels deep is a policy error naming
file:line and the limit — never a ``RecursionError`` — and the limit leaves real
conditions room."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from warden.policy.errors import ExpressionError, PolicyError
from warden.policy.evaluation import compile_vectorized, evaluate
from warden.policy.expressions import MAX_NESTING, check, parse
from warden.policy.names import NameRegistry
from warden.policy.pack import load_pack
from warden.policy.syntax import to_source
from warden.policy.yaml_source import MAX_YAML_NESTING

POLICIES = Path(__file__).resolve().parents[2] / "policies"
DEFAULT = POLICIES / "default.yaml"
NAMES = NameRegistry.for_categories(["sexual_services", "fraud", "spam"])
DEEP = 5_000
LEAF = "score.fraud >= 0.5"

#: Conditions nested DEEP levels, each way the grammar can nest.
GENERATED = {
    "parentheses": "(" * DEEP + LEAF + ")" * DEEP,
    "not": "not " * DEEP + LEAF,
    "and": " and ".join([LEAF] * DEEP),
    "or": " or ".join([LEAF] * DEEP),
    "not/and": "not (" * DEEP + LEAF + " and " + LEAF + ")" * DEEP,
    "minus": "-" * DEEP + "score.fraud >= 0.5",
    "plus": " + ".join(["score.fraud"] * DEEP) + " >= 0.5",
    "calls": "abs(" * DEEP + "score.fraud" + ")" * DEEP + " >= 0.5",
}


@pytest.mark.parametrize("kind", sorted(GENERATED))
def test_parse_refuses_deep_nesting_with_the_limit(kind: str) -> None:
    assert sys.getrecursionlimit() < DEEP  # deep enough to have crashed a recursive parser
    with pytest.raises(ExpressionError) as caught:
        parse(GENERATED[kind])
    assert f"more than {MAX_NESTING} levels deep" in caught.value.problem
    assert 1 <= caught.value.column <= len(GENERATED[kind])


def test_the_column_points_where_the_limit_is_passed() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(GENERATED["parentheses"])
    assert caught.value.column == MAX_NESTING + 1  # the first '(' one level too deep


@pytest.mark.parametrize(
    "condition",
    [
        "(" * MAX_NESTING + LEAF + ")" * MAX_NESTING,
        "not " * (MAX_NESTING - 1) + LEAF,
        " and ".join([LEAF] * MAX_NESTING),
    ],
)
def test_conditions_within_the_limit_run_in_both_back_ends(condition: str) -> None:
    tree = check(parse(condition), NAMES)
    assert check(parse(to_source(tree)), NAMES) == tree
    expected = evaluate(tree, {"score.fraud": 0.9})
    column = compile_vectorized(tree)({"score.fraud": np.array([0.9, 0.1])})
    assert bool(column[0]) == expected
    assert bool(column[1]) == evaluate(tree, {"score.fraud": 0.1})


@pytest.mark.parametrize(
    "condition",
    [
        "(" * (MAX_NESTING + 1) + LEAF + ")" * (MAX_NESTING + 1),
        "not " * MAX_NESTING + LEAF,
        " and ".join([LEAF] * (MAX_NESTING + 1)),
    ],
)
def test_one_level_more_is_refused(condition: str) -> None:
    with pytest.raises(ExpressionError, match="levels deep"):
        parse(condition)


def _pack_with(tmp_path: Path, condition: str) -> tuple[Path, int]:
    """The default pack (and its campaigns) with escort_ad's condition replaced."""
    shutil.copytree(POLICIES / "campaigns", tmp_path / "campaigns")
    lines = DEFAULT.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: escort_ad")
    at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("when:"))
    lines[at] = f"    when: {condition}"
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, at + 1


@pytest.mark.parametrize("kind", ["parentheses", "not", "and", "not/and"])
def test_load_pack_names_file_line_and_limit(tmp_path: Path, kind: str) -> None:
    path, line = _pack_with(tmp_path, GENERATED[kind])
    with pytest.raises(PolicyError) as caught:
        load_pack(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: rule 'escort_ad' condition, column ")
    assert f"more than {MAX_NESTING} levels deep" in message


def test_a_pack_nested_within_the_limit_loads(tmp_path: Path) -> None:
    path, _ = _pack_with(tmp_path, " and ".join([LEAF] * 10))
    assert any(rule.id == "escort_ad" for rule in load_pack(path).rules)


def test_deeply_nested_yaml_names_its_line(tmp_path: Path) -> None:
    """PyYAML composes recursively; a file of '[[[[…' must not exhaust the stack either."""
    text = DEFAULT.read_text(encoding="utf-8")
    path = tmp_path / "deep-yaml.yaml"
    path.write_text(text + "extra:\n  " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_pack(path)
    message = str(caught.value)
    last_line = len(text.splitlines()) + 2
    assert message.startswith(f"{path}:{last_line}: not valid YAML: ")
    assert f"nest more than {MAX_YAML_NESTING} levels deep" in message
