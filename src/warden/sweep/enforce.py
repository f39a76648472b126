"""Planning a sweep's decisions, and applying them — or only counting them (shadow).

Rules fire on many rows (every ad of an escort keeps ``escort_ad`` true), but only a few
firings lead to actions. Reading the account's standing from the database for each firing
would make a sweep as slow as the database; instead a :class:`StandingBook` keeps, in memory,
exactly what the planner reads — the account's action records and strikes, and the day's
applied counts for caps — loaded from the store the first time an account or day comes up
and updated with every action taken. :func:`~warden.enforce.standing.standing_at` and
:func:`~warden.enforce.decide.plan_decisions` are the online code, so a sweep plans what
online ingestion would have planned on the same events (``tests/integration/test_sweep_parity.py``).

``--enforce`` applies each acting group through the executor (action, strike, standing,
case, audit, outbox), committing in batches together with a *mark* per group in
``events_seen`` (``sweep:<sweep id>:<group>``). A sweep killed half-way and run again skips
the marked groups and, because the book only counts what happened before each group's
moment, plans the rest exactly as an uninterrupted run would: nothing repeated, nothing lost.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from warden.domain.actions import ActionStatus, ActionType, Decision, Evidence, PlannedAction
from warden.domain.rings import Ring
from warden.enforce.decide import (
    EventEvidence,
    acted_on,
    apply_plan,
    decay_days,
    paused_rules,
    plan_decisions,
    with_event_evidence,
)
from warden.enforce.planner import SETTLED, Plan, SetAside, Standing, gatekeep, struck_already
from warden.enforce.standing import Strike, standing_at
from warden.policy import Campaign, PolicyPack
from warden.store.interfaces import ActionRecord
from warden.store.schema import EventSeenRow
from warden.store.unit_of_work import UnitOfWork

COMMIT_EVERY = 200
MARK = "sweep"

FOREVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Group:
    """The decisions for one account at one replayed event: what the planner sees at once."""

    seq: int
    account_id: str
    at: datetime
    event_id: str
    decisions: tuple[Decision, ...]  # without evidence yet (added when they lead somewhere)
    row: int = -1  # the feature row they came from


@dataclass
class Outcome:
    """What planning a sweep came to."""

    records: list[ActionRecord] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # the ones actions rest on
    fired: Counter[str] = field(default_factory=Counter)  # rule → firing rows
    set_aside: Counter[str] = field(default_factory=Counter)  # reason → decisions
    skipped_groups: int = 0  # already applied by an earlier run of the same sweep
    rings_stored: int = 0


class StandingBook:
    """What the planner reads from the store, kept in memory for the length of a sweep.

    It answers as of the group being planned (``now``): records and strikes after that
    moment — left in the store by an earlier, interrupted run of the same sweep — are not
    counted, so a resumed sweep plans each group as the uninterrupted run did."""

    def __init__(self, pack: PolicyPack, engine: Engine | None, sweep_id: str) -> None:
        self.pack = pack
        self.engine = engine
        self.sweep_id = sweep_id
        self.now = datetime.min.replace(tzinfo=UTC)
        self._records: dict[str, list[ActionRecord]] = {}
        self._strikes: dict[str, list[Strike]] = {}
        # applied actions per (day, ("rule"|"category", name)) for caps; see _count
        self._applied: Counter[tuple[date, tuple[str, str]]] = Counter()
        self._deferred: dict[date, list[tuple[datetime, tuple[str, str]]]] = {}
        self._days_loaded = False
        self._last: dict[str, dict[str, datetime]] = {}  # account → rule → last struck
        self._latest: dict[str, datetime] = {}  # account → its latest record's moment
        self._closed: dict[str, bool] = {}
        # account → (standing, valid from, valid until): see standing()
        self._cache: dict[str, tuple[Standing, datetime, datetime]] = {}
        self._decay = decay_days(pack)

    def standing(self, account: str, at: datetime) -> Standing:
        """The account's standing at ``at``, counting only what happened up to then.

        Strikes are counted for every category (the planner reads only those it needs), so
        one standing serves every group of the account until something changes it: a new
        record, or a moment when a lock or restriction ends, a strike decays, or a record
        of an earlier run comes due. Until then the cached standing is the answer."""
        self._load(account)
        cached = self._cache.get(account)
        if cached is not None and cached[1] <= at < cached[2]:
            return cached[0]
        records = self._records[account]
        changes: list[datetime] = [r.action.at for r in records if r.action.at > at]
        changes += [
            r.action.until
            for r in records
            if r.status is ActionStatus.APPLIED
            and r.action.at <= at
            and r.action.until
            and r.action.until > at
        ]
        for category, _count, given in self._strikes[account]:
            days = self._decay.get(category)
            if days is not None:  # a category this pack does not know never counts
                changes.append(given if given > at else given + timedelta(days=days))
        standing = standing_at(account, records, self._strikes[account], self._decay, at)
        self._cache[account] = (standing, at, min((c for c in changes if c > at), default=FOREVER))
        return standing

    def quiet(
        self, account: str, decisions: Sequence[Decision], paused: frozenset[str], at: datetime
    ) -> SetAside | None:
        """Why the planner would set every one of ``decisions`` aside at once — the account
        is closed, or each rule is paused or struck within the cooldown (the planner's first
        tests) — or None when the full plan is needed. Only answers when nothing in the book
        is later than ``at``."""
        self._load(account)
        if self._latest.get(account, at) > at:
            return None
        if self._closed.get(account, False):
            return SetAside.CLOSED
        last = self._last.get(account, {})
        for decision in decisions:
            if decision.rule_id in paused:
                continue
            if not struck_already(decision, last.get(decision.rule_id)):
                return None
        return SetAside.COOLDOWN

    def applied_on(self, day: date, rule_id: str | None, category: str | None) -> int:
        """Actions applied on ``day`` for the rule (or the category), up to ``now``."""
        self._load_days()
        key = ("rule", rule_id) if rule_id is not None else ("category", category or "")
        return self._applied[(day, key)] + sum(
            1 for moment, name in self._deferred.get(day, ()) if name == key and moment <= self.now
        )

    def add(self, records: Iterable[ActionRecord]) -> None:
        for record in records:
            self._load(record.action.account_id)
            self._remember(record, mine=True)

    def _remember(self, record: ActionRecord, *, mine: bool) -> None:
        planned = record.action
        self._records[planned.account_id].append(record)
        self._note(record)
        if record.status is not ActionStatus.APPLIED:
            return
        if planned.strikes_given:
            self._strikes[planned.account_id].append(
                (planned.category, planned.strikes_given, planned.at)
            )
        self._count(record, None)

    def _note(self, record: ActionRecord) -> None:
        """Keep the planner's cheap facts up to date: last strike per rule, closed, latest."""
        planned, account = record.action, record.action.account_id
        self._cache.pop(account, None)
        self._latest[account] = max(self._latest.get(account, planned.at), planned.at)
        if record.status in (ActionStatus.APPLIED, ActionStatus.PENDING_REVIEW):
            last = self._last.setdefault(account, {})
            for rule in planned.rule_ids:
                last[rule] = max(last.get(rule, planned.at), planned.at)
        if record.status is ActionStatus.APPLIED and planned.type is ActionType.CLOSE:
            self._closed[account] = True

    def _count(self, record: ActionRecord, moment: datetime | None) -> None:
        """Count an applied action for caps: at once, or (``moment``: this sweep's own action
        from an interrupted run) only once the replay reaches its moment."""
        planned = record.action
        day = planned.at.date()
        keys = [("category", planned.category), *(("rule", rule) for rule in planned.rule_ids)]
        if moment is None:
            for key in keys:
                self._applied[(day, key)] += 1
        else:
            self._deferred.setdefault(day, []).extend((moment, key) for key in keys)

    def _load(self, account: str) -> None:
        if account in self._records:
            return
        self._records[account], self._strikes[account] = [], []
        if self.engine is None:
            return
        with UnitOfWork(self.engine) as uow:
            self._records[account] = list(uow.actions.list(account_id=account))
            self._strikes[account] = list(uow.strikes.given(account))
        for record in self._records[account]:
            self._note(record)

    def _load_days(self) -> None:
        """Applied counts per day from the store, once: other runs' actions count in full,
        this sweep's own (from an interrupted run) only up to the moment being planned."""
        if self._days_loaded:
            return
        self._days_loaded = True
        if self.engine is None:
            return
        with UnitOfWork(self.engine) as uow:
            for record in uow.actions.list(status=ActionStatus.APPLIED):
                mine = record.action.extra.get("sweep") == self.sweep_id
                self._count(record, record.action.at if mine else None)


