"""Everything a reviewer needs to decide one case, gathered in one read-only pass.

A case file holds the case and its action; the rule(s) the action rests on (description
and condition as written) and the policy version it was decided under; where the account
is on the category's ladder and what the next strike would do; the account's timeline
(events, decisions, actions, reviews); the flagged texts with each matched span marked in
the text as written (:func:`segments`); entities; the features the rule read at decision
time; the rings the account is in and the accounts it shares contacts with; notes and
verdicts so far. Every query is by an indexed account id or case id and bounded, so the page
costs the same for an account with ten events or ten thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from warden.domain.actions import ActionType, CaseKind, Evidence
from warden.domain.rings import Ring
from warden.enforce.decide import decay_days
from warden.enforce.standing import standing_at
from warden.policy import PolicyPack
from warden.policy.ladders import LadderStep
from warden.policy.rules import Rule
from warden.store.content import Content
from warden.store.interfaces import ActionRecord, Case, CaseReview
from warden.store.schema import (
    CaseNoteRow,
    ContentEntityRow,
    DecisionRow,
    EventSeenRow,
)
from warden.store.unit_of_work import UnitOfWork

TIMELINE = 150  # newest timeline entries shown
CONTENT = 60  # kept texts shown beside the evidence


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text: plain, or matched (``label`` says what matched there)."""

    text: str
    marked: bool = False
    label: str = ""


@dataclass(frozen=True, slots=True)
class Shown:
    """One kept text of one event field, split into segments, with its normalized form."""

    content: Content
    field: str
    segments: tuple[Segment, ...]
    normalized: str
    categories: dict[str, float]
    entities: tuple[dict[str, Any], ...]
    evidence: bool  # the decision rests on it
    private: bool  # a private message: blurred and revealed only on request (audited)


@dataclass(frozen=True, slots=True)
class Moment:
    at: datetime
    kind: str  # event | decision | action | review | note
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    author: str
    text: str
    at: datetime


@dataclass
class AccountFile:
    """What the console shows of an account: on its own page, and under every case of it."""

    account_state: str
    active_strikes: dict[str, int]  # per category, now
    texts: list[Shown]
    entities: list[Evidence]
    timeline: list[Moment]
    rings: list[Ring]
    sharing: list[tuple[str, str, int]]  # (entity, other account, events)
    events_total: int


@dataclass
class CaseFile(AccountFile):
    """An account file with the case on top: its action, rule, ladder, verdicts and notes."""

    case: Case
    action: ActionRecord | None
    rules: list[Rule]
    policy_version_now: str
    next_step: LadderStep | None  # what one more strike in the action's category would do
    features: list[Evidence]
    pictures: list[Evidence]  # what pictures showed: bank matches, codes, text read, boxes
    reviews: list[CaseReview]
    notes: list[Note]

    @property
    def overturn_needs_senior(self) -> bool:
        """Overturning a close (an appeal against one) is for a senior reviewer."""
        return overturn_needs_senior(self.case, self.action)


def segments(text: str, spans: Iterable[tuple[int, int, str]]) -> tuple[Segment, ...]:
    """``text`` cut at the spans' edges: overlapping spans merge into one marked run whose
    label lists what matched there. Out-of-range spans are clipped, never trusted."""
    cuts: list[tuple[int, int, str]] = sorted(
        (max(0, s), min(len(text), e), label) for s, e, label in spans if e > s
    )
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, label in cuts:
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), [*last[2], label])
        else:
            merged.append((start, end, [label]))
    out: list[Segment] = []
    at = 0
    for start, end, labels in merged:
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], True, ", ".join(dict.fromkeys(labels))))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return tuple(out)


def shown_texts(kept: Iterable[Content], evidence_ids: set[str]) -> list[Shown]:
    out = []
    for content in kept:
        for name, value in content.fields.items():
            if not isinstance(value, str) or not value:
                continue
            verdict = content.verdicts.get(name, {})
            spans = [
                (m["start"], m["end"], f"{m['category']}: {m['term']}")
                for m in verdict.get("matches", ())
            ] + [
                (e["start"], e["end"], f"{e['kind']}: {e['value']}")
                for e in verdict.get("entities", ())
            ]
            out.append(
                Shown(
                    content,
                    name,
                    segments(value, spans),
                    str(verdict.get("normalized", "")),
                    dict(verdict.get("categories", {})),
                    tuple(verdict.get("entities", ())),
                    content.event_id in evidence_ids,
                    content.audience == "private",
                )
            )
    return out


