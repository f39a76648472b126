"""The one decision path: a validated event → screen → fold → evaluate → plan → apply.

Every driver goes through here — ``warden ingest`` (files), ``POST /v1/events`` (the HTTP
API), ``warden worker`` (the JetStream stream) — and the sweep shares its pieces (the
standing, :func:`plan_decisions`, the evidence, :func:`apply_plan`). A driver owns only the
transaction: it opens a unit of work, hands each event to :meth:`Decider.decide`, and ends
with :meth:`Decider.commit` (or :meth:`Decider.rollback`). So one event leads to the same
actions whichever way it arrived, and a new driver cannot drift from the others.

For each event, :meth:`Decider.decide`:

1. marks its ``event_id`` as seen — if it was seen before, stops (the mark is in the same
   transaction as everything the event causes, so a retry after a crash changes nothing
   that was committed and redoes everything that was not);
2. folds it, with its verdicts, into the features of every account it touches (the sender;
   the payee of a payment; the target of a report);
3. evaluates the policy pack (and the campaign, if one is given) for each touched account;
4. plans actions against the account's standing (a :class:`StandingSource`: the store
   online, an in-memory book in a sweep) and applies them with the executor, with evidence.

Counters that live in the database (:class:`TransactionalCounters`, the embedded default)
are flushed into the same transaction by :meth:`Decider.commit`: exactly once. Counters that
cannot join the transaction (Redis) are folded at most once per event: the fold is skipped
when the event was folded before (a retry after a crash between fold and commit).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from warden.accounts.content import Contribution
from warden.accounts.counters import Counters, MemoryCounters
from warden.accounts.features import FeatureFolder, touched_by
from warden.detect.screener import Screener
from warden.domain.actions import ActionStatus, CaseKind, CaseStatus, Decision, Evidence
from warden.domain.events import Event, ProfileEvent
from warden.domain.verdicts import Verdict
from warden.enforce.executor import execute, record_decisions
from warden.enforce.pictures import media_problems, picture_evidence, scanner, stored_banks
from warden.enforce.planner import Plan, Standing, plan
from warden.enforce.standing import standing_at
from warden.io.events import Located, Quarantined
from warden.policy import Campaign, DailyCounts, PolicyPack
from warden.store.content import retained
from warden.store.interfaces import ActionRecord, UnitOfWorkPort
from warden.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from warden.media.limits import MediaLimits
    from warden.media.scan import MediaScanner

CONTACT = ("phone", "chat_handle", "qq")
#: How long a non-transactional counter store remembers that an event was folded.
FOLDED_FOR = timedelta(days=7)


class StandingSource(Protocol):
    """Where an account stands, and how many actions a day has seen — what the planner reads."""

    def standing(self, account: str, at: datetime) -> Standing: ...

    def applied_on(self, day: date, rule_id: str | None, category: str | None) -> int:
        """Actions applied on ``day`` for the rule (or, with ``rule_id`` None, the category)."""
        ...


class StoredStanding:
    """The standing as the store holds it, read inside the driver's unit of work."""

    def __init__(self, uow: UnitOfWorkPort, pack: PolicyPack) -> None:
        self.uow = uow
        self.decay_days = decay_days(pack)

    def standing(self, account: str, at: datetime) -> Standing:
        return standing_at(
            account,
            self.uow.actions.list(account_id=account),
            self.uow.strikes.given(account),
            self.decay_days,
            at,
        )

    def applied_on(self, day: date, rule_id: str | None, category: str | None) -> int:
        return self.uow.actions.count_today(
            day, rule_id=rule_id, category=category, statuses=[ActionStatus.APPLIED]
        )


def decay_days(pack: PolicyPack) -> dict[str, int]:
    """Category → how many days a strike counts, from the pack's ladders."""
    return {category: pack.ladders[category].decay_days for category in pack.categories}


@runtime_checkable
class TransactionalCounters(Protocol):
    """Counters that persist in the database and can join the driver's transaction."""

    def flush(self, session: Session) -> None: ...

    def discard(self) -> None: ...


