"""The policy package's errors, under :class:`warden.errors.WardenError`.

::

    WardenError
    └── PolicyError         a policy pack or campaign file is wrong (names file:line, problem)
        └── ExpressionError a rule condition does not parse or type-check (names the column)

They live here rather than in ``warden.errors`` because only this package raises them;
callers that catch every Warden error still catch them.
"""

from __future__ import annotations

from warden.errors import WardenError


class PolicyError(WardenError):
    """A policy pack, ladder, cap or campaign cannot be used as written."""


class ExpressionError(PolicyError):
    """A rule condition is malformed; ``column`` (1-based) points at the problem.

    The message reads ``column 17: expected an operand after 'and'``; :attr:`problem` holds
    the bare problem. The pack loader prefixes the file, line and rule on top of that.
    """

    def __init__(self, problem: str, column: int) -> None:
        super().__init__(f"column {column}: {problem}")
        self.problem = problem
        self.column = column