def plan_sweep(
    groups: Iterable[Group],
    pack: PolicyPack,
    campaign: Campaign | None,
    *,
    engine: Engine | None,
    evidence: Callable[[str], EventEvidence],
    feature_evidence: Callable[[Group, Decision], Decision] = lambda group, decision: decision,
    sweep_id: str,
    enforce: bool,
    rings: Sequence[Ring] = (),
    actor: str = "warden-sweep",
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Plan every group in order; apply them (``enforce``) or only keep the plan (shadow).

    With ``engine``, standing starts from the store (a shadow sweep only reads it); without,
    from a clean slate."""
    outcome = Outcome()
    ring_of = {member: ring for ring in rings for member in ring.members}
    book = StandingBook(pack, engine, sweep_id)
    paused = paused_rules(engine, pack) if engine is not None else frozenset[str]()
    done = _marks(engine, sweep_id) if enforce and engine is not None else set()
    if enforce and engine is not None and rings:
        outcome.rings_stored = _store_rings(engine, rings, actor)
    pending: list[tuple[Group, Plan, list[Decision]]] = []
    # account → (standing, live rules, campaign active, reasons) of a plan that changed
    # nothing for reasons that hold as long as those do (see SETTLED)
    settled: dict[str, tuple[Standing, frozenset[str], bool, dict[str, SetAside]]] = {}
    for group in groups:
        book.now = group.at
        for decision in group.decisions:
            outcome.fired[decision.rule_id] += 1
        if progress is not None:
            progress(1)
        decisions = list(group.decisions)
        quiet = book.quiet(group.account_id, decisions, paused, group.at)
        if quiet is not None:  # what the planner would answer, without building a standing
            outcome.set_aside[quiet.value] += len(decisions)
            continue
        standing = book.standing(group.account_id, group.at)
        live = frozenset(d.rule_id for d in decisions if gatekeep(d, standing, paused) is None)
        active = campaign is not None and campaign.active(group.at)
        memo = settled.get(group.account_id)
        if memo is not None and memo[0] is standing and memo[1] == live and memo[2] == active:
            for d in decisions:
                outcome.set_aside[(gatekeep(d, standing, paused) or memo[3][d.rule_id]).value] += 1
            continue
        result = plan_decisions(pack, campaign, paused, decisions, standing, book.applied_on)
        reasons = {d.rule_id: reason for d, reason in result.set_aside}
        for reason in reasons.values():
            outcome.set_aside[reason.value] += 1
        if not result.actions:
            if all(reasons.get(rule) in SETTLED for rule in live):
                settled[group.account_id] = (standing, live, active, reasons)
            continue
        shown = evidence(group.event_id)
        used = [
            _with_ring(with_event_evidence(feature_evidence(group, d), shown), ring_of)
            for d in acted_on(decisions, result)
        ]
        backing = {(d.category, d.rule_id): d.evidence for d in used}
        result = replace(
            result,
            actions=tuple(
                replace(
                    a,
                    actor=actor,
                    extra={"sweep": sweep_id},
                    evidence=backing[(a.category, a.rule_ids[0])],
                )
                for a in result.actions
            ),
        )
        if enforce and engine is not None and group_key(sweep_id, group) in done:
            outcome.skipped_groups += 1  # applied by an earlier run: in the book already
            continue
        planned = [
            _shadow_record(len(outcome.records) + len(pending) + i + 1, action)
            for i, action in enumerate(result.actions)
        ]
        book.add(planned)  # later groups must see this plan, applied or not
        if not enforce or engine is None:
            outcome.records.extend(planned)
            outcome.decisions.extend(used)
            continue
        pending.append((group, result, used))
        if len(pending) >= COMMIT_EVERY:
            _apply(engine, pending, sweep_id, actor, outcome)
    if pending and engine is not None:
        _apply(engine, pending, sweep_id, actor, outcome)
    return outcome


def _with_ring(decision: Decision, ring_of: dict[str, Ring]) -> Decision:
    """A decision whose rule read ``ring.*`` cites the ring, so a reviewer can open it."""
    ring = ring_of.get(decision.account_id)
    if ring is None or not any(
        e.kind == "feature" and e.ref.startswith("ring.") for e in decision.evidence
    ):
        return decision
    shared = ", ".join(ring.entities[:3]) + (" …" if len(ring.entities) > 3 else "")
    detail = f"{ring.size} accounts, score {ring.score:.2f}, sharing {shared}"
    return replace(decision, evidence=(*decision.evidence, Evidence("ring", ring.ring_id, detail)))


def group_key(sweep_id: str, group: Group) -> str:
    """The mark that says this sweep already applied this group (fits events_seen's key)."""
    digest = hashlib.blake2b(f"{group.seq}\0{group.account_id}".encode(), digest_size=10)
    return f"{MARK}:{sweep_id}:{digest.hexdigest()}"


def _apply(
    engine: Engine,
    pending: list[tuple[Group, Plan, list[Decision]]],
    sweep_id: str,
    actor: str,
    outcome: Outcome,
) -> None:
    """One transaction for a batch of groups: their marks, decisions and actions together."""
    now = datetime.now(UTC)
    applied: list[ActionRecord] = []
    decisions: list[Decision] = []
    with UnitOfWork(engine) as uow:
        for group, result, used in pending:
            uow.events_seen.mark(group_key(sweep_id, group), group.account_id, MARK, group.at, now)
            uow.accounts.get_or_create(group.account_id, group.at)
            applied.extend(apply_plan(uow, used, result, actor))
            decisions.extend(used)
        uow.commit()
    outcome.records.extend(applied)
    outcome.decisions.extend(decisions)
    pending.clear()


def _marks(engine: Engine, sweep_id: str) -> set[str]:
    prefix = f"{MARK}:{sweep_id}:"
    with engine.connect() as connection:
        rows = connection.execute(
            select(EventSeenRow.event_id).where(EventSeenRow.event_id.startswith(prefix))
        )
        return {row[0] for row in rows}


def _store_rings(engine: Engine, rings: Sequence[Ring], actor: str) -> int:
    """Rings go to the store (idempotent by ring id) with an audit record each, before any
    action that cites them."""
    stored = 0
    for start in range(0, len(rings), COMMIT_EVERY):
        with UnitOfWork(engine) as uow:
            for ring in rings[start : start + COMMIT_EVERY]:
                if uow.rings.add(ring):
                    stored += 1
                    uow.audit.append(
                        "ring",
                        ring.members[0],
                        {
                            "ring": ring.ring_id,
                            "sweep": ring.sweep_id,
                            "members": list(ring.members),
                            "entities": list(ring.entities),
                            "score": ring.score,
                        },
                        actor=actor,
                        at=ring.found_at,
                    )
            uow.commit()
    return stored


def _shadow_record(number: int, planned: PlannedAction) -> ActionRecord:
    """What the store would have made of a planned action (ids negative: never stored)."""
    status = ActionStatus.PENDING_REVIEW if planned.needs_review else ActionStatus.APPLIED
    return ActionRecord(
        id=-number,
        action=planned,
        status=status,
        created_at=planned.at,
        applied_at=planned.at if status is ActionStatus.APPLIED else None,
        reversed_at=None,
        reversal_reason=None,
    )


def by_group(
    rows: Iterable[tuple[int, Decision]],
    seqs: Sequence[int],
    event_ids: Sequence[str],
) -> Iterator[Group]:
    """Consecutive firing rows of the same feature row → one :class:`Group`."""
    current: int | None = None
    decisions: list[Decision] = []
    for row, decision in rows:
        if row != current and current is not None:
            yield _group(current, decisions, seqs, event_ids)
            decisions = []
        current = row
        decisions.append(decision)
    if current is not None:
        yield _group(current, decisions, seqs, event_ids)


def _group(
    row: int, decisions: list[Decision], seqs: Sequence[int], event_ids: Sequence[str]
) -> Group:
    first = decisions[0]
    return Group(int(seqs[row]), first.account_id, first.at, event_ids[row], tuple(decisions), row)