@dataclass
class EventOutcome:
    """What one event came to: ``processed`` or ``duplicate``, its decisions and actions."""

    event_id: str
    status: str
    decisions: int = 0
    actions: list[ActionRecord] = field(default_factory=list)
    #: pictures of the event that could not be read, and why (kept in quarantine too)
    media_problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "event_id": self.event_id,
            "status": self.status,
            "decisions": self.decisions,
            "actions": [
                {
                    "id": r.id,
                    "account_id": r.action.account_id,
                    "type": r.action.type.value,
                    "category": r.action.category,
                    "rules": list(r.action.rule_ids),
                    "status": r.status.value,
                }
                for r in self.actions
            ],
        }
        if self.media_problems:
            out["media_problems"] = list(self.media_problems)
        return out


class Decider:
    """Screening, features, policy, planning and the executor, wired once for every driver."""

    def __init__(
        self,
        screener: Screener,
        pack: PolicyPack,
        *,
        counters: Counters | None = None,
        campaign: Campaign | None = None,
        rings: Mapping[str, tuple[int, float]] | None = None,
        paused: frozenset[str] = frozenset(),
        media: Callable[[], MediaScanner] | None = None,
    ) -> None:
        """``rings`` (member → ring size, score) are the rings found by the last sweep; the
        ``ring.*`` features read them. ``paused`` are the rules the appeal valve paused
        (:func:`paused_rules`). ``media`` makes the scanner for events' pictures, on the
        first event that has one (its libraries and banks are loaded only then); by
        default pictures are read within the default limits, with no banks."""
        self.screener = screener
        self.pack = pack
        self.counters: Counters = counters if counters is not None else MemoryCounters()
        self.folder = FeatureFolder(self.counters, pack.categories, rings=rings, banks=pack.banks)
        self._media_factory = media or (lambda: scanner(screener))
        self._media: MediaScanner | None = None
        self.campaign = campaign
        self.paused = paused
        self._transactional = isinstance(self.counters, TransactionalCounters)
        self._fold_once = not self._transactional and not isinstance(self.counters, MemoryCounters)

    @classmethod
    def for_store(
        cls,
        engine: Engine,
        screener: Screener,
        pack: PolicyPack,
        *,
        counters: Counters | None = None,
        campaign: Campaign | None = None,
        rings: Mapping[str, tuple[int, float]] | None = None,
        media: MediaLimits | None = None,
    ) -> Decider:
        """A decider that reads the paused rules and (unless given) the rings the store
        holds now; events' pictures are read within ``media`` (the settings' limits;
        defaults when None) and matched against the store's hash banks."""
        return cls(
            screener,
            pack,
            counters=counters,
            campaign=campaign,
            rings=stored_ring_features(engine) if rings is None else rings,
            paused=paused_rules(engine, pack),
            media=lambda: scanner(screener, media, stored_banks(engine)),
        )

    @property
    def media(self) -> MediaScanner:
        """The scanner for events' pictures (made on first use)."""
        if self._media is None:
            self._media = self._media_factory()
        return self._media

    def screen(self, events: Sequence[Event]) -> list[list[Verdict]]:
        """The verdicts of every text and picture of every event, one list per event, in
        one batch (pictures after texts: :mod:`warden.media.scan`)."""
        owners: list[int] = []
        texts: list[str] = []
        for i, event in enumerate(events):
            for text in event.texts().values():
                owners.append(i)
                texts.append(text)
        out: list[list[Verdict]] = [[] for _ in events]
        for owner, verdict in zip(owners, self.screener.screen(texts), strict=True):
            out[owner].append(verdict)
        pictured = [i for i, event in enumerate(events) if event.images()]
        if pictured:
            scanned = self.media.scan([events[i].images() for i in pictured])
            for owner, verdicts in zip(pictured, scanned, strict=True):
                out[owner].extend(verdicts)
        return out

    def decide(
        self,
        uow: UnitOfWorkPort,
        event: Event,
        verdicts: Sequence[Verdict],
        actor: str,
        *,
        fold: bool = True,
    ) -> EventOutcome:
        """Everything a new event causes, written into ``uow`` (the caller commits).

        The caller has marked the event seen and stored the accounts it touches
        (:func:`decide_batch` does both for a whole batch in two statements); ``fold`` is
        False for an event an earlier, uncommitted attempt already folded
        (:meth:`claim_folds`)."""
        outcome = EventOutcome(event.event_id, "processed")
        touched = self.folder.fold(event, verdicts) if fold else touched_by(event)
        if isinstance(event, ProfileEvent):
            handles = [
                f"{e.kind.value}:{e.value}"
                for v in verdicts
                for e in v.entities
                if e.kind.value in CONTACT
            ]
            if handles:
                uow.accounts.add_contact_handles(event.account_id, handles, event.ts)
        source = StoredStanding(uow, self.pack)
        shown: EventEvidence | None = None
        for account in sorted(touched):
            env = self.folder.features(account, event.ts)
            decisions = self.pack.evaluate(
                env, account_id=account, at=event.ts, campaign=self.campaign
            )
            if not decisions:
                continue
            shown = shown or EventEvidence.of(event, verdicts)
            decisions = [self._with_evidence(d, shown) for d in decisions]
            outcome.decisions += len(decisions)
            result = plan_decisions(
                self.pack,
                self.campaign,
                self.paused,
                decisions,
                source.standing(account, event.ts),
                source.applied_on,
            )
            outcome.actions += apply_plan(uow, decisions, result, actor)
        return outcome

    def commit(self, uow: UnitOfWork) -> None:
        """Commit the driver's transaction, with the counters' changes when they can join it."""
        if self._transactional:
            self.counters.flush(uow.session)  # type: ignore[attr-defined]
        push = getattr(self.counters, "push", None)
        if push is not None:  # buffered writes (Redis) go out before the commit
            push()
        uow.commit()

    def rollback(self, uow: UnitOfWork) -> None:
        """Undo the transaction — and the counters' changes, where they can be undone."""
        uow.rollback()
        if self._transactional:
            self.counters.discard()  # type: ignore[attr-defined]

    def claim_folds(self, events: Sequence[Event]) -> set[str]:
        """The ids of ``events`` to fold. Counters outside the transaction fold an event at
        most once: a batch claims its folds in one round trip, and an event claimed by an
        attempt that did not commit is not folded again."""
        ids = [event.event_id for event in events]
        if not self._fold_once:
            return set(ids)
        many = getattr(self.counters, "remember_many", None)
        if many is not None:
            claimed = many("folded", ids, FOLDED_FOR)
        else:
            claimed = [self.counters.remember("folded", i, FOLDED_FOR) for i in ids]
        return {i for i, fresh in zip(ids, claimed, strict=True) if fresh}

    def _with_evidence(self, decision: Decision, shown: EventEvidence) -> Decision:
        """The triggering event, and every message the rule's account-level evidence holds."""
        categories = self.pack.content_categories(decision.rule_id)
        contributions = self.folder.contributions(decision.account_id, decision.at, categories)
        return with_event_evidence(
            with_content_evidence(decision, contributions, categories), shown
        )