def build(uow: UnitOfWork, pack: PolicyPack, case_id: int, now: datetime) -> CaseFile | None:
    """The case file of ``case_id`` (None when there is no such case)."""
    case = uow.cases.get(case_id)
    if case is None:
        return None
    action = uow.actions.get(case.action_id) if case.action_id is not None else None
    evidence = list(action.action.evidence) if action else []
    account = account_file(uow, pack, case.account_id, now, evidence)
    rules_by_id = {r.id: r for r in pack.rules}
    rules = [rules_by_id[r] for r in (action.action.rule_ids if action else ()) if r in rules_by_id]
    next_step = None
    if action is not None and rules and action.action.category in pack.ladders:
        category = action.action.category
        active = account.active_strikes.get(category, 0)
        next_step = pack.next_step(category, active, rules[0].severity, None)
    notes = [
        Note(r.author, r.text, r.at)
        for r in uow.session.scalars(
            select(CaseNoteRow).where(CaseNoteRow.case_id == case_id).order_by(CaseNoteRow.at)
        )
    ]
    return CaseFile(
        **{f.name: getattr(account, f.name) for f in fields(AccountFile)},
        case=case,
        action=action,
        rules=rules,
        policy_version_now=pack.policy_version,
        next_step=next_step,
        features=[e for e in evidence if e.kind == "feature"],
        pictures=[e for e in evidence if e.kind == "media"],
        reviews=list(uow.cases.reviews_for(case_id)),
        notes=notes,
    )


def account_file(
    uow: UnitOfWork,
    pack: PolicyPack,
    account_id: str,
    now: datetime,
    evidence: Sequence[Evidence] = (),
) -> AccountFile:
    """The account's part of a page; ``evidence`` (a case's) comes first among its texts
    and entities."""
    evidence_ids = {
        e.ref.rsplit("@", 1)[-1] for e in evidence if e.kind in ("content", "event", "match")
    }
    records = uow.actions.list(account_id=account_id)  # read once: standing and timeline
    standing = standing_at(
        account_id, records, uow.strikes.given(account_id), decay_days(pack), now
    )
    kept = uow.content.get_many(evidence_ids)
    recent = [c for c in uow.content.for_account(account_id, CONTENT) if c.event_id not in kept]
    texts = shown_texts(
        sorted(kept.values(), key=lambda c: c.ts) + sorted(recent, key=lambda c: c.ts),
        evidence_ids,
    )
    events_total = uow.session.scalar(
        select(func.count()).select_from(EventSeenRow).where(EventSeenRow.account_id == account_id)
    )
    return AccountFile(
        account_state=standing.state,
        active_strikes=dict(standing.active_strikes),
        texts=texts,
        entities=_entities(evidence, uow, account_id),
        timeline=timeline(uow, account_id, records),
        rings=uow.rings.for_account(account_id),
        sharing=sharing(uow, account_id),
        events_total=int(events_total or 0),
    )


def _entities(evidence: Sequence[Evidence], uow: UnitOfWork, account_id: str) -> list[Evidence]:
    out = {e.ref: e for e in evidence if e.kind == "entity"}
    account = uow.accounts.get(account_id)
    for handle in account.contact_handles if account is not None else ():
        out.setdefault(handle, Evidence("entity", handle, "in the profile"))
    return list(out.values())


def timeline(
    uow: UnitOfWork, account_id: str, records: Sequence[ActionRecord], limit: int = TIMELINE
) -> list[Moment]:
    """The account's newest events, decisions and actions (``records``), newest first."""
    session = uow.session
    moments: list[Moment] = []
    events = session.execute(
        select(EventSeenRow.ts, EventSeenRow.kind, EventSeenRow.event_id)
        .where(EventSeenRow.account_id == account_id)
        .order_by(EventSeenRow.ts.desc())
        .limit(limit)
    )
    moments += [Moment(ts, "event", f"{kind} {event_id}") for ts, kind, event_id in events]
    decisions = session.execute(
        select(DecisionRow.at, DecisionRow.rule_id, DecisionRow.category, DecisionRow.severity)
        .where(DecisionRow.account_id == account_id)
        .order_by(DecisionRow.at.desc())
        .limit(limit)
    )
    moments += [
        Moment(at, "decision", f"{rule} ({category}, {severity})")
        for at, rule, category, severity in decisions
    ]
    for record in records[-limit:]:
        a = record.action
        moments.append(
            Moment(
                record.created_at,
                "action",
                f"#{record.id} {a.type.value} · {a.category} · {record.status.value}",
            )
        )
        if record.reversed_at is not None:
            moments.append(
                Moment(
                    record.reversed_at, "action", f"#{record.id} reversed: {record.reversal_reason}"
                )
            )
    moments.sort(key=lambda m: m.at, reverse=True)
    return moments[:limit]


def sharing(uow: UnitOfWork, account_id: str, limit: int = 30) -> list[tuple[str, str, int]]:
    """Other accounts whose events show a contact detail or payee this account's do."""
    session = uow.session
    mine = (
        select(ContentEntityRow.entity)
        .where(ContentEntityRow.account_id == account_id)
        .distinct()
        .limit(50)
        .scalar_subquery()
    )
    statement = (
        select(ContentEntityRow.entity, ContentEntityRow.account_id, func.count())
        .where(ContentEntityRow.entity.in_(mine), ContentEntityRow.account_id != account_id)
        .group_by(ContentEntityRow.entity, ContentEntityRow.account_id)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(e, a, int(n)) for e, a, n in session.execute(statement)]


def overturn_needs_senior(case: Case, action: ActionRecord | None) -> bool:
    """Overturning a close (an appeal against one) is for a senior reviewer."""
    return (
        case.kind is CaseKind.APPEAL
        and action is not None
        and action.action.type is ActionType.CLOSE
    )
