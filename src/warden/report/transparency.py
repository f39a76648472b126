"""The transparency report's figures: what Warden did in a period, as the platform publishes it.

:func:`transparency_figures` reads one consistent snapshot of the store and returns
:class:`TransparencyFigures`. Its :meth:`~TransparencyFigures.to_json` is the published JSON,
and the HTML page (:mod:`warden.report.transparency_page`) is drawn from the same object, so
the two never disagree. Every figure is defined in ``docs/report.md`` — definitions matter to
the compliance staff who sign the report — and a test keeps the JSON and the document in step.

The period is ``[since 00:00 UTC, until + 1 day 00:00 UTC)``: both dates are included, and an
end that is not given is open. Counting happens in the database (``GROUP BY``, see
:mod:`warden.report.queries`), so the report costs the same few queries for a hundred
actions or twenty million.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from warden.audit.chain import VerifyResult
from warden.audit.log import verify
from warden.domain.actions import (
    CASE_TRANSITIONS,
    ActionStatus,
    ActionType,
    CaseKind,
    CaseStatus,
)
from warden.report import queries as q
from warden.store.rings import SqlRings
from warden.store.schema import ActionRow

DEFAULT_TITLE = "Warden transparency report"
#: Format of :meth:`TransparencyFigures.to_json`; bumped when a key changes meaning.
FORMAT = 1
#: How many rules the "top rules" lists show.
TOP_RULES = 10
#: Age buckets of open cases, as ``(key, lower bound in days)``, youngest first.
AGE_BUCKETS = (
    ("under_1_day", 0),
    ("1_to_3_days", 1),
    ("3_to_7_days", 3),
    ("7_to_30_days", 7),
    ("30_days_or_more", 30),
)
#: JSON objects keyed by values (an action type, category, rule, ring size, case kind, age
#: bucket…) rather than by fixed names: ``docs/report.md`` describes each as a whole.
MAPS = frozenset(
    {
        "actions.taken_by_type",
        "actions.taken_by_category",
        "actions.by_day[].by_type",
        "actions.by_day[].by_category",
        "accounts.by_type",
        "accounts.by_category",
        "rings.size_counts",
        "appeals.by_rule",
        "cases.opened_by_kind",
        "cases.closed_by_kind",
        "cases.backlog.by_kind",
        "cases.backlog.by_age",
        "cases.backlog.by_kind_and_age",
        "policy.versions",
        "policy.campaigns",
    }
)

ACTION_TYPES = tuple(t.value for t in ActionType)
CASE_KINDS = tuple(k.value for k in CaseKind)
FINAL_CASE_STATUSES = tuple(s.value for s in CaseStatus if not CASE_TRANSITIONS[s])


@dataclass(frozen=True, slots=True)
class Period:
    """The dates the report covers and when it was made (all UTC)."""

    since: date | None
    until: date | None
    generated_at: datetime

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.since, time(), tzinfo=UTC) if self.since else None

    @property
    def end(self) -> datetime | None:
        if self.until is None:
            return None
        return datetime.combine(self.until + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def as_of(self) -> datetime:
        """The moment "now" figures (backlog, pending) describe: the period's end, if past."""
        end = self.end
        return min(end, self.generated_at) if end else self.generated_at


@dataclass(frozen=True, slots=True)
class Day:
    """One day of actions (UTC)."""

    day: date
    taken_by_type: dict[str, int]
    taken_by_category: dict[str, int]
    held_for_review: int
    reversed: int

    @property
    def taken(self) -> int:
        return sum(self.taken_by_type.values())


@dataclass(frozen=True, slots=True)
class RuleAppeals:
    """Appeals against the actions of one rule."""

    rule_id: str
    filed: int
    decided: int
    overturned: int

    @property
    def overturn_rate(self) -> float | None:
        return ratio(self.overturned, self.decided)