#: file → (line, raw) of the records of that file already in quarantine
KnownQuarantine = dict[str, set[tuple[int | None, str | None]]]


def keep_quarantined(
    uow: UnitOfWorkPort, items: Iterable[Quarantined], known: KnownQuarantine, at: datetime
) -> int:
    """Store each bad record unless the store has it already (same file, line and raw
    text); ``known`` caches what the store holds per file. Returns how many were added."""
    added = 0
    for item in items:
        if item.file not in known:
            known[item.file] = {
                (q.line, q.raw) for q in uow.quarantine.list(file=item.file, limit=10**9)
            }
        if (item.line, item.raw) in known[item.file]:
            continue
        known[item.file].add((item.line, item.raw))
        uow.quarantine.add(
            file=item.file,
            line=item.line,
            field=item.field or None,
            value=item.value or None,
            reason=item.reason,
            raw=item.raw,
            at=at,
        )
        added += 1
    return added


def decide_batch(
    engine: Engine,
    decider: Decider,
    items: Sequence[Located | Quarantined],
    actor: str,
    known: KnownQuarantine,
    *,
    lock: AbstractContextManager[object] | None = None,
    also: Callable[[UnitOfWork, list[EventOutcome | Quarantined]], None] | None = None,
) -> list[EventOutcome | Quarantined]:
    """Decide a batch of records in one transaction: what every driver does with a batch.

    Every event is marked seen, and every account it touches stored, in one statement each
    for the batch; the bad records are kept in quarantine and the good ones decided, all
    committed together
    (with ``also``'s writes, given the outcomes — an idempotent response); screening runs
    before ``lock`` is taken, so only the writing is serialized. Returns, in input order,
    each event's outcome or the quarantined record itself."""
    located = [item for item in items if isinstance(item, Located)]
    verdicts = decider.screen([item.event for item in located])
    outcomes: dict[int, EventOutcome] = {}
    with lock if lock is not None else nullcontext(), UnitOfWork(engine) as uow:
        try:
            now = datetime.now(UTC)
            bad = [item for item in items if isinstance(item, Quarantined)]
            keep_quarantined(uow, bad, known, now)
            events = [item.event for item in located]
            fresh = uow.events_seen.mark_many(
                [(e.event_id, e.account_id, e.kind, e.ts) for e in events], now
            )
            first_seen: dict[str, datetime] = {}
            for event in events:
                if event.event_id in fresh:
                    for account in sorted(touched_by(event)):
                        first_seen.setdefault(account, event.ts)
            uow.accounts.ensure(first_seen)
            kept = {  # what reviewers will read (a second copy in the batch is a duplicate)
                item.event.event_id: (item.event, found)
                for item, found in reversed(list(zip(located, verdicts, strict=True)))
                if item.event.event_id in fresh
            }
            uow.content.keep(retained(event, found) for event, found in kept.values())
            to_fold = decider.claim_folds([e for e in events if e.event_id in fresh])
            for item, found in zip(located, verdicts, strict=True):
                event = item.event
                if event.event_id not in fresh:
                    outcomes[id(item)] = EventOutcome(event.event_id, "duplicate")
                    continue
                fresh.discard(event.event_id)  # a second copy in the batch is a duplicate
                outcome = decider.decide(uow, event, found, actor, fold=event.event_id in to_fold)
                unread = media_problems(item, found)
                if unread:
                    keep_quarantined(uow, unread, known, now)
                    outcome.media_problems = [q.reason for q in unread]
                outcomes[id(item)] = outcome
            results = [
                item if isinstance(item, Quarantined) else outcomes[id(item)] for item in items
            ]
            if also is not None:
                also(uow, results)
            decider.commit(uow)
        except BaseException:
            decider.rollback(uow)
            raise
    return results


