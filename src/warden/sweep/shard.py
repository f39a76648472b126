"""One shard of a sweep: screen, validate and fold the events of the accounts it owns.

This is the unit of parallel work in both engines — a local worker process runs it on its
shard, a Spark task runs it on a partition — so both give the same numbers by construction.
It replays its events in sweep order through the *online* code: the same
:class:`~warden.detect.screener.Screener`, the same
:class:`~warden.accounts.features.FeatureFolder` over in-process counters, so a feature
means exactly what it means in ``warden ingest``.

Out of a shard come plain columns (written as Parquet by the engines):

* ``features`` — one row per (event, owned account it touched): the policy environment at
  that moment, which the sweep later evaluates in bulk, and (``_content``) how many
  contributions to ``intent.*`` the account had then — its place in ``content``;
* ``content`` — every contribution to an owned account's ``intent.*``, in the order folded
  (:class:`~warden.accounts.content.ListContentLog`), read back only for the decisions
  that act;
* ``verdicts`` — per screened text field of an owned account's event: scores, what matched;
* ``links`` — (account, entity, event) for the ring graph: contact handles and group links
  in content (and in its pictures' QR codes), payees, devices, /24 IP prefixes and the
  PDQ hashes of pictures (``image:<hex>``, made canonical across near-identical pictures
  by :func:`warden.sweep.rings.canonical_images`);
* ``accounts`` — per owned account: region, signup, whether any of its content was flagged;
* ``quarantined`` — records that are not valid events (reported by the author's shard only).
"""

from __future__ import annotations

import functools
import ipaddress
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
from pydantic import ValidationError

from warden.accounts.content import ListContentLog
from warden.accounts.counters import MemoryCounters
from warden.accounts.features import FeatureFolder, content_owner
from warden.detect.screener import Screener
from warden.domain.events import (
    Event,
    LoginEvent,
    PaymentEvent,
    SignupEvent,
    parse_event,
)
from warden.domain.moments import from_micros
from warden.domain.verdicts import FLAG_THRESHOLD, EntityKind, Verdict
from warden.enforce.pictures import media_problems
from warden.io.events import Located, Quarantined, validate_record
from warden.policy.gate import Gate
from warden.sweep.table import BOOKKEEPING, shard_of

if TYPE_CHECKING:
    from warden.media.banks import BankEntry
    from warden.media.limits import MediaLimits
    from warden.media.scan import MediaScanner

SCREEN_BATCH = 2048
CONTACT_KINDS = frozenset(
    {EntityKind.PHONE, EntityKind.CHAT_HANDLE, EntityKind.QQ, EntityKind.GROUP_LINK}
)
#: account → (position of its first signup, that signup's time, its first event's time), times
#: in UTC microseconds; for every account with events in the sweep
SinceTable = Mapping[str, tuple[int | None, int | None, int]]


@dataclass(frozen=True)
class MediaJob:
    """How a shard reads events' pictures: the limits (roots, hosts, sizes), the hash banks'
    entries to match, and the banks the pack's rules read. Picklable, like the job."""

    limits: MediaLimits | None = None
    bank_entries: tuple[BankEntry, ...] = ()
    banks: tuple[str, ...] = ()

    def scanner(self, screener: Screener) -> MediaScanner:
        from warden.media.banks import BankMatcher
        from warden.media.scan import MediaScanner

        return MediaScanner(screener, self.limits, banks=BankMatcher(self.bank_entries))


@dataclass
class ShardOutput:
    """Columns produced by one shard (see the module docstring)."""

    features: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    verdicts: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    links: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    accounts: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    content: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    quarantined: list[Quarantined] = field(default_factory=list)
    events: int = 0

    def tables(self) -> dict[str, pa.Table]:
        """The columns as Arrow tables (empty tables keep their column names)."""
        out = {
            name: pa.table(dict(getattr(self, name)))
            for name in ("features", "verdicts", "links", "accounts")
        }
        out["content"] = pa.table(
            {name: pa.array(self.content.get(name, []), type) for name, type in CONTENT_SCHEMA}
        )
        out["quarantined"] = pa.Table.from_pylist(
            [q.to_dict() for q in self.quarantined], schema=QUARANTINE_SCHEMA
        )
        return out


CONTENT_SCHEMA = (
    ("account_id", pa.string()),
    ("position", pa.int64()),
    ("category", pa.string()),
    ("event_id", pa.string()),
    ("ts", pa.float64()),
    ("score", pa.float64()),
    ("weight", pa.float64()),
)
QUARANTINE_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("line", pa.int64()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)


