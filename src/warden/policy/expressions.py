"""The rule-condition language: tokens, syntax tree, parser and type checking.

A rule's ``when`` is written by policy people in YAML and then runs on every account, online
and in sweeps, so the language is deliberately small and safe by construction: it is read by
the tokenizer and recursive-descent parser below into a tree of frozen dataclasses
(:mod:`warden.policy.syntax`), and never handed to Python's ``eval``. The tree is parsed once, type-checked against the registry of
names (:mod:`warden.policy.names`) and then run by either back-end in
:mod:`warden.policy.evaluation` — one account at a time or one numpy column per name.

Grammar, loosest binding first::

    condition  := or
    or         := and ('or' and)*
    and        := not ('and' not)*
    not        := 'not' not | comparison
    comparison := sum [('<' | '<=' | '>' | '>=' | '==' | '!=') sum | ['not'] 'in' list]
    sum        := product (('+' | '-') product)*
    product    := unary (('*' | '/') unary)*
    unary      := '-' unary | primary
    primary    := NUMBER | STRING | 'true' | 'false' | NAME | FUNCTION '(' args ')' | '(' or ')'
    list       := '[' literal (',' literal)* [','] ']'
    literal    := ['-'] NUMBER | STRING | 'true' | 'false'

A condition nests at most :data:`MAX_NESTING` levels: each parenthesis, ``not``, unary
``-``, function call and operator whose operand is another operator's result counts one
(``a and b and c`` is two levels). Real conditions use a handful; the limit keeps the
parser and every walk of the tree (checking, both back-ends, campaigns, printing) far from
Python's recursion limit, so a generated or hostile condition is an error naming its column
rather than a ``RecursionError``.

Types are static: numbers (float64), true/false and strings never mix. Comparisons give
true/false; ``and``/``or``/``not`` take true/false; arithmetic takes numbers; ``==`` and
``!=`` compare two values of one type. Comparisons do not chain (``0 < x < 1`` is an error:
write ``0 < x and x < 1``). Functions: ``min(a, b)``, ``max(a, b)``, ``abs(x)``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from warden.policy.errors import ExpressionError
from warden.policy.syntax import (
    Arithmetic,
    Boolean,
    Call,
    Comparison,
    Literal,
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

FUNCTIONS: dict[str, int] = {"min": 2, "max": 2, "abs": 1}  # name → number of arguments
#: How many levels a condition may nest (see the module docstring). The parser spends about
#: eight Python frames per parenthesis, so 64 levels stay well inside the default limit of
#: 1,000 frames even when parsing starts deep in a web framework's stack.
MAX_NESTING = 64
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
ORDERING = frozenset({"<", "<=", ">", ">="})
EQUALITY = frozenset({"==", "!="})

# --- tokens -----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<op><=|>=|==|!=|[<>+\-*/()\[\],])
    """,
    re.VERBOSE,
)
_MISTAKES = {"=": "'=='", "&": "'and'", "|": "'or'", "!": "'not' or '!='"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number | name | keyword | string | op | end
    text: str
    column: int


def tokenize(source: str) -> list[Token]:
    """Split a condition into tokens, ending with an ``end`` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            char = source[pos]
            if char in "'\"":
                raise ExpressionError(f"string starting with {char} is never closed", pos + 1)
            hint = f"; did you mean {_MISTAKES[char]}?" if char in _MISTAKES else ""
            raise ExpressionError(f"unexpected character {char!r}{hint}", pos + 1)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text in KEYWORDS:
            kind = "keyword"
        if kind != "space":
            tokens.append(Token(kind, text, pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


# --- parser -----------------------------------------------------------------------------


def parse(source: str) -> Node:
    """Parse a condition into its syntax tree (names still unresolved; see :func:`check`).

    Raises :class:`ExpressionError` for a condition nested deeper than :data:`MAX_NESTING`.
    """
    tree = _Parser(tokenize(source)).condition()
    _refuse_deep(tree)
    return tree


def _too_deep(column: int) -> ExpressionError:
    return ExpressionError(
        f"the condition nests more than {MAX_NESTING} levels deep (each parenthesis, 'not', "
        "'-', function call and chained operator counts one); simplify it or split it "
        "across rules",
        column,
    )


def _refuse_deep(tree: Node) -> None:
    """Operator chains (``a and b and …``) build a tree as deep as they are long without
    deepening the parser's recursion, so the finished tree is measured too — without
    recursion, since it may be far deeper than the limit. A node's depth is the number of
    nodes above it."""
    stack: list[tuple[Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise _too_deep(node.column)
        children: tuple[Node, ...] = ()
        match node:
            case Negate(operand=child) | Not(operand=child):
                children = (child,)
            case Arithmetic(left=left, right=right) | Comparison(left=left, right=right):
                children = (left, right)
            case Logical(left=left, right=right):
                children = (left, right)
            case Membership(item=item):
                children = (item,)
            case Call(args=args):
                children = args
        stack.extend((child, depth + 1) for child in reversed(children))


class _Parser:
    """Recursive descent, one method per grammar rule in the module docstring."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0  # parentheses, 'not', '-' and calls the parser is inside of

    def _enter(self, token: Token) -> None:
        """One level deeper; refused past :data:`MAX_NESTING`, before Python's stack runs out."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _too_deep(token.column)

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def _after(self) -> str:
        return f" after {self.tokens[self.pos - 1].text!r}" if self.pos else ""

    def _found(self) -> str:
        return "the end" if self.token.kind == "end" else repr(self.token.text)

    def _fail(self, expected: str) -> ExpressionError:
        return ExpressionError(
            f"expected {expected}{self._after()}, found {self._found()}", self.token.column
        )

    def _take(self, *texts: str) -> Token | None:
        token = self.token
        if token.kind in ("op", "keyword") and token.text in texts:
            self.pos += 1
            return token
        return None

    def _expect(self, text: str) -> Token:
        token = self._take(text)
        if token is None:
            raise self._fail(repr(text))
        return token

    def condition(self) -> Node:
        node = self.disjunction()
        if self.token.kind != "end":
            raise self._fail("an operator, 'and', 'or' or the end")
        return node

    def disjunction(self) -> Node:
        node = self.conjunction()
        while (token := self._take("or")) is not None:
            node = Logical("or", node, self.conjunction(), column=token.column)
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while (token := self._take("and")) is not None:
            node = Logical("and", node, self.negation(), column=token.column)
        return node

    def negation(self) -> Node:
        if (token := self._take("not")) is not None:
            self._enter(token)
            node = Not(self.negation(), column=token.column)
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        token = self.token
        if (op := self._take(*ORDERING, *EQUALITY)) is not None:
            node: Node = Comparison(op.text, left, self.sum(), column=op.column)
        elif self._take("in") is not None:
            node = Membership(left, self.options(), column=token.column)
        elif token.text == "not" and self.tokens[self.pos + 1].text == "in":
            self.pos += 2
            node = Membership(left, self.options(), negated=True, column=token.column)
        else:
            return left
        if self.token.text in ORDERING | EQUALITY | {"in"}:
            raise ExpressionError(
                f"comparisons cannot be chained; join them with 'and' ({self.token.text!r})",
                self.token.column,
            )
        return node

    def options(self) -> tuple[Literal, ...]:
        opening = self._expect("[")
        options: list[Literal] = []
        while self._take("]") is None:
            if options:
                self._expect(",")
                if self._take("]") is not None:
                    break
            options.append(self.literal())
        if not options:
            raise ExpressionError("an 'in' list needs at least one value", opening.column)
        return tuple(options)

    def literal(self) -> Literal:
        token = self.token
        sign = -1.0 if self._take("-") is not None else 1.0
        value = self.primary()
        if isinstance(value, Number):
            return Number(sign * value.value, column=token.column)
        if sign > 0 and isinstance(value, Text | Boolean):
            return value
        raise ExpressionError(
            "an 'in' list holds only numbers, strings, true and false", token.column
        )

    def sum(self) -> Node:
        node = self.product()
        while (op := self._take("+", "-")) is not None:
            node = Arithmetic(op.text, node, self.product(), column=op.column)
        return node

    def product(self) -> Node:
        node = self.unary()
        while (op := self._take("*", "/")) is not None:
            node = Arithmetic(op.text, node, self.unary(), column=op.column)
        return node

    def unary(self) -> Node:
        if (op := self._take("-")) is not None:
            self._enter(op)
            node = Negate(self.unary(), column=op.column)
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.pos += 1
            return Number(float(token.text), column=token.column)
        if token.kind == "string":
            self.pos += 1
            return Text(re.sub(r"\\(.)", r"\1", token.text[1:-1]), column=token.column)
        if token.text in ("true", "false") and token.kind == "keyword":
            self.pos += 1
            return Boolean(token.text == "true", column=token.column)
        if token.kind == "name":
            self.pos += 1
            if self._take("(") is not None:
                return self.call(token)
            return Name(token.text, column=token.column)
        if (opening := self._take("(")) is not None:
            self._enter(opening)
            node = self.disjunction()
            self._expect(")")
            self.depth -= 1
            return node
        raise self._fail("an operand")

    def call(self, name: Token) -> Call:
        if name.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(
                f"unknown function {name.text!r}; the functions are {known}", name.column
            )
        self._enter(name)
        args: list[Node] = []
        while self._take(")") is None:
            if args:
                self._expect(",")
            args.append(self.sum())
        self.depth -= 1
        if len(args) != FUNCTIONS[name.text]:
            raise ExpressionError(
                f"{name.text}() takes {FUNCTIONS[name.text]} argument(s), got {len(args)}",
                name.column,
            )
        return Call(name.text, tuple(args), column=name.column)


# --- type checking ----------------------------------------------------------------------


def check(node: Node, names: Mapping[str, ValueType]) -> Node:
    """Resolve every name against ``names`` and check types; the whole must be true/false.

    Returns the tree with each :class:`Name` carrying its type, which is what lets the
    back-ends fill a missing value with the type's zero (0, false, empty string).
    """
    resolved, kind = _typed(node, names)
    if kind is not ValueType.BOOL:
        raise ExpressionError(f"a condition must be true/false, but this is {kind.described}", 1)
    return resolved


def _typed(node: Node, names: Mapping[str, ValueType]) -> tuple[Node, ValueType]:
    match node:
        case Number():
            return node, ValueType.NUMBER
        case Text():
            return node, ValueType.STRING
        case Boolean():
            return node, ValueType.BOOL
        case Name(name=name):
            if name not in names:
                raise ExpressionError(_unknown_name(name, names), node.column)
            return replace(node, type=names[name]), names[name]
        case Negate(operand=operand):
            inner = _operand(operand, names, ValueType.NUMBER, "'-'", "its operand")
            return replace(node, operand=inner), ValueType.NUMBER
        case Arithmetic(op=op, left=left, right=right):
            lhs = _operand(left, names, ValueType.NUMBER, repr(op), "its left side")
            rhs = _operand(right, names, ValueType.NUMBER, repr(op), "its right side")
            return replace(node, left=lhs, right=rhs), ValueType.NUMBER
        case Logical(op=op, left=left, right=right):
            lhs = _operand(left, names, ValueType.BOOL, repr(op), "its left side")
            rhs = _operand(right, names, ValueType.BOOL, repr(op), "its right side")
            return replace(node, left=lhs, right=rhs), ValueType.BOOL
        case Not(operand=operand):
            inner = _operand(operand, names, ValueType.BOOL, "'not'", "its operand")
            return replace(node, operand=inner), ValueType.BOOL
        case Comparison(op=op, left=left, right=right):
            if op in ORDERING:
                lhs = _operand(left, names, ValueType.NUMBER, repr(op), "its left side")
                rhs = _operand(right, names, ValueType.NUMBER, repr(op), "its right side")
                return replace(node, left=lhs, right=rhs), ValueType.BOOL
            (lhs, ltype), (rhs, rtype) = _typed(left, names), _typed(right, names)
            if ltype is not rtype:
                raise ExpressionError(
                    f"{op!r} compares values of one type, but the sides are "
                    f"{ltype.described} and {rtype.described}",
                    node.column,
                )
            return replace(node, left=lhs, right=rhs), ValueType.BOOL
        case Membership(item=item, options=options):
            resolved, kind = _typed(item, names)
            for option in options:
                option_kind = _typed(option, names)[1]
                if option_kind is not kind:
                    raise ExpressionError(
                        f"'in' list holds {option_kind.described} but the left side is "
                        f"{kind.described}",
                        option.column,
                    )
            return replace(node, item=resolved), ValueType.BOOL
        case Call(function=function, args=args):
            typed = tuple(
                _operand(arg, names, ValueType.NUMBER, f"{function}()", f"argument {i + 1}")
                for i, arg in enumerate(args)
            )
            return replace(node, args=typed), ValueType.NUMBER
    raise TypeError(f"not a condition node: {node!r}")  # pragma: no cover


def _operand(
    node: Node, names: Mapping[str, ValueType], want: ValueType, what: str, side: str
) -> Node:
    resolved, kind = _typed(node, names)
    if kind is not want:
        raise ExpressionError(
            f"{what} needs {want.described}, but {side} is {kind.described}", node.column
        )
    return resolved


def _unknown_name(name: str, names: Mapping[str, ValueType]) -> str:
    close = difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)
    if close:
        return f"unknown name {name!r}; did you mean {' or '.join(map(repr, close))}?"
    return f"unknown name {name!r} (docs/policy.md lists the names a condition can use)"
