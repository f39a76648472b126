"""The sweep: a campaign over a platform's history, from event files to actions and a report.

Steps (``docs/sweep.md`` describes them for operators):

1. **load** every event file, in replay order (:mod:`warden.sweep.table`);
2. **shards** — screen, validate and fold each account's events with the online code, in
   parallel (:mod:`warden.sweep.shard`; the engine decides how: local processes or Spark);
3. **rings** — the account–entity graph, hub guards, components, ring scores
   (:mod:`warden.sweep.rings`);
4. **policy** — every feature row evaluated in bulk (:meth:`PolicyPack.evaluate_rows`), the
   ``ring.*`` features filled in from step 3;
5. **plan** the firing rows in replay order with ladders and caps, and either keep the plan
   (``shadow``) or apply it through the executor (``enforce``; :mod:`warden.sweep.enforce`);
6. write what happened: verdicts, rings, actions and decisions as Parquet, and the impact
   report (:mod:`warden.sweep.impact`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from warden.accounts.content import Contribution, read_back, recent
from warden.domain.actions import Decision
from warden.domain.events import parse_event
from warden.domain.moments import from_micros
from warden.enforce.decide import EventEvidence, keep_quarantined, with_content_evidence
from warden.io.events import Quarantined
from warden.policy import Campaign, PolicyPack, load_pack
from warden.policy.gate import Gate
from warden.policy.pack import row_reader
from warden.store.content import retained
from warden.store.engine import insert_many_if_absent
from warden.store.interfaces import ActionRecord
from warden.store.schema import EventSeenRow
from warden.store.unit_of_work import UnitOfWork
from warden.sweep.enforce import Group, Outcome, by_group, plan_sweep
from warden.sweep.rings import (
    RingResult,
    RingSettings,
    assemble,
    canonical_images,
    entity_pairs,
    guarded,
    linking,
)
from warden.sweep.shard import MediaJob, SinceTable
from warden.sweep.table import UNPARSEABLE_TS, event_files, load_events

if TYPE_CHECKING:
    from warden.media.banks import BankEntry
    from warden.media.limits import MediaLimits

DAY_US = 86_400_000_000  # microseconds in a day
RING_NAMES = frozenset({"ring.size", "ring.score"})  # known only after the shards
SHARD_TABLES = ("features", "verdicts", "links", "accounts", "content", "quarantined")
ProgressFn = Callable[[str, int, int | None], None]  # (stage, done so far, total)


@dataclass(frozen=True)
class SweepOptions:
    """What ``warden sweep`` was asked to do."""

    events: Path
    policy: Path
    out: Path
    campaign: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    mode: Literal["shadow", "enforce"] = "shadow"
    workers: int = 2
    truth: Path | None = None
    sample: int = 25
    seed: int = 0
    rings: RingSettings = field(default_factory=RingSettings)
    #: how events' pictures are read (roots should hold the events folder) and the hash
    #: banks they are matched against (the store's, read by ``warden sweep``)
    media: MediaLimits | None = None
    bank_entries: tuple[BankEntry, ...] = ()


@dataclass(frozen=True)
class ShardJob:
    """Everything a shard worker needs, picklable (Spark ships it to its executors)."""

    policy: Path
    shards: int
    work: Path
    since: SinceTable
    categories: tuple[str, ...]
    gate: Gate | None = None  # rows no rule could fire on are not evaluated
    media: MediaJob | None = None  # how the shards read pictures (None: default limits)


class SweepEngine(Protocol):
    """How the parallel parts run: :class:`warden.sweep.local.LocalEngine` or
    :class:`warden.sweep.spark.SparkEngine`. Both call the same shard and ring code."""

    name: str

    def run_shards(self, table: pa.Table, job: ShardJob, progress: ProgressFn) -> None:
        """Run :func:`warden.sweep.shard.run_shard` for every shard; write its tables as
        ``job.work/<table>-<shard>.parquet``."""
        ...

    def components(self, pairs: pa.Table) -> dict[str, int | str]:
        """Account → component label over the (guarded) account–entity pairs."""
        ...


@dataclass
class SweepResult:
    """What a sweep found and did, with the numbers the report and the CLI show."""

    sweep_id: str
    options: SweepOptions
    pack: PolicyPack
    campaign: Campaign | None
    counts: dict[str, Any]
    rings: RingResult
    outcome: Outcome
    accounts: pa.Table  # account_id, flagged, region (every account with events)
    active_accounts: int
    timings: dict[str, float]
    since: SinceTable = field(default_factory=dict)
    impact: dict[str, Any] = field(default_factory=dict)


def run_sweep(
    options: SweepOptions,
    engine: SweepEngine,
    *,
    store: Engine | None,
    progress: ProgressFn | None = None,
) -> SweepResult:
    """Run every step; ``store`` is read for standing (and written to when enforcing)."""
    report = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    pack = load_pack(options.policy)
    campaign = pack.campaign(options.campaign) if options.campaign else None
    files = event_files(options.events)
    table = load_events(files, options.since, options.until)
    sweep_id = sweep_identity(pack, campaign, options, files, table.num_rows)
    work = options.out / "work"
    work.mkdir(parents=True, exist_ok=True)
    for stale in work.glob("*.parquet"):
        stale.unlink()
    lap("load")

    since = since_table(table)
    gate = pack.gate(campaign, unknown=RING_NAMES)
    media = MediaJob(options.media, options.bank_entries, pack.banks)
    job = ShardJob(
        options.policy, max(1, options.workers), work, since, pack.categories, gate, media
    )
    engine.run_shards(table, job, report)
    shards = {name: _read_work(work, name) for name in SHARD_TABLES}
    lap("screen_and_fold")

    found_at = datetime.now(UTC).replace(microsecond=0)
    pairs, hubs = guarded(entity_pairs(canonical_images(shards["links"])), options.rings)
    edges = linking(pairs, options.rings)
    labels = engine.components(edges) if edges.num_rows else {}
    flagged = dict(
        zip(
            shards["accounts"].column("account_id").to_pylist(),
            shards["accounts"].column("flagged").to_pylist(),
            strict=True,
        )
    )
    rings = assemble(
        pairs,
        labels,
        flagged,
        settings=options.rings,
        hubs=hubs,
        sweep_id=sweep_id,
        found_at=found_at,
    )
    lap("rings")

    groups, fired_rows, columns, places = _groups(shards["features"], pack, campaign, rings)
    lap("policy")
    logged: dict[str, list[Contribution]] | None = None

    def feature_evidence(group: Group, decision: Decision) -> Decision:
        nonlocal logged

        raw = row_reader(columns, group.row)
        with_features = replace(decision, evidence=pack.rule_evidence(decision.rule_id, raw))
        categories = pack.content_categories(decision.rule_id)
        if not categories:
            return with_features
        if logged is None:  # read once, and only when some acting decision needs it
            logged = read_back(shards["content"].to_pylist())
        upto = logged.get(decision.account_id, [])[: places[group.row]]
        return with_content_evidence(
            with_features, recent(upto, decision.at, categories), categories
        )

    evidence = _evidence_lookup(table, shards["verdicts"], {g.event_id for g in groups})
    done = 0

    def advance(step: int) -> None:
        nonlocal done
        done += step
        if done % 500 == 0 or done == len(groups):
            report("plan", done, len(groups))

    outcome = plan_sweep(
        groups,
        pack,
        campaign,
        engine=store,
        evidence=evidence,
        feature_evidence=feature_evidence,
        sweep_id=sweep_id,
        enforce=options.mode == "enforce",
        rings=rings.rings,
        progress=advance,
    )
    if options.mode == "enforce" and store is not None:
        _store_quarantine(store, shards["quarantined"])
        _record_activity(store, table, sweep_id)
        _keep_content(store, table, pack, evidence_events(outcome.records))
    lap("plan")

    counts = {
        "engine": engine.name,
        "files": len(files),
        "records": table.num_rows,
        "events": table.num_rows - shards["quarantined"].num_rows,
        "quarantined": shards["quarantined"].num_rows,
        "screened_texts": shards["verdicts"].num_rows,
        "feature_rows": shards["features"].num_rows,
        "firing_rows": fired_rows,
        "groups": len(groups),
        "decisions": len(outcome.decisions),
        "actions": len(outcome.records),
        "rings": len(rings.rings),
        "hub_entities": len(rings.hubs),
        "skipped_groups": outcome.skipped_groups,
    }
    active = _active_accounts(table)
    result = SweepResult(
        sweep_id,
        options,
        pack,
        campaign,
        counts,
        rings,
        outcome,
        shards["accounts"],
        active,
        timings,
        since,
    )
    write_outputs(result)
    lap("write")
    return result


def sweep_identity(
    pack: PolicyPack,
    campaign: Campaign | None,
    options: SweepOptions,
    files: Sequence[Path],
    records: int,
) -> str:
    """The same sweep (policy text, campaign, window, input files) has the same id — which is
    what lets a re-run recognise the groups it already applied."""
    parts = [
        pack.policy_version,
        campaign.name if campaign else "",
        options.since.isoformat() if options.since else "",
        options.until.isoformat() if options.until else "",
        str(records),
        *(f"{p.resolve()}:{p.stat().st_size}" for p in files),
    ]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=8).hexdigest()


def _dated(table: pa.Table) -> pa.Table:
    """Records with an account and a readable time (the rest will be quarantined)."""
    return table.filter(
        pc.and_(
            pc.is_valid(table.column("account_id")),
            pc.not_equal(table.column("_ts_us"), UNPARSEABLE_TS),
        )
    )


def since_table(table: pa.Table) -> dict[str, tuple[int | None, int | None, int]]:
    """For every account: position and time of its first signup, time of its first event."""
    if table.num_rows == 0 or "account_id" not in table.column_names:
        return {}
    valid = _dated(table)
    first = valid.group_by("account_id").aggregate([("_ts_us", "min")])
    out: dict[str, tuple[int | None, int | None, int]] = {
        a: (None, None, t)
        for a, t in zip(
            first.column("account_id").to_pylist(),
            first.column("_ts_us_min").to_pylist(),
            strict=True,
        )
    }
    if "kind" in valid.column_names:
        signups = valid.filter(pc.equal(valid.column("kind"), "signup"))
        grouped = signups.group_by("account_id").aggregate([("_seq", "min"), ("_ts_us", "min")])
        for account, seq, ts in zip(
            grouped.column("account_id").to_pylist(),
            grouped.column("_seq_min").to_pylist(),
            grouped.column("_ts_us_min").to_pylist(),
            strict=True,
        ):
            out[account] = (seq, ts, out[account][2])
    return out


def _groups(
    features: pa.Table, pack: PolicyPack, campaign: Campaign | None, rings: RingResult
) -> tuple[list[Group], int, dict[str, Any], list[int]]:
    """Fill ``ring.*``, evaluate every feature row, group the firing rows; also the feature
    columns and each row's place in the content log, in the rows' order (groups point into
    them)."""
    if features.num_rows == 0:
        return [], 0, {}, []
    features = features.sort_by([("_seq", "ascending"), ("account_id", "ascending")])
    accounts = features.column("account_id").to_pylist()
    columns: dict[str, Any] = {}
    for name in features.column_names:
        if name.startswith("_") or name in ("account_id", "event_id"):
            continue
        columns[name] = features.column(name).to_numpy(zero_copy_only=False)
    size = np.zeros(len(accounts))
    score = np.zeros(len(accounts))
    for i, account in enumerate(accounts):
        found = rings.features.get(account)
        if found is not None:
            size[i], score[i] = found
    columns["ring.size"], columns["ring.score"] = size, score
    micros = features.column("_ts_us").to_numpy()
    firing = pack.evaluate_rows(
        columns,
        account_ids=accounts,
        ats=Moments(micros),
        campaign=campaign,
        moments_us=micros,
        with_evidence=False,
    )
    groups = list(
        by_group(
            firing,
            features.column("_seq").to_pylist(),
            features.column("event_id").to_pylist(),
        )
    )
    return groups, len(firing), columns, features.column("_content").to_pylist()


class Moments(Sequence[datetime]):
    """Event times as datetimes, made only when asked for (most rows never are)."""

    def __init__(self, micros: Any) -> None:
        self._micros = micros
        self._values: list[int] | None = None

    def __len__(self) -> int:
        return len(self._micros)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self._values is None:
            self._values = self._micros.tolist()
        return from_micros(self._values[index])

    def __iter__(self) -> Iterator[datetime]:
        for value in self._micros.tolist():
            yield from_micros(value)


def _evidence_lookup(
    table: pa.Table, verdicts: pa.Table, event_ids: set[str]
) -> Callable[[str], EventEvidence]:
    """Event id → what the event shows, for the events that made rules fire.

    Only cheap indexes are built up front (a few hundred thousand firing events); what an
    event's verdicts found is read when asked — for the few thousand that lead to actions."""
    wanted = pa.array(sorted(event_ids), pa.string())
    heads: dict[str, tuple[str, str]] = {}
    if event_ids and "event_id" in table.column_names:
        rows = table.filter(pc.is_in(table.column("event_id"), value_set=wanted))
        for event_id, kind, author in zip(
            rows.column("event_id").to_pylist(),
            rows.column("kind").to_pylist(),
            rows.column("account_id").to_pylist(),
            strict=True,
        ):
            heads.setdefault(event_id, (kind, author))
    found = pa.table({"event_id": [], "matches": [], "entities": []})
    where: dict[str, list[int]] = {}
    if event_ids and verdicts.num_rows:
        found = verdicts.filter(pc.is_in(verdicts.column("event_id"), value_set=wanted))
        found = found.sort_by([("_seq", "ascending")]).combine_chunks()
        for index, event_id in enumerate(found.column("event_id").to_pylist()):
            where.setdefault(event_id, []).append(index)
    matches, entities = found.column("matches"), found.column("entities")
    cache: dict[str, EventEvidence] = {}

    def lookup(event_id: str) -> EventEvidence:
        if event_id not in cache:
            kind, author = heads[event_id]
            rows = where.get(event_id, [])
            cache[event_id] = EventEvidence(
                event_id,
                kind,
                author,
                tuple(tuple(m.split("\t", 2)) for i in rows for m in matches[i].as_py()),
                tuple(tuple(e.split("\t", 1)) for i in rows for e in entities[i].as_py()),
            )
        return cache[event_id]

    return lookup