@dataclass(frozen=True, slots=True)
class TransparencyFigures:
    """Every figure of the report; see ``docs/report.md`` for each definition."""

    title: str
    period: Period
    first_activity: datetime | None
    last_activity: datetime | None
    active_accounts: int
    taken_by_type: dict[str, int]
    taken_by_category: dict[str, int]
    days: tuple[Day, ...]
    taken_then_reversed: int
    pending_review: int
    rejected_in_review: int
    reversed: int
    accounts_actioned: int
    accounts_by_type: dict[str, int]
    accounts_by_category: dict[str, int]
    ring_sizes: dict[int, int]
    accounts_in_rings: int
    appeals_by_rule: tuple[RuleAppeals, ...]
    appeals_filed: int
    appeals_decided: int
    appeals_overturned: int
    cases_opened: dict[str, int]
    cases_closed: dict[str, dict[str, int]]
    backlog: dict[str, dict[str, int]]
    oldest_open_case: datetime | None
    rules_by_actions: tuple[tuple[str, int], ...]
    policy_versions: dict[str, int]
    campaigns: dict[str, int]
    audit: VerifyResult

    @property
    def actions_taken(self) -> int:
        return sum(self.taken_by_type.values())

    @property
    def accounts_closed(self) -> int:
        return self.accounts_by_type.get(ActionType.CLOSE.value, 0)

    @property
    def rings_found(self) -> int:
        return sum(self.ring_sizes.values())

    @property
    def appeal_overturn_rate(self) -> float | None:
        return ratio(self.appeals_overturned, self.appeals_decided)

    @property
    def backlog_total(self) -> int:
        return sum(sum(ages.values()) for ages in self.backlog.values())

    @property
    def rules_by_overturns(self) -> tuple[RuleAppeals, ...]:
        ranked = sorted(
            (r for r in self.appeals_by_rule if r.overturned),
            key=lambda r: (-r.overturned, -(r.overturn_rate or 0), r.rule_id),
        )
        return tuple(ranked[:TOP_RULES])

    @property
    def empty(self) -> bool:
        """Nothing happened in the period: no events, actions, cases, appeals or rings."""
        return not (
            self.active_accounts
            or self.actions_taken
            or self.pending_review
            or self.reversed
            or self.rejected_in_review
            or any(self.cases_opened.values())
            or self.backlog_total
            or self.rings_found
        )

    def share_of_active(self, accounts: int) -> float | None:
        return ratio(accounts, self.active_accounts)

    def to_json(self) -> dict[str, Any]:
        """The published JSON (every key is described in ``docs/report.md``)."""
        return {
            "report": "transparency",
            "format": FORMAT,
            "title": self.title,
            "generated_at": _iso(self.period.generated_at),
            "period": {
                "since": _day(self.period.since),
                "until": _day(self.period.until),
                "start": _iso(self.period.start),
                "end": _iso(self.period.end),
                "as_of": _iso(self.period.as_of),
                "first_activity": _iso(self.first_activity),
                "last_activity": _iso(self.last_activity),
            },
            "empty": self.empty,
            "headline": {
                "accounts_closed": self.accounts_closed,
                "closed_share_of_active": self.share_of_active(self.accounts_closed),
                "accounts_actioned": self.accounts_actioned,
                "actioned_share_of_active": self.share_of_active(self.accounts_actioned),
                "active_accounts": self.active_accounts,
                "actions_taken": self.actions_taken,
                "accounts_in_rings": self.accounts_in_rings,
                "appeal_overturn_rate": self.appeal_overturn_rate,
            },
            "actions": {
                "taken": self.actions_taken,
                "taken_by_type": self.taken_by_type,
                "taken_by_category": self.taken_by_category,
                "taken_then_reversed": self.taken_then_reversed,
                "pending_review": self.pending_review,
                "rejected_in_review": self.rejected_in_review,
                "reversed": self.reversed,
                "by_day": [
                    {
                        "day": _day(d.day),
                        "taken": d.taken,
                        "by_type": d.taken_by_type,
                        "by_category": d.taken_by_category,
                        "held_for_review": d.held_for_review,
                        "reversed": d.reversed,
                    }
                    for d in self.days
                ],
            },
            "accounts": {
                "active": self.active_accounts,
                "actioned": self.accounts_actioned,
                "actioned_share_of_active": self.share_of_active(self.accounts_actioned),
                "by_type": {
                    t: {"accounts": n, "share_of_active": self.share_of_active(n)}
                    for t, n in self.accounts_by_type.items()
                },
                "by_category": {
                    c: {"accounts": n, "share_of_active": self.share_of_active(n)}
                    for c, n in self.accounts_by_category.items()
                },
            },
            "rings": {
                "rings": self.rings_found,
                "accounts_in_rings": self.accounts_in_rings,
                "largest": max(self.ring_sizes, default=None),
                "size_counts": {str(size): n for size, n in self.ring_sizes.items()},
            },
            "appeals": {
                "filed": self.appeals_filed,
                "decided": self.appeals_decided,
                "upheld": self.appeals_decided - self.appeals_overturned,
                "overturned": self.appeals_overturned,
                "overturn_rate": self.appeal_overturn_rate,
                "by_rule": {r.rule_id: _rule_appeals(r) for r in self.appeals_by_rule},
            },
            "cases": {
                "opened_by_kind": self.cases_opened,
                "closed_by_kind": self.cases_closed,
                "backlog": {
                    "total": self.backlog_total,
                    "oldest_opened_at": _iso(self.oldest_open_case),
                    "by_kind": {k: sum(ages.values()) for k, ages in self.backlog.items()},
                    "by_age": {
                        key: sum(ages[key] for ages in self.backlog.values())
                        for key, _ in AGE_BUCKETS
                    },
                    "by_kind_and_age": self.backlog,
                },
            },
            "rules": {
                "top_by_actions": [
                    {"rule_id": rule, "actions": n} for rule, n in self.rules_by_actions
                ],
                "top_by_overturns": [
                    {"rule_id": r.rule_id, **_rule_appeals(r)} for r in self.rules_by_overturns
                ],
            },
            "policy": {"versions": self.policy_versions, "campaigns": self.campaigns},
            "audit": {
                "verified": self.audit.ok,
                "records": self.audit.count,
                "head_seq": self.audit.head_seq,
                "head_hash": self.audit.head_hash,
                "problem": self.audit.problem.value if self.audit.problem else None,
                "bad_seq": self.audit.bad_seq,
                "detail": self.audit.detail,
            },
        }


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 6 places, or ``None`` when ``whole`` is 0."""
    return round(part / whole, 6) if whole else None


def _rule_appeals(r: RuleAppeals) -> dict[str, Any]:
    return {
        "filed": r.filed,
        "decided": r.decided,
        "overturned": r.overturned,
        "overturn_rate": r.overturn_rate,
    }


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z") if at else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def transparency_figures(
    source: Engine | Session,
    since: date | None = None,
    until: date | None = None,
    *,
    now: datetime | None = None,
    title: str = DEFAULT_TITLE,
) -> TransparencyFigures:
    """Every figure for ``[since, until]`` (UTC dates, both included), from one snapshot.

    ``source`` is an engine (a read-only snapshot transaction is opened and closed here) or
    a session whose transaction the caller owns. ``now`` is when the report is made
    (default: now); backlog ages are measured at the period's end or ``now``, the earlier.
    """
    if since is not None and until is not None and until < since:
        raise ValueError(f"until {until} is before since {since}")
    period = Period(since, until, (now or datetime.now(UTC)).astimezone(UTC))
    if isinstance(source, Session):
        return _read(source, period, title)
    with q.snapshot(source) as session:
        return _read(session, period, title)


def _read(session: Session, period: Period, title: str) -> TransparencyFigures:
    window = (period.start, period.end)
    per_day = q.taken_per_day(session, window)
    held = q.status_per_day(session, ActionStatus.PENDING_REVIEW, ActionRow.created_at, window)
    reversed_ = q.status_per_day(session, ActionStatus.REVERSED, ActionRow.reversed_at, window)
    taken_by_type = dict.fromkeys(ACTION_TYPES, 0)
    taken_by_category: dict[str, int] = {}
    for _, kind, category, n in per_day:
        taken_by_type[kind] += n
        taken_by_category[category] = taken_by_category.get(category, 0) + n
    filed, decided, overturned = q.appeals(session, window)
    backlog = {kind: dict.fromkeys((key for key, _ in AGE_BUCKETS), 0) for kind in CASE_KINDS}
    aged, oldest = q.backlog(session, period.as_of, AGE_BUCKETS)
    for kind, bucket, n in aged:
        backlog[kind][bucket] += n
    closed = {kind: dict.fromkeys(FINAL_CASE_STATUSES, 0) for kind in CASE_KINDS}
    for kind, status, n in q.cases_closed(session, window):
        closed[kind][status] += n
    first, last = q.activity_bounds(session, window)
    opened = q.cases_opened(session, window)
    rings = SqlRings(session)
    by_type = q.distinct_accounts_taken(session, window, "type")
    return TransparencyFigures(
        title=title,
        period=period,
        first_activity=first,
        last_activity=last,
        active_accounts=q.active_accounts(session, window),
        taken_by_type=taken_by_type,
        taken_by_category=_by_count(taken_by_category),
        days=_days(per_day, held, reversed_, sorted(taken_by_category)),
        taken_then_reversed=q.count_actions(
            session,
            ActionRow.status == ActionStatus.REVERSED.value,
            q.within(ActionRow.applied_at, window),
        ),
        pending_review=sum(held.values()),
        rejected_in_review=q.count_actions(
            session,
            ActionRow.status == ActionStatus.REJECTED.value,
            q.within(ActionRow.reversed_at, window),
        ),
        reversed=sum(reversed_.values()),
        accounts_actioned=q.distinct_accounts_any_taken(session, window),
        accounts_by_type={t: by_type.get(t, 0) for t in ACTION_TYPES},
        accounts_by_category=_by_count(q.distinct_accounts_taken(session, window, "category")),
        ring_sizes=rings.size_counts(*window),
        accounts_in_rings=rings.member_count(*window),
        appeals_by_rule=tuple(RuleAppeals(*row) for row in q.appeals_by_rule(session, window)),
        appeals_filed=filed,
        appeals_decided=decided,
        appeals_overturned=overturned,
        cases_opened={k: opened.get(k, 0) for k in CASE_KINDS},
        cases_closed=closed,
        backlog=backlog,
        oldest_open_case=oldest,
        rules_by_actions=tuple(q.top_rules_by_actions(session, window, TOP_RULES)),
        policy_versions=q.actions_by(session, ActionRow.policy_version, window),
        campaigns=q.actions_by(session, ActionRow.campaign, window),
        audit=verify(session),
    )


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    """Largest first, then by name: the order tables and charts show."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _days(
    per_day: list[tuple[str, str, str, int]],
    held: dict[str, int],
    reversed_: dict[str, int],
    categories: list[str],
) -> tuple[Day, ...]:
    """Every day from the first to the last with an action, days without any included."""
    taken: dict[str, list[tuple[str, str, int]]] = {}
    for day, kind, category, n in per_day:
        taken.setdefault(day, []).append((kind, category, n))
    seen = set(taken) | set(held) | set(reversed_)
    if not seen:
        return ()
    first, last = date.fromisoformat(min(seen)), date.fromisoformat(max(seen))
    days = []
    for offset in range((last - first).days + 1):
        key = (first + timedelta(days=offset)).isoformat()
        by_type = dict.fromkeys(ACTION_TYPES, 0)
        by_category = dict.fromkeys(categories, 0)
        for kind, category, n in taken.get(key, ()):
            by_type[kind] += n
            by_category[category] += n
        days.append(
            Day(
                date.fromisoformat(key),
                by_type,
                by_category,
                held.get(key, 0),
                reversed_.get(key, 0),
            )
        )
    return tuple(days)
