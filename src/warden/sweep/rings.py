"""Ring finding: connected components of the account–entity graph, with hub guards.

Accounts are linked through entities they share (``warden.domain.rings``). Two things keep
the graph honest:

* **hub guards** — an entity used by more accounts than its kind allows is not evidence of
  working together: a café's IP prefix, a popular payee (a shop), a device in a phone
  repair shop. Such entities are dropped before components are found. The limits are per
  kind (:data:`DEFAULT_MAX_ACCOUNTS`): a contact handle shared by 60 accounts is still a
  ring (one pimp, many ads); an IP prefix shared by 60 is a café or a campus;
* **the ring score** — the share of a component's members whose own content was flagged.
  A family sharing a tablet forms a component too; its score is 0 and no rule reads it.

* **weak links count in pairs** — friends pay the same friend, families share a tablet and
  a home IP, and everyone forwards the same meme: one shared payee, device, IP prefix or
  picture links nobody; two different ones shared by the same two accounts do
  (:func:`linking`). Contact handles and group links link on their own;
* **near-identical pictures are one picture** — a re-encoded, resized or cropped copy has
  a PDQ hash a few bits away, so before anything else the ``image:`` entities are made
  canonical: hashes within 31 bits are one entity (:func:`canonical_images`).

Components are computed by the engine (SciPy locally, large-star/small-star on Spark);
everything else — guards, weak pairs, scores, evidence, ring ids — is this module's, so both
engines report the same rings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from warden.domain.rings import Ring, RingLink, ring_id_for

#: Most accounts an entity of each kind may link before it counts as a hub.
DEFAULT_MAX_ACCOUNTS: Mapping[str, int] = {
    "phone": 60,
    "chat_handle": 60,
    "qq": 60,
    "group_link": 60,
    "payee": 25,
    "image": 25,
    "device": 8,
    "ip24": 12,
}
SAMPLE_EVENTS = 3
#: Entities ordinary people share too: friends pay the same friend, families share a tablet
#: and a home IP. One of them links nobody; two different ones shared by the same two
#: accounts (a device *and* an IP prefix, a payee *and* a device) do.
WEAK_KINDS = frozenset({"payee", "device", "ip24", "image"})


@dataclass(frozen=True)
class RingSettings:
    """Hub guards and what counts as a ring worth reporting."""

    max_accounts: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_ACCOUNTS))
    min_size: int = 3  # a ring has at least this many members…
    min_score: float = 0.5  # …and at least this share of them flagged for their own content
    weak_kinds: frozenset[str] = WEAK_KINDS  # links that count only in pairs…
    weak_needed: int = 2  # …this many different ones shared by the same two accounts

    def keeps(self, entity: str, accounts: int) -> bool:
        kind = entity.split(":", 1)[0]
        return 2 <= accounts <= self.max_accounts.get(kind, 0)


@dataclass
class RingResult:
    """Rings worth reporting, plus ``(size, score)`` for every account in any component
    (what ``ring.size`` / ``ring.score`` read), and the entities the guards dropped."""

    rings: list[Ring]
    features: dict[str, tuple[int, float]]
    hubs: dict[str, int]  # dropped entity → accounts it linked


def canonical_images(links: pa.Table, threshold: int = 31) -> pa.Table:
    """``links`` with every ``image:<pdq>`` entity replaced by its group's first hash (in
    sorted order), where a group is the pictures within ``threshold`` bits of each other,
    chained (a multi-index search per distinct hash, :mod:`warden.media.index`)."""
    if links.num_rows == 0:
        return links
    entities = links.column("entity").to_pylist()
    hashes = sorted({e[6:] for e in entities if e.startswith("image:")})
    if len(hashes) < 2:
        return links
    from warden.media.index import HashIndex
    from warden.media.pdq import hash_words

    words = hash_words(hashes)
    index = HashIndex(words)
    parent = list(range(len(hashes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(hashes)):
        for j in index.search(words[i], threshold)[0].tolist():
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    canonical = {h: hashes[root(i)] for i, h in enumerate(hashes)}
    renamed = [f"image:{canonical[e[6:]]}" if e.startswith("image:") else e for e in entities]
    column = links.schema.get_field_index("entity")
    return links.set_column(column, "entity", pa.array(renamed, pa.string()))


def entity_pairs(links: pa.Table) -> pa.Table:
    """(entity, account_id) with how many events showed the pair and a few of them, plus the
    entity's account count — aggregated by DuckDB straight from the Arrow table."""
    query = f"""
        WITH pairs AS (
            SELECT entity, account_id, count(*) AS events,
                   list(event_id ORDER BY _ts_us, event_id)[1:{SAMPLE_EVENTS}] AS sample
            FROM links GROUP BY entity, account_id
        )
        SELECT entity, account_id, events, sample,
               count(*) OVER (PARTITION BY entity) AS accounts
        FROM pairs ORDER BY entity, account_id
    """
    connection = duckdb.connect()
    connection.register("links", links)
    return connection.sql(query).to_arrow_table()