def evidence_events(records: Sequence[ActionRecord]) -> set[str]:
    """The events the actions' evidence points at (messages counted, the triggering event)."""
    return {
        e.ref.rsplit("@", 1)[-1]
        for record in records
        for e in record.action.evidence
        if e.kind in ("content", "event", "match")
    }


def _keep_content(store: Engine, table: pa.Table, pack: PolicyPack, wanted: set[str]) -> int:
    """What reviewers will read (:mod:`warden.store.content`): the events an enforcing sweep's
    actions rest on, and every user report, kept as online ingestion keeps them. They are
    screened again here — a few thousand texts, with spans the shards' verdicts do not keep."""
    if table.num_rows == 0 or "event_id" not in table.column_names:
        return 0
    chosen = pc.is_in(table.column("event_id"), value_set=pa.array(sorted(wanted), pa.string()))
    if "kind" in table.column_names:
        chosen = pc.or_(chosen, pc.equal(table.column("kind"), "report"))
    rows = table.filter(pc.fill_null(chosen, False))
    names = [n for n in rows.column_names if not n.startswith("_")]
    events = []
    for row in rows.select(names).to_pylist():
        try:
            events.append(parse_event({k: v for k, v in row.items() if v is not None}))
        except ValidationError:
            continue  # quarantined by the shards already
    if not events:
        return 0
    from warden.enforce.ingest import screener_for

    screener = screener_for(pack)
    kept = 0
    for start in range(0, len(events), 1000):
        batch = events[start : start + 1000]
        texts = [text for event in batch for text in event.texts().values()]
        verdicts = iter(screener.screen(texts))
        found = [(e, [next(verdicts) for _ in e.texts()]) for e in batch]
        with UnitOfWork(store) as uow:
            kept += uow.content.keep(retained(e, v) for e, v in found)
            uow.commit()
    return kept