def run_shard(
    rows: pa.Table,
    shard: int,
    shards: int,
    screener: Screener,
    categories: tuple[str, ...],
    since: SinceTable,
    progress: Callable[[int], None] | None = None,
    gate: Gate | None = None,
    media: MediaJob | None = None,
) -> ShardOutput:
    """Replay ``rows`` (this shard's routed events, in sweep order) and collect its output.

    With ``gate`` (the policy's, :mod:`warden.policy.gate`), a touched account's features
    are computed in full only when some rule could fire on them; other rows are left out of
    ``features`` — they could not have produced a decision. Events' pictures are read as
    ``media`` says (the scanner is made on the first picture)."""
    out = ShardOutput()
    replay = _Replay(since)
    # account → score.<category> → highest content score ever folded, and intent.<category>
    # → every contribution ever folded (the content log keeps that sum): upper bounds of the
    # features (a 7-day maximum, a 7-day sum), so the gate can rule them out without the
    # counters
    no_scores = {
        f"{kind}.{category}": 0.0 for kind in ("score", "intent") for category in categories
    }
    scores: defaultdict[str, dict[str, float]] = defaultdict(lambda: dict(no_scores))
    content = ListContentLog(ceilings=scores)
    media = media or MediaJob()
    scanner: MediaScanner | None = None
    folder = FeatureFolder(
        MemoryCounters(), categories, since=replay.since, content=content, banks=media.banks
    )
    where: dict[int, tuple[str, int]] = {}  # seq → (file, row), for pictures not read
    owned: dict[str, bool] = {}
    flagged: dict[str, bool] = {}
    regions: dict[str, str | None] = {}
    feature_rows: list[tuple[Any, ...]] = []  # turned into columns at the end
    feature_names: tuple[str, ...] | None = None

    def owns(account: str) -> bool:
        mine = owned.get(account)
        if mine is None:
            mine = owned[account] = shard_of(account, shards) == shard
        return mine

    for batch in _parsed(rows, shard, shards, out, where=where):
        texts: list[str] = []
        owners: list[tuple[int, str]] = []
        for index, (_, _, event) in enumerate(batch):
            for name, text in event.texts().items():
                texts.append(text)
                owners.append((index, name))
        per_event: dict[int, list[tuple[str, Verdict]]] = defaultdict(list)
        for (index, name), verdict in zip(owners, screener.screen(texts), strict=True):
            per_event[index].append((name, verdict))
        pictured = [index for index, (_, _, event) in enumerate(batch) if event.images()]
        if pictured:
            scanner = scanner or media.scanner(screener)
            scanned = scanner.scan([batch[index][2].images() for index in pictured])
            for index, verdicts in zip(pictured, scanned, strict=True):
                seq, _, event = batch[index]
                per_event[index].extend(_pictures(out, event, verdicts, where.get(seq), owns))
        for index, (seq, ts_us, event) in enumerate(batch):
            replay.seq = seq
            fields = per_event.get(index, [])
            verdicts = [v for _, v in fields]
            touched = folder.fold(event, verdicts)
            author = event.account_id
            if owns(author):
                out.events += 1
                _author_output(out, seq, ts_us, event, fields, flagged, regions)
            owner = content_owner(event)  # a payment memo is about the payee
            if fields and owns(owner):
                seen = scores[owner]
                for _, verdict in fields:
                    for category, score in verdict.categories.items():
                        name = f"score.{category}"
                        if score > seen.get(name, 0.0):
                            seen[name] = score
            for account in sorted(touched) if len(touched) > 1 else touched:
                if not owns(account):
                    continue
                if gate is not None and not gate.may_fire(
                    functools.partial(folder.feature, account, event.ts),
                    scores.get(account, no_scores),
                ):
                    continue
                env = folder.features(account, event.ts)
                if feature_names is None:
                    feature_names = ("_seq", "account_id", "event_id", "_ts_us", "_content", *env)
                feature_rows.append(
                    (seq, account, event.event_id, ts_us, content.size(account), *env.values())
                )
        if progress is not None:
            progress(len(batch))
    if feature_names is not None:
        columns = (list(column) for column in zip(*feature_rows, strict=True))
        out.features.update(zip(feature_names, columns, strict=True))
    out.content.update(content.columns(owns))
    for account in sorted(flagged.keys() | regions.keys()):
        out.accounts["account_id"].append(account)
        out.accounts["flagged"].append(flagged.get(account, False))
        out.accounts["region"].append(regions.get(account))
    return out


class _Replay:
    """Answers "how old was this other account" as online ingestion would have, at the
    replay position ``seq`` — the reporter's own events are folded on another shard."""

    def __init__(self, since: SinceTable) -> None:
        self._since = since
        self.seq = 0

    def since(self, account: str, at: datetime) -> datetime | None:
        known = self._since.get(account)
        if known is None:
            return None
        signup_seq, signup_us, first_us = known
        if signup_seq is not None and signup_us is not None and signup_seq < self.seq:
            return from_micros(signup_us)
        return from_micros(first_us)


