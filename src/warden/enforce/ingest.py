"""Online ingestion: event → screen → fold → policy → plan → apply, one transaction per event.

:class:`Ingestor` is the decision core's driver. For each event, in file order:

1. mark its ``event_id`` as seen — if it was seen before, stop: re-ingesting a file changes
   nothing (the mark is in the same transaction as everything the event causes);
2. screen its content (texts are screened a chunk of events at a time, for speed);
3. fold it into the features of every account it touches (the sender; the payee of a
   payment; the target of a report);
4. evaluate the policy pack (and the campaign, if one is given) for each touched account;
5. plan actions against the account's standing and apply them with the executor;
6. commit.

Records that are not valid events are quarantined with file, line, field, value and reason;
the summary's counts add up: ``read == processed + duplicates + quarantined``.

Counters (features) live outside the database: in-process counters last one run, so use
Redis (``WARDEN_REDIS_URL``) when state must survive between runs or be shared by workers.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from warden.accounts.content import Contribution
from warden.accounts.counters import Counters, MemoryCounters
from warden.accounts.features import FeatureFolder
from warden.detect.screener import Screener
from warden.detect.standard import resolve_models
from warden.domain.actions import ActionStatus, ActionType, CaseKind, CaseStatus, Decision, Evidence
from warden.domain.events import Event, ProfileEvent
from warden.domain.verdicts import Verdict
from warden.enforce.executor import execute, record_decisions
from warden.enforce.planner import Plan, Standing, plan
from warden.enforce.standing import InForce, status_at
from warden.io.events import Located, Quarantined
from warden.policy import Campaign, DailyCounts, PolicyPack
from warden.settings import get_settings
from warden.store.interfaces import ActionRecord, UnitOfWorkPort
from warden.store.unit_of_work import UnitOfWork

CHUNK = 256
CONTACT = ("phone", "chat_handle", "qq")


@dataclass
class IngestSummary:
    """What an ingestion did; ``read == processed + duplicates + quarantined``."""

    read: int = 0
    processed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    decisions: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    held_for_review: int = 0

    @property
    def adds_up(self) -> bool:
        return self.read == self.processed + self.duplicates + self.quarantined


class Ingestor:
    """Drives events through screening, features, policy, planning and the store."""

    def __init__(
        self,
        engine: Engine,
        screener: Screener,
        pack: PolicyPack,
        *,
        counters: Counters | None = None,
        campaign: Campaign | None = None,
        actor: str = "warden",
        rings: Mapping[str, tuple[int, float]] | None = None,
    ) -> None:
        """``rings`` (member → ring size, score) are the rings found by the last sweep; the
        ``ring.*`` features read them."""
        self.engine = engine
        self.screener = screener
        self.pack = pack
        self.folder = FeatureFolder(counters or MemoryCounters(), pack.categories, rings=rings)
        self.campaign = campaign
        self.actor = actor
        self.paused_rules = paused_rules(engine, pack)
        self._quarantined: KnownQuarantine = {}

    def ingest(
        self, items: Iterable[Located | Quarantined], progress: Callable[[int], None] | None = None
    ) -> IngestSummary:
        summary = IngestSummary()
        for chunk in _chunks(items, CHUNK):
            verdicts = self._screen(chunk)
            for item in chunk:
                summary.read += 1
                if isinstance(item, Quarantined):
                    self._quarantine(item)
                    summary.quarantined += 1
                    continue
                self._one(item, verdicts.get(item.event.event_id, []), summary)
            if progress is not None:
                progress(len(chunk))
        return summary

    def _screen(self, chunk: list[Located | Quarantined]) -> dict[str, list[Verdict]]:
        owners: list[str] = []
        texts: list[str] = []
        for item in chunk:
            if isinstance(item, Located):
                for text in item.event.texts().values():
                    owners.append(item.event.event_id)
                    texts.append(text)
        out: dict[str, list[Verdict]] = {}
        for owner, verdict in zip(owners, self.screener.screen(texts), strict=True):
            out.setdefault(owner, []).append(verdict)
        return out

    def _quarantine(self, item: Quarantined) -> None:
        """Keep a bad record — once: re-ingesting the file must not quarantine it again."""
        with UnitOfWork(self.engine) as uow:
            keep_quarantined(uow, [item], self._quarantined, datetime.now(UTC))
            uow.commit()

    def _one(self, item: Located, verdicts: list[Verdict], summary: IngestSummary) -> None:
        event = item.event
        with UnitOfWork(self.engine) as uow:
            if not uow.events_seen.mark(
                event.event_id, event.account_id, event.kind, event.ts, datetime.now(UTC)
            ):
                summary.duplicates += 1
                uow.commit()
                return
            touched = self.folder.fold(event, verdicts)
            uow.accounts.get_or_create(event.account_id, event.ts)
            if isinstance(event, ProfileEvent):
                handles = [
                    f"{e.kind.value}:{e.value}"
                    for v in verdicts
                    for e in v.entities
                    if e.kind.value in CONTACT
                ]
                if handles:
                    uow.accounts.add_contact_handles(event.account_id, handles, event.ts)
            for account in sorted(touched):
                uow.accounts.get_or_create(account, event.ts)
                env = self.folder.features(account, event.ts)
                decisions = self.pack.evaluate(
                    env, account_id=account, at=event.ts, campaign=self.campaign
                )
                if not decisions:
                    continue
                shown = EventEvidence.of(event, verdicts)
                decisions = [self._with_evidence(d, shown) for d in decisions]
                summary.decisions += len(decisions)
                result = self._plan(uow, decisions, account, event.ts)
                record_decisions(uow, acted_on(decisions, result), self.actor)
                for record in execute(uow, result, self.actor):
                    summary.actions[record.action.type.value] += 1
                    summary.held_for_review += record.status is ActionStatus.PENDING_REVIEW
            summary.processed += 1
            uow.commit()

    def _with_evidence(self, decision: Decision, shown: EventEvidence) -> Decision:
        """The triggering event, and every message the rule's account-level evidence holds."""
        categories = self.pack.content_categories(decision.rule_id)
        contributions = self.folder.contributions(decision.account_id, decision.at, categories)
        return with_event_evidence(
            with_content_evidence(decision, contributions, categories), shown
        )

    def _plan(
        self, uow: UnitOfWorkPort, decisions: list[Decision], account: str, at: datetime
    ) -> Plan:
        standing = load_standing(uow, self.pack, account, {d.category for d in decisions}, at)

        def applied_on(day: date, rule_id: str | None, category: str | None) -> int:
            return uow.actions.count_today(
                day, rule_id=rule_id, category=category, statuses=[ActionStatus.APPLIED]
            )

        return plan_decisions(
            self.pack, self.campaign, self.paused_rules, decisions, standing, applied_on
        )


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


