"""Running ``warden simulate --texts``: the labelled platform built, then written to disk.

The behaviour lives in :mod:`warden.simulate.labelled_platform`; this module writes what it
built in the layout of every simulation (``events/part-*`` one per day, ``truth.parquet``,
``manifest.json``), so ``warden sweep --truth`` and ``warden ingest`` read it unchanged. The
manifest also says, per role, how many texts there were, how many were dealt and how often
the most used one repeated — a benchmark reports that next to its figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warden.simulate.batch import sort_order
from warden.simulate.labelled import LabelledTexts
from warden.simulate.labelled_platform import (
    REPORTED_ROLES,
    Builder,
    LabelledConfig,
    role_counts,
)
from warden.simulate.simulator import SimulationResult
from warden.simulate.writer import PartWriter, write_manifest, write_truth

#: ``(days written, events written so far)``
Progress = Callable[[int, int], None]


def simulate_labelled(
    config: LabelledConfig, texts: LabelledTexts, out: Path, progress: Progress | None = None
) -> SimulationResult:
    """Build the platform of ``config`` from ``texts`` and write it into ``out`` (the layout
    of ``warden simulate``: ``events/part-*``, ``truth.parquet``, ``manifest.json``)."""
    counts = role_counts(config, texts)
    builder = Builder(config, texts)
    builder.populate(counts)
    builder.connect()
    builder.everyday()
    builder.victims(builder.abuse())
    writer = PartWriter(out / "events", config.format, config.row_group_size)
    events: Counter[str] = Counter()
    for index, batch in enumerate(builder.batches):
        table = batch.table()
        writer.write(table, sort_order(table))
        events.update(table.column("kind").to_pylist())
        if progress is not None:
            progress(index + 1, sum(events.values()))
    writer.append_bad_records(config.bad_records, config.start_ms)
    accounts = builder.accounts
    write_truth(
        out / "truth.parquet",
        {
            "account_id": [a.id for a in accounts],
            "role": [a.role for a in accounts],
            "abusive": [a.abusive for a in accounts],
            "ring_id": [None] * len(accounts),
            "careful": [False] * len(accounts),
            "region": [a.region for a in accounts],
            "segment": ["new" if a.new else "established" for a in accounts],
        },
    )
    manifest = _manifest(config, texts, builder, counts, events, writer.files, out)
    write_manifest(out / "manifest.json", manifest)
    roles = Counter({role: n for role, n in counts.items() if n})
    return SimulationResult(events, writer.files, roles, 0, manifest)


def _manifest(
    config: LabelledConfig,
    texts: LabelledTexts,
    builder: Builder,
    counts: dict[str, int],
    events: Counter[str],
    files: list[Path],
    out: Path,
) -> dict[str, Any]:
    roles: dict[str, Any] = {}
    for name, role in texts.roles.items():
        decks = [deck for (r, _), deck in builder.decks.items() if r == name]
        roles[name] = {
            "abusive": role.abusive,
            "texts": role.count,
            "distinct_texts": role.distinct(),
            "texts_by_locale": {k: len(v) for k, v in sorted(role.texts.items())},
            "accounts": counts.get(name, 0),
            "messages_by_accounts": builder.messages[name],
            "texts_dealt": sum(d.dealt for d in decks),
            "most_uses_of_a_text": max((d.uses for d in decks), default=0),
        }
    return {
        "generator": "warden simulate --texts",
        "seed": config.seed,
        "accounts": config.accounts,
        "abusive_accounts": sum(1 for a in builder.accounts if a.abusive),
        "days": config.days,
        "start": config.start.isoformat(),
        "format": config.format,
        "messages_per_account": config.messages_per_account,
        "bad_records": config.bad_records,
        "texts": texts.files,
        "roles": roles,
        "reported_roles": sorted(REPORTED_ROLES & set(texts.roles)),
        "events": dict(sorted(events.items())),
        "events_total": sum(events.values()),
        "accounts_per_role": dict(sorted(counts.items())),
        "rings": 0,
        "files": [str(p.relative_to(out)) for p in files],
        "truth": "truth.parquet",
    }
