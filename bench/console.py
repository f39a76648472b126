"""Console benchmark: the moderator console's pages at scale, on PostgreSQL.

    python bench/console.py [--accounts 100000] [--events 1000000] [--requests 300]
                            [--rounds 3] [--seed 7] [--try-index SQL ...]
                            [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                            [--database warden_bench_console] [--keep] [--quick]
                            [--out bench/results/console.json]

Issue 11's target: the case page (``GET /console/cases/{id}``) answers in ≤ 100 ms of server
time at the 95th percentile with 100,000 accounts and 1,000,000 events in PostgreSQL.

1. A fresh database (``--database``, dropped first when it exists and after the run unless
   ``--keep``), migrated with :func:`warden.store.migrate`.
2. Seeded with ``COPY`` (psycopg's ``cursor.copy``), in the shape the decision path writes:

   * ``--accounts`` accounts; ``--events`` ``events_seen`` rows over 90 days, spread by a
     Zipf law (s = 0.75: the busiest account has ~14,000 of a million, the 100th ~450);
     messages, payments, friend requests, posts, comments and reports.
   * Abusers (5% of accounts, three in five drawn from the busiest tenth) write ads rendered
     from the simulator's templates (:mod:`warden.simulate.texts`, 85% Chinese) with a
     contact handle, screened by the default pack's screener; ~4.5% of events keep their
     content (``event_content``, as :func:`warden.store.content.retained` builds it: fields,
     verdicts with matches and entities and their spans), reports ~0.5%; the entities of
     kept events and the payee of every payment in ``content_entities``.
   * One or two decisions per abuser with flagged content (evidence as the decider writes
     it: feature, event, match, entity and content entries); an action per decision (warn,
     restrict, lock: applied, with their strikes), and for 2% of accounts — the busiest
     abusers among them — a close held for review with an open ``close_review`` case (a
     third of them with one review already); closed cases with two reviews; appeals.
   * Rings (0.3% of accounts, 3–30 members sharing a handle, ``ring_members.links``), the
     audit records of the decisions, actions, cases and reviews; then ``VACUUM ANALYZE``
     (a long-running database's autovacuum would have done both).
3. A reviewer (:class:`warden.console.people.People`) and a session; its cookie on a
   :class:`starlette.testclient.TestClient` over ``create_app(Service.build(engine=…))``.
4. Wall time per request, in this process (routing, the session check, every query,
   the template), one request at a time, after a warm-up: ``--requests`` case pages — case
   ids drawn at random (seeded) from the open close reviews, a tenth of them the busiest
   accounts' — then the close review queue page (a tenth as many times) and account pages
   (a sixth as many, half of them the busiest accounts'). ``--rounds`` passes, each in its
   own order; the figures are the round with the median p95 (every round's are kept, with
   the machine's busy cores during it: other tenants share the two cores).
   ``--try-index`` adds indexes after seeding, to measure a suggested fix (never in the
   committed result).
5. A profiled pass over the same case pages (a tenth of them, at least 30): time per step
   of the page (session, case file parts, render) and per SQL statement, and
   ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest statements for the busiest case account.

Prints one line; writes JSON with the figures, the sizes, the seed time, the commit and
the machine.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from provenance import commit, machine_busy, pct

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0
QUICK = {"accounts": 2_000, "events": 20_000, "requests": 50, "rounds": 1}
ZIPF = 0.75
ABUSIVE_SHARE, CASE_SHARE, RING_SHARE = 0.05, 0.02, 0.003
CONTENT_SHARE, REPORT_SHARE = 0.045, 0.005
DAYS = 90
KINDS = (("message", 0.85), ("payment", 0.05), ("friend_request", 0.04), ("post", 0.03))
KINDS += (("comment", 0.02), ("report", 0.01))
NULL = "\\N"
REVIEWER, PASSWORD = "bench_reviewer", "bench-console-password"
ROLES = {  # role → (rule, category, features the rule reads)
    "escort": (
        "escort_ad",
        "sexual_services",
        ("score.sexual_services", "entities.has_contact", "intent.sexual_services"),
    ),
    "deposit_scammer": (
        "deposit_first_escort_scam",
        "fraud",
        ("features.small_payments_after_ad_day",),
    ),
    "porn_seller": ("porn_sale", "porn", ("score.porn", "intent.porn", "entities.has_contact")),
    "gambling_promoter": (
        "gambling_promotion",
        "gambling",
        ("score.gambling", "intent.gambling", "entities.has_contact"),
    ),
    "fraud": ("fraud_content", "fraud", ("intent.fraud", "features.payers_day")),
    "spam_blaster": (
        "spam_blast",
        "spam",
        ("features.near_duplicate_recipients_hour",),
    ),
}
REPORT_REASONS = ("spam", "sexual_services", "fraud", "harassment", "gambling", "porn")


def figures(seconds: Sequence[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in seconds]
    return {
        "requests": len(ms),
        **{f"p{q}_ms": round(pct(ms, q / 100) or 0.0, 2) for q in (50, 95, 99)},
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
        "max_ms": round(max(ms), 2) if ms else None,
    }


# --- the database ------------------------------------------------------------------------


def admin_connect(url: str) -> psycopg.Connection[Any]:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname=parsed.database or "postgres",
        autocommit=True,
        connect_timeout=3,
    )


def recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    with admin_connect(admin_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


# --- the rows ----------------------------------------------------------------------------


def esc(value: str) -> str:
    """A value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def js(value: Any) -> str:
    return esc(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def ts(at: datetime | None) -> str:
    return "\\N" if at is None else at.isoformat()


def opt(value: Any) -> str:
    return "\\N" if value is None else esc(str(value))


@dataclass
class Written:
    """An ad as screened: its fields and verdicts as ``retained`` keeps them, JSON-ready."""

    fields: str
    verdicts: str
    entities: tuple[str, ...]
    matches: tuple[tuple[str, str, str], ...]  # (term, category, matched)
    categories: dict[str, float]


@dataclass
class World:
    """The seeded data set, held in memory only as far as later tables need it."""

    now: datetime
    accounts: int
    events: int
    heavy_order: list[int] = field(default_factory=list)
    abusive: dict[int, str] = field(default_factory=dict)  # account → role
    handle_of: dict[int, int] = field(default_factory=dict)  # account → handle number
    flagged: dict[int, list[tuple[str, datetime, int]]] = field(default_factory=dict)
    events_of: np.ndarray | None = None  # events per account
    open_cases: list[tuple[int, int]] = field(default_factory=list)  # (case id, account)
    sizes: dict[str, int] = field(default_factory=dict)


def account_id(i: int) -> str:
    return f"u{i}"


def screened_ads(handles: int, seed: int) -> tuple[list[str], dict[int, list[Written]]]:
    """Per handle number, two ads in its role's templates with it, screened for real."""
    from warden.domain.events import MessageEvent
    from warden.enforce.ingest import screener_for
    from warden.policy import load_pack
    from warden.policy.default import default_pack_path
    from warden.simulate.content import ADS, contact_phrase, make_handle, render
    from warden.simulate.roles import Role
    from warden.store.content import retained

    rng = random.Random(seed)
    pack = load_pack(default_pack_path())
    screener = screener_for(pack)
    roles = [rng.choice(list(ROLES)) for _ in range(handles)]
    texts: list[str] = []
    owners: list[int] = []
    for number, role in enumerate(roles):
        locale = "en" if rng.random() < 0.15 else "zh"
        handle = make_handle(Role(role), number, locale, rng)  # type: ignore[arg-type]
        zh, en = ADS[Role(role)]
        for _ in range(2):
            contact = contact_phrase(handle, locale, rng)  # type: ignore[arg-type]
            template = rng.choice(en if locale == "en" else zh)
            texts.append(render(template, rng, locale, contact))  # type: ignore[arg-type]
            owners.append(number)
    verdicts = screener.screen(texts)
    out: dict[int, list[Written]] = defaultdict(list)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for owner, body, verdict in zip(owners, texts, verdicts, strict=True):
        kept = retained(
            MessageEvent(event_id="x", account_id="x", ts=at, text=body, recipient_id="y"),
            [verdict],
        )
        if kept.content is None:
            continue
        out[owner].append(
            Written(
                js(kept.content["fields"]),
                js(kept.content["verdicts"]),
                tuple(e["entity"] for e in kept.entities),
                tuple((m.term, m.category, m.matched) for m in verdict.matches[:5]),
                dict(verdict.categories),
            )
        )
    return roles, out


class Copier:
    """COPY ... FROM STDIN in chunks of text-format lines."""

    def __init__(self, connection: psycopg.Connection[Any], advance: Callable[[int], None]):
        self.connection = connection
        self.advance = advance
        self.rows: dict[str, int] = {}

    def __call__(self, table: str, columns: str, lines: Iterator[str], chunk: int = 20_000) -> int:
        n = 0
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= chunk:
                    copy.write("\n".join(batch) + "\n")
                    n += len(batch)
                    self.advance(len(batch))
                    batch = []
            if batch:
                copy.write("\n".join(batch) + "\n")
                n += len(batch)
                self.advance(len(batch))
        self.rows[table] = self.rows.get(table, 0) + n
        return n


def seed(
    connection: psycopg.Connection[Any],
    world: World,
    seed_value: int,
    progress: Progress,
    indexes: Sequence[str] = (),
) -> dict[str, Any]:
    """Every table's rows (see the module docstring); seconds spent per part."""
    began = time.perf_counter()
    rng = random.Random(seed_value)
    nrng = np.random.default_rng(seed_value)
    n_acc, n_ev, now = world.accounts, world.events, world.now
    task = progress.add_task("seed: rows", total=None)
    copy = Copier(connection, lambda k: progress.advance(task, k))
    policy = "2026.12-1+bench"

    # who is who: account i's share of events falls as 1/(i+1)^s (u0 is the busiest)
    weights = 1.0 / np.arange(1, n_acc + 1) ** ZIPF
    event_account = nrng.choice(n_acc, size=n_ev, p=weights / weights.sum())
    world.events_of = np.bincount(event_account, minlength=n_acc)
    world.heavy_order = [int(i) for i in np.argsort(-world.events_of, kind="stable")]
    n_abusive = max(20, int(n_acc * ABUSIVE_SHARE))
    top = list(range(max(n_abusive, n_acc // 10)))
    abusive = set(rng.sample(top, int(n_abusive * 0.6)))
    rest = [i for i in range(n_acc) if i not in abusive]
    abusive |= set(rng.sample(rest, n_abusive - len(abusive)))

    # rings first: their members share one handle
    n_rings = max(3, int(n_acc * RING_SHARE))
    pool = sorted(abusive)
    rng.shuffle(pool)
    rings: list[list[int]] = []
    at = 0
    for _ in range(n_rings):
        size = min(30, 3 + int(nrng.geometric(0.18)) - 1)
        if at + size > len(pool) // 2:
            break
        rings.append(sorted(pool[at : at + size]))
        at += size
    handles = 0
    for members in rings:
        for m in members:
            world.handle_of[m] = handles
        handles += 1
    for m in pool[at:]:
        world.handle_of[m] = handles
        handles += 1
    generated = time.perf_counter()
    roles, ads = screened_ads(handles, seed_value)
    screen_seconds = time.perf_counter() - generated
    for m, h in world.handle_of.items():
        world.abusive[m] = roles[h]
    for h in range(handles):
        if not ads.get(h):  # nothing found in either ad (rare): borrow another handle's
            ads[h] = ads[(h + 1) % handles] or next(v for v in ads.values() if v)

    # events_seen: ids in time order
    spread = np.sort(nrng.random(n_ev)) * DAYS * 86400
    start = np.datetime64(now.replace(tzinfo=None) - timedelta(days=DAYS), "us")
    stamps = np.datetime_as_string(start + (spread * 1e6).astype("timedelta64[us]"), unit="us")
    ingested = np.datetime_as_string(
        start + ((spread + nrng.random(n_ev) * 2) * 1e6).astype("timedelta64[us]"), unit="us"
    )
    kind_names = [k for k, _ in KINDS]
    kinds = nrng.choice(len(KINDS), size=n_ev, p=[p for _, p in KINDS])
    base = now - timedelta(days=DAYS)

    def when(i: int) -> datetime:
        return base + timedelta(seconds=float(spread[i]))

    copy(
        "accounts",
        "id, state, restricted_capabilities, locked_until, first_seen, contact_handles, "
        "created_at, updated_at",
        (
            f"u{i}\tactive\t[]\t\\N\t{base.isoformat()}\t{contact(world, i)}\t"
            f"{base.isoformat()}\t{base.isoformat()}"
            for i in range(n_acc)
        ),
    )
    copy(
        "events_seen",
        "event_id, account_id, kind, ts, ingested_at",
        (
            f"e{i}\tu{a}\t{kind_names[k]}\t{s}+00\t{g}+00"
            for i, (a, k, s, g) in enumerate(
                zip(
                    event_account.tolist(),
                    kinds.tolist(),
                    stamps.tolist(),
                    ingested.tolist(),
                    strict=True,
                )
            )
        ),
        chunk=50_000,
    )

    # event_content: abusers' ads (nine in ten of the kept texts) and everyone's reports
    is_abusive = np.zeros(n_acc, dtype=bool)
    is_abusive[list(world.abusive)] = True
    texts = np.isin(kinds, [kind_names.index(k) for k in ("message", "post", "comment")])
    candidates = np.nonzero(texts & is_abusive[event_account])[0]
    want = min(len(candidates), int(n_ev * CONTENT_SHARE))
    chosen = np.sort(nrng.choice(candidates, size=want, replace=False))
    entity_rows: list[str] = []
    written_by_id: dict[int, Written] = {}
    audience = {"message": "private", "post": "public", "comment": "public"}

    def contents() -> Iterator[str]:
        for i in chosen.tolist():
            a = int(event_account[i])
            written = rng.choice(ads[world.handle_of[a]])
            kind = kind_names[int(kinds[i])]
            heard = audience[kind] if kind != "message" or rng.random() < 0.8 else "group"
            other = f"u{rng.randrange(n_acc)}" if heard != "public" else "\\N"
            t = f"{stamps[i]}+00"
            world.flagged.setdefault(a, []).append((f"e{i}", when(i), id(written)))
            written_by_id[id(written)] = written
            entity_rows.extend(f"{esc(e)}\tu{a}\te{i}\t{t}" for e in written.entities)
            yield f"e{i}\tu{a}\t{kind}\t{t}\t{heard}\t{other}\t{written.fields}\t{written.verdicts}"
        abusers = sorted(world.abusive)
        for i in np.nonzero(kinds == kind_names.index("report"))[0].tolist():
            target = rng.choice(abusers) if rng.random() < 0.5 else rng.randrange(n_acc)
            reason = REPORT_REASONS[rng.randrange(len(REPORT_REASONS))]
            fields = js({"reason": reason, "target_event_id": None})
            yield (
                f"e{i}\tu{int(event_account[i])}\treport\t{stamps[i]}+00\treport\tu{target}\t"
                f"{fields}\t{{}}"
            )

    columns = "event_id, account_id, kind, ts, audience, counterpart, fields, verdicts"
    copy("event_content", columns, contents())
    abusers = sorted(world.abusive)
    payments = np.nonzero(kinds == kind_names.index("payment"))[0].tolist()
    entity_rows.extend(
        f"payee:u{rng.choice(abusers) if rng.random() < 0.3 else rng.randrange(n_acc)}"
        f"\tu{int(event_account[i])}\te{i}\t{stamps[i]}+00"
        for i in payments
    )
    entity_rows.sort(key=lambda line: line.rsplit("\t", 1)[1])
    copy("content_entities", "entity, account_id, event_id, ts", iter(entity_rows))

    # decisions, actions, strikes, cases, reviews, audit
    n_cases = max(10, int(n_acc * CASE_SHARE))
    with_content = [a for a in world.heavy_order if a in world.flagged]
    busiest = with_content[: max(10, n_cases // 10)]
    others = [a for a in with_content if a not in set(busiest)]
    closing = set(busiest) | set(rng.sample(others, min(len(others), n_cases - len(busiest))))
    decisions, actions, strikes, cases, reviews, audit = [], [], [], [], [], []
    notes: list[str] = []
    action_id = case_id = 0
    chain = Chain()
    reviewers = ("li.na", "wang.wei", "zhang.min", "chen.jie", "bench_senior")
    for a in sorted(world.flagged):
        role = world.abusive.get(a, "spam_blaster")
        rule, category, features = ROLES[role]
        flagged = world.flagged[a]
        rounds = 2 if (a in closing or rng.random() < 0.2) and len(flagged) > 1 else 1
        given = 0
        for r in range(rounds):
            last = r == rounds - 1
            event_id, at, written_id = flagged[(r + 1) * len(flagged) // rounds - 1]
            written = written_by_id[written_id]
            counted = flagged[: (r + 1) * len(flagged) // rounds][-40:]
            evidence = evidence_for(features, written, event_id, a, counted, rng)
            severity = "high" if category != "spam" else "medium"
            confidence = round(max(written.categories.values(), default=0.9), 6)
            decision = {
                "account_id": f"u{a}",
                "rule_id": rule,
                "category": category,
                "severity": severity,
                "confidence": confidence,
                "at": at,
                "policy_version": policy,
                "evidence": evidence,
            }
            decisions.append(
                f"u{a}\t{rule}\t{category}\t{severity}\t{confidence}\t{ts(at)}\t{policy}\t"
                f"\\N\t{js(evidence)}\tf\t\\N"
            )
            audit.append(chain.row(at, "warden", "decision", f"u{a}", decision, js))
            closes = last and a in closing
            kind = "close" if closes else ("warn", "restrict", "lock")[min(r + given, 2)]
            status = "pending_review" if closes else "applied"
            strikes_given = 0 if closes else 1
            given += strikes_given
            capabilities = ["message_strangers", "post_public"] if kind == "restrict" else []
            until = at + timedelta(days=7) if kind in ("restrict", "lock") else None
            action_id += 1
            reason = f"{rule}: {category} ({severity})"
            actions.append(
                f"u{a}\t{kind}\t{status}\t{category}\t{js([rule])}\t{esc(reason)}\t"
                f"{js(capabilities)}\t{ts(until)}\t{policy}\t\\N\t{js(evidence)}\t"
                f"{'close_review' if closes else NULL}\t{{}}\twarden\t{ts(at)}\t"
                f"{ts(None if closes else at)}\t\\N\t\\N\t{given}\t{strikes_given}"
            )
            audit.append(
                chain.row(at, "warden", "action", f"u{a}", {"id": action_id, "type": kind}, js)
            )
            if strikes_given:
                strikes.append(f"u{a}\t{category}\t{action_id}\t1\t{ts(at)}\t\\N")
            if closes:
                case_id += 1
                opened = max(at, now - timedelta(hours=rng.uniform(0.5, 72)))
                cases.append(
                    f"close_review\topen\tu{a}\t{action_id}\t{ts(opened)}\t\\N\t{esc(reason)}"
                )
                world.open_cases.append((case_id, a))
                audit.append(chain.row(opened, "warden", "case", f"u{a}", {"case": case_id}, js))
                if rng.random() < 0.33:
                    who = rng.choice(reviewers)
                    seen = opened + timedelta(minutes=rng.uniform(5, 600))
                    reviews.append(f"{case_id}\t{who}\tapprove\tads with a handle\t{ts(seen)}")
                    audit.append(chain.row(seen, who, "review", f"u{a}", {"case": case_id}, js))
                if rng.random() < 0.1:
                    notes.append(f"{case_id}\tli.na\t同一个微信号在群里发广告\t{ts(opened)}")
            elif kind == "lock" and rng.random() < 0.3:  # an appeal, still open
                case_id += 1
                cases.append(
                    f"appeal\topen\tu{a}\t{action_id}\t{ts(now - timedelta(hours=30))}\t\\N\t"
                    "appeal: not me"
                )
            elif rng.random() < 0.15:  # a close reviewed and settled earlier
                case_id += 1
                verdict, status = rng.choice((("approve", "approved"), ("reject", "rejected")))
                cases.append(
                    f"close_review\t{status}\tu{a}\t{action_id}\t{ts(at)}\t"
                    f"{ts(at + timedelta(hours=5))}\t{esc(reason)}"
                )
                for who in rng.sample(reviewers[:4], 2):
                    reviews.append(f"{case_id}\t{who}\t{verdict}\t\t{ts(at + timedelta(hours=4))}")
    columns = (
        "account_id, rule_id, category, severity, confidence, at, policy_version, campaign, "
        "evidence, auto_close, jump_to"
    )
    copy("decisions", columns, iter(decisions))
    columns = (
        "account_id, type, status, category, rule_ids, reason, capabilities, until, "
        "policy_version, campaign, evidence, needs_review, extra, actor, created_at, "
        "applied_at, reversed_at, reversal_reason, strikes_after, strikes_given"
    )
    copy("actions", columns, iter(actions))
    copy("strikes", "account_id, category, action_id, count, given_at, removed_at", iter(strikes))
    columns = "kind, status, account_id, action_id, opened_at, closed_at, reason"
    copy("cases", columns, iter(cases))
    copy("case_reviews", "case_id, reviewer, verdict, note, at", iter(reviews))
    copy("case_notes", "case_id, author, text, at", iter(notes))

    # rings and their members' links
    ring_rows, member_rows = [], []
    for n, members in enumerate(rings):
        handle = next(iter(ads[world.handle_of[members[0]]][0].entities), f"qq:{n}")
        digest = hashlib.blake2b("\n".join(f"u{m}" for m in members).encode(), digest_size=8)
        ring_id = f"ring-{digest.hexdigest()}"
        found = now - timedelta(days=rng.uniform(0, 20))
        score = round(rng.uniform(0.7, 1.0), 3)
        ring_rows.append(
            f"{ring_id}\tsweep-{found:%Y%m%d}\t{len(members)}\t{score}\t{ts(found)}\t{js([handle])}"
        )
        for m in members:
            seen = [e for e, _, _ in world.flagged.get(m, [])]
            links = [{"entity": handle, "event_ids": seen[:5], "events": max(1, len(seen))}]
            member_rows.append(f"{ring_id}\tu{m}\t{js(links)}")
    copy("rings", "ring_id, sweep_id, size, score, found_at, entities", iter(ring_rows))
    copy("ring_members", "ring_id, account_id, links", iter(member_rows))
    columns = "seq, at, actor, kind, subject, payload, prev_hash, hash"
    copy("audit_log", columns, iter(sorted(audit, key=lambda line: int(line.split("\t", 1)[0]))))

    copied = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("decisions", "actions", "strikes", "cases", "case_notes", "content_entities",
                      "ring_members"):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1))"
            )
        for statement in indexes:  # --try-index: what an index would change
            progress.update(task, description="seed: --try-index")
            cursor.execute(statement)  # type: ignore[arg-type]
    connection.commit()
    progress.update(task, description="seed: VACUUM ANALYZE")
    connection.autocommit = True
    connection.execute("VACUUM ANALYZE")
    connection.autocommit = False
    progress.update(task, description="seed: done", total=sum(copy.rows.values()))
    world.sizes = copy.rows
    done = time.perf_counter()
    return {
        "seconds": round(done - began, 1),
        "screening_ads_seconds": round(screen_seconds, 1),
        "copy_seconds": round(copied - began - screen_seconds, 1),
        "vacuum_analyze_seconds": round(done - copied, 1),
        "rows_per_second_copied": round(
            sum(copy.rows.values()) / (copied - began - screen_seconds)
        ),
        "ads_screened": sum(len(v) for v in ads.values()),
    }


def contact(world: World, i: int) -> str:
    if i in world.handle_of and world.handle_of[i] % 3 == 0:
        return js([f"chat_handle:vip_{world.handle_of[i]:04d}"])
    return "[]"


def evidence_for(
    features: Sequence[str],
    written: Written,
    event_id: str,
    account: int,
    counted: Sequence[tuple[str, datetime, int]],
    rng: random.Random,
) -> list[dict[str, str]]:
    """Evidence as the decider writes it: features the rule read, the event, what was
    found in it (matches, entities), and every message that counted towards the category."""
    out = []
    for name in features:
        if name.startswith("entities."):
            value = "true"
        elif name.startswith("features."):
            value = str(rng.randrange(3, 400))
        else:
            value = f"{rng.uniform(0.8, 2.5):.6g}"
        out.append({"kind": "feature", "ref": name, "detail": value})
    out.append({"kind": "event", "ref": event_id, "detail": f"message by u{account}"})
    out += [
        {"kind": "match", "ref": f"{term}@{event_id}", "detail": f"{category}: {matched!r}"}
        for term, category, matched in written.matches
    ]
    out += [
        {"kind": "entity", "ref": e, "detail": repr(e.split(":", 1)[1])} for e in written.entities
    ]
    out += [
        {"kind": "content", "ref": e, "detail": f"score {rng.uniform(0.8, 1):.2f}, counted 1.00"}
        for e, _, _ in counted
    ]
    return out


class Chain:
    """Audit records: a hash chain of the rows' JSON (the shape of warden.audit's)."""

    def __init__(self) -> None:
        self.seq = 0
        self.prev = "0" * 64

    def row(
        self,
        at: datetime,
        actor: str,
        kind: str,
        subject: str,
        payload: dict[str, Any],
        dump: Callable[[Any], str],
    ) -> str:
        self.seq += 1
        body = dump(
            {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in payload.items()}
        )
        digest = hashlib.sha256(f"{self.prev}{self.seq}{body}".encode()).hexdigest()
        line = f"{self.seq}\t{ts(at)}\t{actor}\t{kind}\t{subject}\t{body}\t{self.prev}\t{digest}"
        self.prev = digest
        return line


# --- measuring ---------------------------------------------------------------------------


class Profile:
    """Time per step of a page (functions wrapped) and per SQL statement, per request."""

    #: (where the function lives, its names — the first found is timed —, the step's label)
    STEPS = (
        ("warden.console.web", ("current",), "session check"),
        ("warden.console.casefile", ("build",), "case file (all)"),
        ("warden.enforce.decide:StoredStanding", ("standing",), "standing: actions + strikes"),
        ("warden.store.content:SqlEventContent", ("get_many",), "evidence texts (get_many)"),
        ("warden.store.content:SqlEventContent", ("for_account",), "recent texts (for_account)"),
        ("warden.console.casefile", ("shown_texts",), "texts split into segments"),
        ("warden.store.rings:SqlRings", ("for_account",), "rings of the account"),
        ("warden.console.casefile", ("timeline",), "timeline"),
        ("warden.console.casefile", ("sharing",), "accounts sharing entities"),
        ("warden.console.casefile", ("_entities", "entities"), "entities"),
        ("warden.store.cases:SqlCases", ("list",), "cases.list"),
        ("warden.console.web", ("revealed_by", "_revealed"), "revealed (audit log)"),
        ("warden.console.queues", ("items",), "queue items"),
        ("warden.console.web", ("render",), "render (Jinja)"),
    )

    def __init__(self, engine: Engine) -> None:
        self.steps: dict[str, list[float]] = defaultdict(list)
        self.current: dict[str, float] = defaultdict(float)
        self.sql: dict[str, list[float]] = defaultdict(list)
        self.last_request_sql: list[tuple[str, str, Any]] = []
        self.undo: list[Callable[[], None]] = []
        self.not_found: list[str] = []
        for home, names, label in self.STEPS:
            self._wrap(home, names, label)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        self.undo.append(lambda: event.remove(engine, "before_cursor_execute", self._before))
        self.undo.append(lambda: event.remove(engine, "after_cursor_execute", self._after))

    def _wrap(self, home: str, names: Sequence[str], label: str) -> None:
        """Time calls of the function, wherever the console's modules hold it (a module
        that did ``from … import name`` has its own reference)."""
        import importlib

        module_name, _, class_name = home.partition(":")
        owner: Any = importlib.import_module(module_name)
        if class_name:
            owner = getattr(owner, class_name)
        name = next((n for n in names if hasattr(owner, n)), None)
        if name is None:
            self.not_found.append(f"{home}.{'/'.join(names)}")
            return
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[label] += time.perf_counter() - began

        holders = [owner]
        if not class_name:
            holders += [
                m
                for n, m in list(sys.modules.items())
                if n.startswith("warden.console") and m is not owner
                and getattr(m, name, None) is original
            ]  # fmt: skip
        for holder in holders:
            setattr(holder, name, timed)
            self.undo.append(functools.partial(setattr, holder, name, original))

    def _before(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, _many: bool
    ) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, _many: bool
    ) -> None:
        took = time.perf_counter() - conn.info["bench_started"].pop()
        key = re.sub(r"%\(\w+\)s(, %\(\w+\)s)+", "%(…list)s", " ".join(statement.split()))
        self.current["(SQL)"] += took
        self.current[f"sql:{key}"] += took
        self.last_request_sql.append((key, statement, params))

    def begin(self) -> None:
        self.current = defaultdict(float)
        self.last_request_sql = []

    def end(self) -> None:
        for key, seconds in self.current.items():
            if key.startswith("sql:"):
                self.sql[key[4:]].append(seconds)
            else:
                self.steps[key].append(seconds)

    def close(self) -> None:
        for undo in reversed(self.undo):
            undo()

    def report(self, requests: int) -> dict[str, Any]:
        def per_request(values: list[float]) -> dict[str, float]:
            padded = values + [0.0] * (requests - len(values))
            return {
                "mean_ms": round(statistics.fmean(padded) * 1000, 2),
                "p95_ms": round((pct(padded, 0.95) or 0.0) * 1000, 2),
            }

        steps = {label: per_request(v) for label, v in self.steps.items()}
        statements = sorted(
            ({"sql": key, "requests": len(v), **per_request(v)} for key, v in self.sql.items()),
            key=lambda s: -s["mean_ms"],
        )
        return {
            "requests": requests,
            "steps": steps,
            "statements": statements[:12],
            "steps_not_found": self.not_found,  # the console's code moved: not timed
        }


def timed_get(client: Any, url: str, expect: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    took = time.perf_counter() - began
    if response.status_code != 200 or expect not in response.text:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:300]!r}")
    return took


Page = tuple[str, str, Any]  # url, text the page must contain, what it is of


def rounds(
    client: Any, name: str, pages: list[Page], args: argparse.Namespace, progress: Progress
) -> tuple[dict[str, Any], list[Page], list[float]]:
    """``--rounds`` passes over ``pages``, each in its own seeded order, one request at a
    time. The figures are the round with the median p95 (other tenants' bursts on a shared
    machine move single rounds); every round's figures and the machine's busy cores during
    it are kept, with this process's CPU per request (client and app, not PostgreSQL)."""
    task = progress.add_task(name, total=len(pages) * args.rounds)
    done: list[tuple[list[Page], list[float], list[float], float]] = []
    for r in range(args.rounds):
        order = list(pages)
        random.Random(args.seed + 100 + r).shuffle(order)
        walls, cpus = [], []
        busy, began = machine_busy(), time.perf_counter()
        for url, expect, _ in order:
            cpu = time.process_time()
            walls.append(timed_get(client, url, expect))
            cpus.append(time.process_time() - cpu)
            progress.advance(task)
        done.append((order, walls, cpus, (machine_busy() - busy) / (time.perf_counter() - began)))
    ranked = sorted(range(len(done)), key=lambda r: pct(done[r][1], 0.95) or 0.0)
    chosen = ranked[len(ranked) // 2]
    order, walls, cpus, _ = done[chosen]
    out = figures(walls)
    out["process_cpu_p50_ms"] = round((pct(cpus, 0.5) or 0.0) * 1000, 2)
    out["process_cpu_p95_ms"] = round((pct(cpus, 0.95) or 0.0) * 1000, 2)
    out["round_reported"] = chosen + 1
    out["rounds"] = [
        {k: v for k, v in figures(w).items() if k != "requests"}
        | {"machine_busy_cores": round(b, 2)}
        for _, w, _, b in done
    ]
    out["pooled"] = figures([w for _, ws, _, _ in done for w in ws])
    return out, order, walls


def explain(engine: Engine, statements: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of statements as the console sent them (same parameters)."""
    out = []
    with engine.connect() as connection:
        for statement, params in statements:
            rows = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
            ).all()
            plan = [r[0] for r in rows]
            took = next((line for line in plan if line.startswith("Execution Time")), "")
            out.append({"sql": " ".join(statement.split()), "execution": took, "plan": plan})
            connection.rollback()
    return out


def measure(
    engine: Engine, world: World, args: argparse.Namespace, progress: Progress
) -> dict[str, Any]:
    from starlette.testclient import TestClient

    from warden.accounts.counters import MemoryCounters
    from warden.console.people import People, Role
    from warden.service.app import Service, create_app
    from warden.store.unit_of_work import UnitOfWork

    rng = random.Random(args.seed + 1)
    service = Service.build(engine=engine, counters=MemoryCounters())
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        people = People(uow.session)
        person = people.create(REVIEWER, Role.REVIEWER, PASSWORD, now)
        token, _ = people.start(person, now)
        uow.commit()

    rank = {a: r for r, a in enumerate(world.heavy_order)}
    by_weight = sorted(world.open_cases, key=lambda c: rank[c[1]])
    heavy = by_weight[: max(3, len(by_weight) // 50)]
    n = args.requests
    picked = [rng.choice(heavy) for _ in range(n // 10)]
    picked += [rng.choice(world.open_cases) for _ in range(n - len(picked))]
    rng.shuffle(picked)
    heaviest_case, heaviest_account = by_weight[0]
    accounts = [rng.choice(heavy)[1] for _ in range(max(5, n // 6) // 2)]
    accounts += [rng.randrange(world.accounts) for _ in range(max(5, n // 6) - len(accounts))]
    warm = [rng.choice(world.open_cases)[0] for _ in range(10)]
    queue_runs = max(5, n // 10)

    out: dict[str, Any] = {}
    with TestClient(create_app(service)) as client:
        client.cookies.set("warden_console", token)
        task = progress.add_task("warm-up", total=len(warm) + 4)
        for case_id in warm:
            timed_get(client, f"/console/cases/{case_id}", "case")
            progress.advance(task)
        for _ in range(2):
            timed_get(client, "/console/queues/close_review", "close_review")
            timed_get(client, f"/console/accounts/u{heaviest_account}", f"u{heaviest_account}")
            progress.advance(task, 2)

        cases = [(f"/console/cases/{c}", "case", (c, a)) for c, a in picked]
        out["case"], order, walls = rounds(client, "case pages", cases, args, progress)
        heavy_ids = {c for c, _ in heavy}
        out["case"]["busiest_accounts"] = figures(
            [s for s, (_, _, (c, _)) in zip(walls, order, strict=True) if c in heavy_ids]
        )
        slowest = sorted(zip(walls, [key for _, _, key in order], strict=True), reverse=True)
        out["case"]["slowest"] = [
            {"case": c, "account": f"u{a}", "events": int(world.events_of[a]),  # type: ignore[index]
             "kept_texts": len(world.flagged.get(a, ())), "ms": round(s * 1000, 1)}
            for s, (c, a) in slowest[:5]
        ]  # fmt: skip
        queue = [("/console/queues/close_review", "close_review", None)] * queue_runs
        out["queue"], _, _ = rounds(client, "queue page", queue, args, progress)
        out["queue"]["items"] = len(world.open_cases)
        pages = [(f"/console/accounts/u{a}", f"u{a}", a) for a in accounts]
        out["account"], _, _ = rounds(client, "account pages", pages, args, progress)

        # profiled pass: the same kinds of pages, each step and statement timed
        profile = Profile(engine)
        try:
            sample = picked[: max(30, n // 10)]
            task = progress.add_task("profile", total=len(sample) + 1 + queue_runs)
            for case_id, _ in sample:
                profile.begin()
                timed_get(client, f"/console/cases/{case_id}", "case")
                profile.end()
                progress.advance(task)
            case_profile = profile.report(len(sample))
            profile.steps.clear()
            profile.sql.clear()
            profile.begin()
            timed_get(client, f"/console/cases/{heaviest_case}", "case")
            heaviest_sql = list(profile.last_request_sql)
            profile.end()
            progress.advance(task)
            profile.steps.clear()
            profile.sql.clear()
            for _ in range(queue_runs):
                profile.begin()
                timed_get(client, "/console/queues/close_review", "close_review")
                profile.end()
                progress.advance(task)
            queue_profile = profile.report(queue_runs)
            profile.steps.clear()
            profile.sql.clear()
            for a in accounts[:10]:
                profile.begin()
                timed_get(client, f"/console/accounts/u{a}", f"u{a}")
                profile.end()
            account_profile = profile.report(min(10, len(accounts)))
        finally:
            profile.close()
    # the busiest case account's statements, slowest first, as PostgreSQL runs them
    by_key: dict[str, tuple[float, str, Any]] = {}
    for key, statement, params in heaviest_sql:
        if key not in by_key:
            by_key[key] = (0.0, statement, params)
    plans = explain(engine, [(s, p) for _, s, p in by_key.values()])
    plans.sort(key=lambda p: -float(re.sub(r"[^0-9.]", "", p["execution"]) or 0))
    out["profile"] = {
        "case": case_profile,
        "queue": queue_profile,
        "account": account_profile,
        "busiest_case": {
            "case": heaviest_case,
            "account": f"u{heaviest_account}",
            "events": int(world.events_of[heaviest_account]),  # type: ignore[index]
            "kept_texts": len(world.flagged.get(heaviest_account, ())),
            "explain": plans[:6],
        },
    }
    out["sample"] = {
        "cases": len(picked),
        "of_busiest_accounts": sum(1 for c, _ in picked if c in heavy_ids),
        "busiest_accounts_pool": len(heavy),
        "accounts": len(accounts),
        "queue_runs": queue_runs,
        "rounds": args.rounds,
        "warm_up_requests": len(warm) + 4,
    }
    service.engine.dispose()
    return out


def summary(result: dict[str, Any]) -> str:
    case, queue, account = result["case"], result["queue"], result["account"]
    met = "met" if result["target_met"] else "missed"
    return (
        f"console: case page p95 {case['p95_ms']:.1f} ms (target {TARGET_MS:.0f}: {met}) at "
        f"{result['sizes']['accounts']:,} accounts / {result['sizes']['events_seen']:,} events; "
        f"p50 {case['p50_ms']:.1f} p99 {case['p99_ms']:.1f} ms; queue ({queue['items']:,} cases) "
        f"p95 {queue['p95_ms']:.1f} ms; account p95 {account['p95_ms']:.1f} ms; "
        f"seeded in {result['seed']['seconds']:.0f} s"
        + (f" (with {len(result['indexes_tried'])} --try-index)" if result["indexes_tried"] else "")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the pages")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a server and a database to connect to while creating the bench's own",
    )  # fmt: skip
    parser.add_argument("--database", default="warden_bench_console")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--try-index", action="append", default=[], metavar="SQL",
        help="a CREATE INDEX statement run after seeding (repeatable): what would it change?",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a small run (tests use it)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "console.json")
    args = parser.parse_args()
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.database):
        parser.error(f"--database {args.database!r}: expected a plain lower-case name")
    try:
        recreate(args.postgres, args.database)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is not reachable: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    url = make_url(args.postgres).set(database=args.database).render_as_string(hide_password=False)
    for name in ("WARDEN_REDIS_URL", "WARDEN_NATS_URL"):
        os.environ.pop(name, None)
    os.environ["WARDEN_DATABASE_URL"] = url
    from warden.store import make_engine, migrate

    load_before, began, commit_at_start = os.getloadavg(), time.monotonic(), commit()
    engine = make_engine(url)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as progress:
            migrate(engine)
            world = World(datetime.now(UTC), args.accounts, args.events)
            parsed = make_url(url)
            with psycopg.connect(
                host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                password=parsed.password, dbname=args.database,
            ) as connection:  # fmt: skip
                connection.execute("SET synchronous_commit = off")
                seeded = seed(connection, world, args.seed, progress, args.try_index)
            measured = measure(engine, world, args, progress)
            with engine.connect() as connection:
                database_size = connection.execute(
                    text("SELECT pg_size_pretty(pg_database_size(current_database()))")
                ).scalar()
    finally:
        engine.dispose()
        if not args.keep:
            recreate(args.postgres, args.database, drop_only=True)
    elapsed = time.monotonic() - began
    sizes = {"accounts": args.accounts, **world.sizes, "database": database_size}
    sizes["events_per_account"] = {
        "max": int(world.events_of.max()),  # type: ignore[union-attr]
        "p99": int(np.percentile(world.events_of, 99)),
        "median": int(np.median(world.events_of)),
    }
    result = {
        "benchmark": "console",
        "target": {"case_page_p95_ms": TARGET_MS, "accounts": 100_000, "events": 1_000_000},
        "target_met": measured["case"]["p95_ms"] <= TARGET_MS,
        "case_p95_share_of_target": round(measured["case"]["p95_ms"] / TARGET_MS, 3),
        "case": measured["case"],
        "queue": measured["queue"],
        "account": measured["account"],
        "sizes": sizes,
        "seed": seeded,
        "profile": measured["profile"],
        "sample": measured["sample"],
        "method": "wall time of each GET in this process through starlette's TestClient "
        "(routing, session check, every query, the template; no network), one request at a "
        "time, after a warm-up; PostgreSQL on 127.0.0.1",
        "input": {"seed": args.seed, "quick": args.quick, "zipf_s": ZIPF},
        "indexes_tried": args.try_index,  # beyond the schema's; none in the committed run
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "note": "a shared 2-core machine: PostgreSQL, this process and other people's "
            "work ran on the same cores",
        },
        "seconds": round(elapsed, 1),
        "commit": commit(),
        "commit_at_start": commit_at_start,
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