def acted_on(decisions: Sequence[Decision], result: Plan) -> list[Decision]:
    """The decisions an action rests on: the ones stored (with their audit records).

    A rule keeps firing while its condition holds — on every message of an escort's blast —
    but only a firing that leads to an action is a decision worth keeping; the rest repeat
    it (the planner's cooldown) and would bury the audit trail."""
    used = {(a.category, rule) for a in result.actions for rule in a.rule_ids}
    return [d for d in decisions if (d.category, d.rule_id) in used]


def load_standing(
    uow: UnitOfWorkPort, pack: PolicyPack, account: str, categories: set[str], at: datetime
) -> Standing:
    """Where ``account`` stands now: applied actions, active strikes, last strike per rule."""
    return standing_from(
        account,
        uow.actions.list(account_id=account),
        {
            category: uow.strikes.active_for(
                account, category, at, pack.ladders[category].decay_days
            )
            for category in categories
        },
        at,
    )


def standing_from(
    account: str, records: Sequence[ActionRecord], strikes: Mapping[str, int], at: datetime
) -> Standing:
    """The planner's view of an account from its action records and active strikes (by
    category) — whether they come from the store or from a sweep's in-memory book."""
    applied = [r for r in records if r.status is ActionStatus.APPLIED]
    status = status_at(
        [InForce(r.action.type, r.action.capabilities, r.action.until) for r in applied], at
    )
    last: dict[str, datetime] = {}
    for record in records:
        if record.status in (ActionStatus.APPLIED, ActionStatus.PENDING_REVIEW):
            for rule in record.action.rule_ids:
                last[rule] = max(last.get(rule, record.action.at), record.action.at)
    close_pending = any(
        r.status is ActionStatus.PENDING_REVIEW and r.action.type is ActionType.CLOSE
        for r in records
    )
    return Standing(
        account_id=account,
        state=status.state,
        locked_until=status.locked_until,
        restricted=status.restricted,
        restricted_until=status.restricted_until,
        active_strikes=dict(strikes),
        last_struck=last,
        close_pending=close_pending,
    )


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


@dataclass(frozen=True, slots=True)
class EventEvidence:
    """What an event shows: its id, kind and author, and what screening found in it."""

    event_id: str
    kind: str
    author: str
    matches: tuple[tuple[str, str, str], ...] = ()  # (term, category, matched text)
    entities: tuple[tuple[str, str], ...] = ()  # ("kind:value", matched text)

    @classmethod
    def of(cls, event: Event, verdicts: Iterable[Verdict]) -> EventEvidence:
        verdicts = list(verdicts)
        return cls(
            event.event_id,
            event.kind,
            event.account_id,
            tuple((m.term, m.category, m.matched) for v in verdicts for m in v.matches[:5]),
            tuple(
                (f"{e.kind.value}:{e.value}", e.matched) for v in verdicts for e in v.entities[:5]
            ),
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


def _chunks(
    items: Iterable[Located | Quarantined], size: int
) -> Iterator[list[Located | Quarantined]]:
    chunk: list[Located | Quarantined] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def screener_for(pack: PolicyPack, models_dir: Path | None = None) -> Screener:
    """The screener a policy pack asks for: its lexicons, catalogs and models.

    ``standard`` in the pack's models is the standard detector set in ``models_dir``
    (default: the settings' ``WARDEN_MODELS_DIR``); see :mod:`warden.detect.standard`."""
    lexicons = pack.lexicons
    if models_dir is None:
        models_dir = get_settings().models_path
    models = resolve_models(pack.models, models_dir, pack.path.parent)
    return Screener.from_lexicons(
        lexicons.extra, defaults=lexicons.defaults, catalogs=lexicons.catalogs, models=models
    )


def stored_ring_features(engine: Engine) -> dict[str, tuple[int, float]]:
    """Member → (size, score) of the rings sweeps stored; the latest ring wins for an account
    found in several. This is what ``ring.*`` reads online."""
    with UnitOfWork(engine) as uow:
        rings = sorted(uow.rings.list(), key=lambda ring: (ring.found_at, ring.ring_id))
    return {member: (ring.size, ring.score) for ring in rings for member in ring.members}