def _read_work(work: Path, name: str) -> pa.Table:
    parts = sorted(work.glob(f"{name}-*.parquet"))
    tables = [pq.read_table(p) for p in parts]
    tables = [t for t in tables if t.num_columns]
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="permissive")


def _active_accounts(table: pa.Table) -> int:
    """Accounts that did anything in the window (the denominator of "share actioned")."""
    if "account_id" not in table.column_names or table.num_rows == 0:
        return 0
    return int(pc.count_distinct(table.column("account_id")).as_py())


def _store_quarantine(store: Engine, quarantined: pa.Table) -> None:
    """The sweep's bad records into the store's quarantine, once (as ``warden ingest`` does)."""
    if quarantined.num_rows == 0:
        return
    with UnitOfWork(store) as uow:
        items = [Quarantined(**row) for row in quarantined.to_pylist()]
        keep_quarantined(uow, items, {}, datetime.now(UTC))
        uow.commit()


def _record_activity(store: Engine, table: pa.Table, sweep_id: str) -> None:
    """One ``events_seen`` row per account and day it was active (kind ``activity``), so the
    transparency report's *active accounts* include everyone the sweep saw — without
    marking a million events (online ingestion of them stays possible)."""
    valid = _dated(table)
    days = pc.divide(valid.column("_ts_us"), DAY_US)
    active = (
        pa.table({"account_id": valid.column("account_id"), "day": days})
        .group_by(["account_id", "day"])
        .aggregate([])
    )
    now = datetime.now(UTC)
    rows = [
        {
            "event_id": f"activity:{sweep_id}:{account}:{day}"[:128],
            "account_id": account,
            "kind": "activity",
            "ts": from_micros(day * DAY_US),
            "ingested_at": now,
        }
        for account, day in zip(
            active.column("account_id").to_pylist(), active.column("day").to_pylist(), strict=True
        )
    ]
    with Session(store) as session, session.begin():
        insert_many_if_absent(session, EventSeenRow, rows)