def guarded(pairs: pa.Table, settings: RingSettings) -> tuple[pa.Table, dict[str, int]]:
    """The pairs whose entity passes the hub guard, and the hubs that did not."""
    entities = pairs.column("entity").to_pylist()
    accounts = pairs.column("accounts").to_pylist()
    keep = np.fromiter(
        (settings.keeps(e, n) for e, n in zip(entities, accounts, strict=True)),
        dtype=bool,
        count=len(entities),
    )
    hubs = {
        e: n for e, n, k in zip(entities, accounts, keep.tolist(), strict=True) if not k and n > 1
    }
    return pairs.filter(pa.array(keep)), hubs


def linking(pairs: pa.Table, settings: RingSettings) -> pa.Table:
    """The (account_id, entity) edges components are computed over: strong entities as they
    are; weak ones replaced by one ``pair:<a>|<b>`` node for every two accounts that share
    at least ``settings.weak_needed`` different weak entities."""
    if pairs.num_rows == 0:
        return pairs.select(["account_id", "entity"])
    weak = sorted(settings.weak_kinds)
    kinds = ", ".join(f"'{k}'" for k in weak)
    query = f"""
        WITH tagged AS (
            SELECT account_id, entity, split_part(entity, ':', 1) AS kind FROM pairs
        ),
        shared AS (
            SELECT a.account_id AS a, b.account_id AS b
            FROM tagged a JOIN tagged b
              ON a.entity = b.entity AND a.account_id < b.account_id
            WHERE a.kind IN ({kinds})
            GROUP BY a.account_id, b.account_id
            HAVING count(DISTINCT a.entity) >= {int(settings.weak_needed)}
        )
        SELECT account_id, entity FROM tagged WHERE kind NOT IN ({kinds})
        UNION ALL SELECT a, 'pair:' || a || '|' || b FROM shared
        UNION ALL SELECT b, 'pair:' || a || '|' || b FROM shared
        ORDER BY 1, 2
    """
    connection = duckdb.connect()
    connection.register("pairs", pairs.select(["account_id", "entity"]))
    return connection.sql(query).to_arrow_table()


def local_components(pairs: pa.Table) -> dict[str, int]:
    """Account → component label, over the bipartite account–entity graph (SciPy)."""
    accounts = pairs.column("account_id").to_pylist()
    entities = pairs.column("entity").to_pylist()
    index: dict[str, int] = {}
    for name in accounts:
        index.setdefault("a\0" + name, len(index))
    for name in entities:
        index.setdefault("e\0" + name, len(index))
    rows = np.array([index["a\0" + a] for a in accounts], dtype=np.int64)
    cols = np.array([index["e\0" + e] for e in entities], dtype=np.int64)
    graph = scipy.sparse.coo_matrix(
        (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(index), len(index))
    )
    _, labels = connected_components(graph, directed=False)
    return {a: int(labels[index["a\0" + a]]) for a in set(accounts)}


def assemble(
    pairs: pa.Table,
    labels: Mapping[str, int | str],
    flagged: Mapping[str, bool],
    *,
    settings: RingSettings,
    hubs: dict[str, int],
    sweep_id: str,
    found_at: datetime,
) -> RingResult:
    """Rings from component labels (any labelling: only who is with whom matters). A ring's
    evidence is every (member, entity) pair whose entity at least two members share."""
    members: dict[int | str, list[str]] = defaultdict(list)
    for account, label in labels.items():
        members[label].append(account)
    links: dict[str, list[RingLink]] = defaultdict(list)
    for entity, account, events, sample in zip(
        pairs.column("entity").to_pylist(),
        pairs.column("account_id").to_pylist(),
        pairs.column("events").to_pylist(),
        pairs.column("sample").to_pylist(),
        strict=True,
    ):
        links[account].append(RingLink(account, entity, tuple(sample), int(events)))
    rings: list[Ring] = []
    features: dict[str, tuple[int, float]] = {}
    for group in members.values():
        if len(group) < 2:
            continue
        group.sort()
        score = round(sum(flagged.get(a, False) for a in group) / len(group), 6)
        for account in group:
            features[account] = (len(group), score)
        if len(group) < settings.min_size or score < settings.min_score:
            continue
        in_ring = [link for a in group for link in sorted(links[a], key=lambda x: x.entity)]
        shared = Counter(link.entity for link in in_ring)
        evidence = tuple(link for link in in_ring if shared[link.entity] >= 2)
        rings.append(
            Ring(
                ring_id=ring_id_for(group),
                members=tuple(group),
                entities=tuple(sorted({link.entity for link in evidence})),
                score=score,
                found_at=found_at,
                sweep_id=sweep_id,
                links=evidence,
            )
        )
    rings.sort(key=lambda r: (-r.size, r.ring_id))
    return RingResult(rings, features, hubs)