def apply_plan(
    uow: UnitOfWorkPort, decisions: Sequence[Decision], result: Plan, actor: str
) -> list[ActionRecord]:
    """Store the decisions the plan's actions rest on (with their audit records) and execute
    the plan: the write half of every driver and of the enforcing sweep."""
    record_decisions(uow, acted_on(decisions, result), actor)
    return execute(uow, result, actor)


#: ``(day, rule id, category) → actions applied that day`` for that rule or that category
AppliedOn = Callable[[date, str | None, str | None], int]


def plan_decisions(
    pack: PolicyPack,
    campaign: Campaign | None,
    paused: frozenset[str],
    decisions: list[Decision],
    standing: Standing,
    applied_on: AppliedOn,
) -> Plan:
    """The planner with the pack's ladders, caps and the campaign's shifts wired in: the one
    way online ingestion and sweeps turn an account's decisions at a moment into a plan."""
    at = decisions[0].at
    day = at.date()

    def cap_hit(rule_id: str, category: str) -> bool:
        counts = DailyCounts(
            rules={rule_id: applied_on(day, rule_id, None)},
            categories={category: applied_on(day, None, category)},
        )
        return pack.cap_exceeded(rule_id, category, counts)

    shifts = {c: campaign.shift(c, at) for c in pack.categories} if campaign else None
    return plan(
        decisions,
        standing,
        ladder=pack.next_step,
        cap_exceeded=cap_hit,
        paused_rules=paused,
        campaign_shift=shifts,
    )