def write_outputs(result: SweepResult) -> None:
    """Rings, actions and decisions as Parquet, quarantined records as JSONL, a summary."""
    out = result.options.out
    rings = result.rings.rings
    pq.write_table(
        pa.table(
            {
                "ring_id": [r.ring_id for r in rings],
                "size": [r.size for r in rings],
                "score": [r.score for r in rings],
                "members": [list(r.members) for r in rings],
                "entities": [list(r.entities) for r in rings],
            },
            schema=pa.schema(
                [
                    ("ring_id", pa.string()),
                    ("size", pa.int64()),
                    ("score", pa.float64()),
                    ("members", pa.list_(pa.string())),
                    ("entities", pa.list_(pa.string())),
                ]
            ),
        ),
        out / "rings.parquet",
    )
    links = [(r.ring_id, link) for r in rings for link in r.links]
    pq.write_table(
        pa.table(
            {
                "ring_id": pa.array([r for r, _ in links], pa.string()),
                "account_id": pa.array([k.account_id for _, k in links], pa.string()),
                "entity": pa.array([k.entity for _, k in links], pa.string()),
                "events": pa.array([k.events for _, k in links], pa.int64()),
                "event_ids": pa.array([list(k.event_ids) for _, k in links], pa.list_(pa.string())),
            }
        ),
        out / "ring_links.parquet",
    )
    pq.write_table(actions_table(result.outcome), out / "actions.parquet")
    pq.write_table(decisions_table(result.outcome.decisions), out / "decisions.parquet")
    quarantined = _read_work(out / "work", "quarantined")
    with (out / "quarantined.jsonl").open("wb") as stream:
        for row in quarantined.to_pylist() if quarantined.num_rows else []:
            stream.write(orjson.dumps(row) + b"\n")
    summary = {
        "sweep_id": result.sweep_id,
        "mode": result.options.mode,
        "policy_version": result.pack.policy_version,
        "campaign": result.campaign.name if result.campaign else None,
        "counts": result.counts,
        "active_accounts": result.active_accounts,
        "timings_s": result.timings,
    }
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))