def _pictures(
    out: ShardOutput,
    event: Event,
    verdicts: list[Verdict],
    origin: tuple[str, int] | None,
    owns: Callable[[str], bool],
) -> list[tuple[str, Verdict]]:
    """A picture's verdicts as (field, verdict) — field ``media.<source>`` — with the
    pictures that could not be read quarantined by the author's shard, as online."""
    if origin is not None and owns(event.account_id):
        out.quarantined.extend(media_problems(Located(event, *origin), verdicts))
    return [(f"media.{v.media.source if v.media else 'image'}", v) for v in verdicts]


def _author_output(
    out: ShardOutput,
    seq: int,
    ts: int,
    event: Event,
    fields: list[tuple[str, Verdict]],
    flagged: dict[str, bool],
    regions: dict[str, str | None],
) -> None:
    author = event.account_id
    flagged.setdefault(author, False)
    for name, verdict in fields:
        top = max(verdict.categories.items(), key=lambda kv: kv[1], default=("", 0.0))
        out.verdicts["_seq"].append(seq)
        out.verdicts["event_id"].append(event.event_id)
        out.verdicts["account_id"].append(author)
        out.verdicts["kind"].append(event.kind)
        out.verdicts["field"].append(name)
        out.verdicts["top_category"].append(top[0] or None)
        out.verdicts["score"].append(float(top[1]))
        out.verdicts["categories"].append(
            orjson.dumps(verdict.categories).decode() if verdict.categories else "{}"
        )
        out.verdicts["matches"].append(
            [f"{m.term}\t{m.category}\t{m.matched}" for m in verdict.matches[:5]]
        )
        out.verdicts["entities"].append(
            [f"{e.kind.value}:{e.value}\t{e.matched}" for e in verdict.entities[:5]]
        )
        if top[1] >= FLAG_THRESHOLD:
            flagged[author] = True
        for entity in verdict.entities:
            if entity.kind in CONTACT_KINDS or entity.kind is EntityKind.IMAGE:
                _link(out, author, f"{entity.kind.value}:{entity.value}", event.event_id, ts)
    if isinstance(event, PaymentEvent):
        _link(out, author, f"payee:{event.payee_id}", event.event_id, ts)
    elif isinstance(event, LoginEvent | SignupEvent):
        if event.device_id:
            _link(out, author, f"device:{event.device_id}", event.event_id, ts)
        prefix = ip_prefix(event.ip) if event.ip else None
        if prefix:
            _link(out, author, f"ip24:{prefix}", event.event_id, ts)
        if isinstance(event, SignupEvent) and event.region and author not in regions:
            regions[author] = event.region


def _link(out: ShardOutput, account: str, entity: str, event_id: str, ts: int) -> None:
    out.links["account_id"].append(account)
    out.links["entity"].append(entity)
    out.links["event_id"].append(event_id)
    out.links["_ts_us"].append(ts)


def ip_prefix(ip: str) -> str | None:
    """The /24 network of an IPv4 address (the /48 of an IPv6 one); None if not an address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    bits = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def _parsed(
    rows: pa.Table,
    shard: int,
    shards: int,
    out: ShardOutput,
    size: int = SCREEN_BATCH,
    where: dict[int, tuple[str, int]] | None = None,
) -> Iterator[list[tuple[int, int, Event]]]:
    """Valid events in batches; invalid records go to ``out.quarantined`` (author's shard).
    ``where`` learns (file, row) of every event that carries pictures."""
    names = [n for n in rows.column_names if n not in BOOKKEEPING and n not in ("_raw", "_reason")]
    for record_batch in rows.to_batches(max_chunksize=size):
        batch: list[tuple[int, int, Event]] = []
        columns = record_batch.to_pydict()
        count = record_batch.num_rows
        raws = columns.get("_raw")
        for i, values in enumerate(zip(*(columns[n] for n in names), strict=True)):
            if raws is not None and raws[i] is not None:
                continue
            data = {n: v for n, v in zip(names, values, strict=True) if v is not None}
            try:
                event = parse_event(data)
            except ValidationError:
                account = data.get("account_id")
                if isinstance(account, str) and shard_of(account, shards) != shard:
                    continue
                raw = orjson.dumps(data, default=str)[:200].decode("utf-8", "replace")
                result = validate_record(data, columns["_file"][i], columns["_row"][i], raw)
                assert isinstance(result, Quarantined)
                out.quarantined.append(result)
                continue
            batch.append((columns["_seq"][i], columns["_ts_us"][i], event))
            if where is not None and event.images():
                where[columns["_seq"][i]] = (columns["_file"][i], columns["_row"][i])
        if raws is not None:
            for i in range(count):
                if raws[i] is not None and shard == 0:
                    out.quarantined.append(
                        Quarantined(
                            columns["_file"][i],
                            columns["_row"][i],
                            "",
                            "",
                            columns["_reason"][i],
                            raws[i],
                        )
                    )
        yield batch
