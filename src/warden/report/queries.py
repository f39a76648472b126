"""The counting behind the reports: aggregate SQL over the store, the same on both databases.

Each function takes a session and a window ``[start, end)`` (either end ``None`` = open) and
returns plain numbers; the database does the counting (``GROUP BY``), so a report over twenty
million actions reads a few hundred rows. What each count *means* is decided by the report
that uses it (:mod:`warden.report.transparency`, defined in ``docs/report.md``).

Two things differ between SQLite and PostgreSQL and are handled here once: the UTC day of a
timestamp (:func:`utc_day`) and the rule ids inside an action's JSON ``rule_ids``
(:func:`_action_rules`, a table-valued function joined to ``actions``).

:func:`snapshot` opens the read transaction a report runs in: on SQLite a deferred
transaction, which in WAL mode reads one snapshot and blocks no writer; on PostgreSQL
``REPEATABLE READ``, so every query sees the same committed state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    case,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from warden.domain.actions import ActionStatus, CaseKind, CaseStatus
from warden.store.engine import read_only
from warden.store.schema import ActionRow, CaseRow, EventSeenRow

Window = tuple[datetime | None, datetime | None]


@contextmanager
def snapshot(engine: Engine) -> Iterator[Session]:
    """A session reading one consistent snapshot, without taking a write lock."""
    bind = read_only(engine)
    if engine.dialect.name == "postgresql":
        bind = bind.execution_options(isolation_level="REPEATABLE READ")
    with Session(bind) as session, session.begin():
        yield session


def within(column: InstrumentedAttribute[Any], window: Window) -> ColumnElement[bool]:
    """``start <= column < end`` for the bounds that are given (true when none are)."""
    start, end = window
    clauses = []
    if start is not None:
        clauses.append(column >= start)
    if end is not None:
        clauses.append(column < end)
    return and_(true(), *clauses)


def utc_day(session: Session, column: InstrumentedAttribute[Any]) -> ColumnElement[str]:
    """The UTC calendar day of a timestamp column, as ``'YYYY-MM-DD'`` text."""
    # constants are written inline, not bound: PostgreSQL matches a GROUP BY expression to
    # the selected one only when both are identical, and two bound parameters are not
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM-DD'")
        )
    return func.strftime(literal_column("'%Y-%m-%d'"), column)  # SQLite stores naive UTC


def _action_rules(session: Session) -> Any:
    """A table-valued ``value`` column: one row per rule id of each action (join on true)."""
    if session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements_text(ActionRow.rule_ids)
    else:
        elements = func.json_each(ActionRow.rule_ids)
    return elements.table_valued("value", joins_implicitly=True)


TAKEN = ActionRow.applied_at.is_not(None)


def taken_per_day(session: Session, window: Window) -> list[tuple[str, str, str, int]]:
    """``(day, type, category, count)`` of actions whose ``applied_at`` is in the window."""
    day = utc_day(session, ActionRow.applied_at)
    statement = (
        select(day, ActionRow.type, ActionRow.category, func.count())
        .where(TAKEN, within(ActionRow.applied_at, window))
        .group_by(day, ActionRow.type, ActionRow.category)
    )
    return [(str(d), t, c, int(n)) for d, t, c, n in session.execute(statement)]


def status_per_day(
    session: Session, status: ActionStatus, column: InstrumentedAttribute[Any], window: Window
) -> dict[str, int]:
    """Day → actions now in ``status`` whose ``column`` (a timestamp) is in the window."""
    day = utc_day(session, column)
    statement = (
        select(day, func.count())
        .where(ActionRow.status == status.value, within(column, window))
        .group_by(day)
    )
    return {str(d): int(n) for d, n in session.execute(statement)}


def count_actions(session: Session, *conditions: ColumnElement[bool]) -> int:
    statement = select(func.count()).select_from(ActionRow).where(*conditions)
    return int(session.scalar(statement) or 0)


def distinct_accounts_taken(session: Session, window: Window, by: str) -> dict[str, int]:
    """``type`` or ``category`` → distinct accounts with an action taken in the window."""
    key = ActionRow.type if by == "type" else ActionRow.category
    statement = (
        select(key, func.count(func.distinct(ActionRow.account_id)))
        .where(TAKEN, within(ActionRow.applied_at, window))
        .group_by(key)
    )
    return {str(k): int(n) for k, n in session.execute(statement)}


def distinct_accounts_any_taken(session: Session, window: Window) -> int:
    statement = select(func.count(func.distinct(ActionRow.account_id))).where(
        TAKEN, within(ActionRow.applied_at, window)
    )
    return int(session.scalar(statement) or 0)


def active_accounts(session: Session, window: Window) -> int:
    """Distinct accounts that did at least one ingested event in the window."""
    statement = select(func.count(func.distinct(EventSeenRow.account_id))).where(
        within(EventSeenRow.ts, window)
    )
    return int(session.scalar(statement) or 0)


def activity_bounds(session: Session, window: Window) -> tuple[datetime | None, datetime | None]:
    """Earliest and latest moment of an event or an action in the window."""
    events = session.execute(
        select(func.min(EventSeenRow.ts), func.max(EventSeenRow.ts)).where(
            within(EventSeenRow.ts, window)
        )
    ).one()
    actions = session.execute(
        select(func.min(ActionRow.created_at), func.max(ActionRow.created_at)).where(
            within(ActionRow.created_at, window)
        )
    ).one()
    firsts = [a for a in (events[0], actions[0]) if a is not None]
    lasts = [a for a in (events[1], actions[1]) if a is not None]
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


def top_rules_by_actions(session: Session, window: Window, limit: int) -> list[tuple[str, int]]:
    """Rules with the most actions taken in the window (an action counts for each rule)."""
    rule = _action_rules(session)
    count = func.count()
    statement = (
        select(rule.c.value, count)
        .select_from(ActionRow)
        .join(rule, true())
        .where(TAKEN, within(ActionRow.applied_at, window))
        .group_by(rule.c.value)
        .order_by(count.desc(), rule.c.value)
        .limit(limit)
    )
    return [(str(r), int(n)) for r, n in session.execute(statement)]


def _decided_appeal(window: Window) -> ColumnElement[bool]:
    return and_(
        CaseRow.status.in_((CaseStatus.OVERTURNED.value, CaseStatus.REJECTED.value)),
        within(CaseRow.closed_at, window),
    )


def _overturned_appeal(window: Window) -> ColumnElement[bool]:
    return and_(CaseRow.status == CaseStatus.OVERTURNED.value, within(CaseRow.closed_at, window))


def _sum_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def appeals(session: Session, window: Window) -> tuple[int, int, int]:
    """``(filed, decided, overturned)``: appeals opened / settled / overturned in the window."""
    statement = select(
        _sum_if(within(CaseRow.opened_at, window)),
        _sum_if(_decided_appeal(window)),
        _sum_if(_overturned_appeal(window)),
    ).where(CaseRow.kind == CaseKind.APPEAL.value)
    filed, decided, overturned = session.execute(statement).one()
    return int(filed), int(decided), int(overturned)


def appeals_by_rule(session: Session, window: Window) -> list[tuple[str, int, int, int]]:
    """``(rule, filed, decided, overturned)`` for appeals against each rule's actions."""
    rule = _action_rules(session)
    statement = (
        select(
            rule.c.value,
            _sum_if(within(CaseRow.opened_at, window)),
            _sum_if(_decided_appeal(window)),
            _sum_if(_overturned_appeal(window)),
        )
        .select_from(CaseRow)
        .join(ActionRow, ActionRow.id == CaseRow.action_id)
        .join(rule, true())
        .where(CaseRow.kind == CaseKind.APPEAL.value)
        .group_by(rule.c.value)
        .order_by(rule.c.value)
    )
    rows = [(str(r), int(f), int(d), int(o)) for r, f, d, o in session.execute(statement)]
    return [row for row in rows if any(row[1:])]