def actions_table(outcome: Outcome) -> pa.Table:
    records = outcome.records
    return pa.table(
        {
            "id": pa.array([r.id for r in records], pa.int64()),
            "account_id": pa.array([r.action.account_id for r in records], pa.string()),
            "type": pa.array([r.action.type.value for r in records], pa.string()),
            "status": pa.array([r.status.value for r in records], pa.string()),
            "category": pa.array([r.action.category for r in records], pa.string()),
            "rule_ids": pa.array([list(r.action.rule_ids) for r in records], pa.list_(pa.string())),
            "at": pa.array([r.action.at for r in records], pa.timestamp("us", "UTC")),
            "until": pa.array([r.action.until for r in records], pa.timestamp("us", "UTC")),
            "strikes_after": pa.array([r.action.strikes_after for r in records], pa.int64()),
            "needs_review": pa.array(
                [r.action.needs_review.value if r.action.needs_review else None for r in records],
                pa.string(),
            ),
            "campaign": pa.array([r.action.campaign for r in records], pa.string()),
            "reason": pa.array([r.action.reason for r in records], pa.string()),
            "evidence": pa.array(
                [orjson.dumps([e.to_dict() for e in r.action.evidence]).decode() for r in records],
                pa.string(),
            ),
        }
    )


def decisions_table(decisions: Sequence[Decision]) -> pa.Table:
    return pa.table(
        {
            "account_id": pa.array([d.account_id for d in decisions], pa.string()),
            "rule_id": pa.array([d.rule_id for d in decisions], pa.string()),
            "category": pa.array([d.category for d in decisions], pa.string()),
            "severity": pa.array([d.severity.value for d in decisions], pa.string()),
            "confidence": pa.array([d.confidence for d in decisions], pa.float64()),
            "at": pa.array([d.at for d in decisions], pa.timestamp("us", "UTC")),
            "campaign": pa.array([d.campaign for d in decisions], pa.string()),
        }
    )