def acted_on(decisions: Sequence[Decision], result: Plan) -> list[Decision]:
    """The decisions an action rests on: the ones stored (with their audit records).

    A rule keeps firing while its condition holds — on every message of an escort's blast —
    but only a firing that leads to an action is a decision worth keeping; the rest repeat
    it (the planner's cooldown) and would bury the audit trail."""
    used = {(a.category, rule) for a in result.actions for rule in a.rule_ids}
    return [d for d in decisions if (d.category, d.rule_id) in used]


def paused_rules(engine: Engine, pack: PolicyPack) -> frozenset[str]:
    """Rules whose decided appeals were overturned too often (the policy's safety valve)."""
    decided: Counter[str] = Counter()
    overturned: Counter[str] = Counter()
    with UnitOfWork(engine) as uow:
        for case in uow.cases.list(kind=CaseKind.APPEAL):
            if (
                case.status not in (CaseStatus.OVERTURNED, CaseStatus.REJECTED)
                or case.action_id is None
            ):
                continue
            record = uow.actions.get(case.action_id)
            for rule in record.action.rule_ids if record else ():
                decided[rule] += 1
                overturned[rule] += case.status is CaseStatus.OVERTURNED
    return frozenset(rule for rule in decided if pack.rule_paused(overturned[rule], decided[rule]))


def stored_ring_features(engine: Engine) -> dict[str, tuple[int, float]]:
    """Member → (size, score) of the rings sweeps stored; the latest ring wins for an account
    found in several. This is what ``ring.*`` reads online."""
    with UnitOfWork(engine) as uow:
        rings = sorted(uow.rings.list(), key=lambda ring: (ring.found_at, ring.ring_id))
    return {member: (ring.size, ring.score) for ring in rings for member in ring.members}


@dataclass(frozen=True, slots=True)
class EventEvidence:
    """What an event shows: its id, kind and author, and what screening found in it —
    including in its pictures (the picture, the code's payload, the box a match was read
    in, the bank entry and its distance)."""

    event_id: str
    kind: str
    author: str
    matches: tuple[tuple[str, str, str], ...] = ()  # (term, category, matched text)
    entities: tuple[tuple[str, str], ...] = ()  # ("kind:value", matched text)
    media: tuple[tuple[str, str], ...] = ()  # (ref, detail) of what pictures showed

    @classmethod
    def of(cls, event: Event, verdicts: Iterable[Verdict]) -> EventEvidence:
        verdicts = list(verdicts)
        return cls(
            event.event_id,
            event.kind,
            event.account_id,
            tuple(
                (m.term, m.category, m.matched)
                for v in verdicts
                if v.media is None
                for m in v.matches[:5]
            ),
            tuple(
                (f"{e.kind.value}:{e.value}", e.matched)
                for v in verdicts
                if v.media is None
                for e in v.entities[:5]
            ),
            tuple(item for v in verdicts if v.media is not None for item in picture_evidence(v)),
        )


def with_event_evidence(decision: Decision, shown: EventEvidence) -> Decision:
    """The decision, with the event that triggered it (and, for its author, what was found)."""
    evidence = list(decision.evidence)
    evidence.append(Evidence("event", shown.event_id, f"{shown.kind} by {shown.author}"))
    if decision.account_id == shown.author:
        for term, category, matched in shown.matches:
            evidence.append(
                Evidence("match", f"{term}@{shown.event_id}", f"{category}: {matched!r}")
            )
        for entity, matched in shown.entities:
            evidence.append(Evidence("entity", entity, repr(matched)))
        for ref, detail in shown.media:
            evidence.append(Evidence("media", ref, detail))
    return dataclasses.replace(decision, evidence=tuple(evidence))


def with_content_evidence(
    decision: Decision, contributions: Iterable[Contribution], categories: Iterable[str]
) -> Decision:
    """The decision, with every message that counted towards the account-level evidence of
    ``categories`` (the ones its rule reads; :meth:`PolicyPack.content_categories`), as
    ``Evidence("content", event id, what it counted)``, oldest first."""
    wanted = set(categories)
    added = [
        Evidence("content", c.event_id, f"{c.category} {c.score:.2f}, counted {c.weight:.2f}")
        for c in contributions
        if c.category in wanted
    ]
    if not added:
        return decision
    return dataclasses.replace(decision, evidence=(*decision.evidence, *added))