def cases_opened(session: Session, window: Window) -> dict[str, int]:
    statement = (
        select(CaseRow.kind, func.count())
        .where(within(CaseRow.opened_at, window))
        .group_by(CaseRow.kind)
    )
    return {str(k): int(n) for k, n in session.execute(statement)}


def cases_closed(session: Session, window: Window) -> list[tuple[str, str, int]]:
    """``(kind, final status, count)`` of cases closed in the window."""
    statement = (
        select(CaseRow.kind, CaseRow.status, func.count())
        .where(CaseRow.closed_at.is_not(None), within(CaseRow.closed_at, window))
        .group_by(CaseRow.kind, CaseRow.status)
    )
    return [(str(k), str(s), int(n)) for k, s, n in session.execute(statement)]


def backlog(
    session: Session, as_of: datetime, buckets: tuple[tuple[str, int], ...]
) -> tuple[list[tuple[str, str, int]], datetime | None]:
    """Cases open at ``as_of`` as ``(kind, age bucket, count)``, and the oldest one's opening.

    Open at ``as_of``: opened before it and not closed by then (closed later, or not yet).
    ``buckets`` are ``(name, lower bound in days)``, youngest first.
    """
    open_then = and_(
        CaseRow.opened_at < as_of,
        (CaseRow.closed_at.is_(None)) | (CaseRow.closed_at >= as_of),
    )
    # bucket i holds ages in [bound i, bound i+1): opened after as_of - bound i+1
    age = case(
        *(
            (CaseRow.opened_at > as_of - timedelta(days=buckets[i + 1][1]), literal(name))
            for i, (name, _) in enumerate(buckets[:-1])
        ),
        else_=literal(buckets[-1][0]),
    )
    # grouped in an outer query: PostgreSQL would not match the CASE's parameters twice
    aged = select(CaseRow.kind, age.label("age")).where(open_then).subquery()
    rows = session.execute(
        select(aged.c.kind, aged.c.age, func.count()).group_by(aged.c.kind, aged.c.age)
    )
    counted = [(str(k), str(a), int(n)) for k, a, n in rows]
    oldest = session.scalar(select(func.min(CaseRow.opened_at)).where(open_then))
    return counted, oldest


def actions_by(
    session: Session, column: InstrumentedAttribute[Any], window: Window
) -> dict[str, int]:
    """``column`` value → actions created in the window (``None`` values left out)."""
    statement = (
        select(column, func.count())
        .where(column.is_not(None), within(ActionRow.created_at, window))
        .group_by(column)
        .order_by(column)
    )
    return {str(k): int(n) for k, n in session.execute(statement)}
