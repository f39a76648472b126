"""Running a simulation: population, then day after day of events, streamed to disk.

Memory holds the population and one day of events (plus the few events that spill into
the next day), never the whole run: each day is generated, sorted and written as its own
part before the next begins. The run is a pure function of its :class:`SimulationConfig`:
the same config writes the same bytes.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from warden.simulate import abuse, everyday
from warden.simulate.batch import sort_order
from warden.simulate.content import Copywriter, Pools
from warden.simulate.day import DayContext
from warden.simulate.evasion import Evasion
from warden.simulate.population import SEGMENTS, Population, build_population
from warden.simulate.roles import BURST_MESSAGES, CODE, DAILY_MESSAGES, ROLES, Role, is_abusive
from warden.simulate.writer import Format, PartWriter, write_manifest, write_truth

MIN_ORDINARY_RATE = 0.3  # messages a day: below this ordinary life stops looking like life


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate. ``messages_per_account`` sizes ordinary chat so that the run has
    about ``accounts × messages_per_account`` messages; abusers' volumes do not scale (they
    are tied to the thresholds of the behaviour they show)."""

    accounts: int
    days: int
    seed: int
    start: date = date(2026, 6, 1)
    format: Format = "parquet"
    messages_per_account: float = 50.0
    bad_records: int = 0
    evasion: Evasion = field(default_factory=Evasion)
    row_group_size: int = 65_536
    pictures: bool = False  # rings' ad pictures with QR codes, ordinary photos (pictures.py)

    @property
    def start_ms(self) -> int:
        moment = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        return int(moment.timestamp() * 1000)


@dataclass
class SimulationResult:
    """What a run wrote."""

    events: Counter[str]
    files: list[Path]
    roles: Counter[str]
    rings: int
    manifest: dict[str, Any]

    @property
    def total(self) -> int:
        return sum(self.events.values())


#: ``(days done, events written so far)``
Progress = Callable[[int, int], None]


def ordinary_rate(population: Population, config: SimulationConfig) -> float:
    """Messages a day per ordinary account so the run lands near the requested volume."""
    counts = role_tally(population)
    abusive = sum(counts[role] * rate for role, rate in DAILY_MESSAGES.items())
    abusive += counts[Role.COMPROMISED] * BURST_MESSAGES / config.days
    social = sum(counts[r] for r in everyday.SOCIAL)
    wanted = config.accounts * config.messages_per_account / config.days
    return max(MIN_ORDINARY_RATE, (wanted - abusive) / max(social, 1))


def simulate(
    config: SimulationConfig, out: Path, progress: Progress | None = None
) -> SimulationResult:
    """Write the simulated platform of ``config`` into ``out`` (see ``warden.simulate.writer``)."""
    population = build_population(config.accounts, config.days, config.start_ms, config.seed)
    copy = Copywriter(config.evasion)
    pools = Pools.build(random.Random(config.seed * 31 + 1))
    rate = ordinary_rate(population, config)
    writer = PartWriter(out / "events", config.format, config.row_group_size)
    album = None
    if config.pictures:
        from warden.simulate.pictures import Album

        album = Album(out / "events" / "media", config.seed)
    events: Counter[str] = Counter()
    carry: pa.Table | None = None
    for index in range(config.days):
        day = DayContext.open(index, population, config.seed, copy, pools, album)
        _generate(day, rate)
        table = day.batch.table()
        if carry is not None and carry.num_rows:
            table = pa.concat_tables([carry, table])
        order = sort_order(table)
        millis = table.column("ts").cast(pa.int64()).take(order).to_numpy()
        cut = int(np.searchsorted(millis, day.end, side="left"))
        writer.write(table, order.slice(0, cut))
        today = table.column("kind").take(order.slice(0, cut))
        carry = table.take(order.slice(cut))  # the few rows that spill into tomorrow
        del table, order
        pa.default_memory_pool().release_unused()
        for kind, count in zip(*_value_counts(today), strict=True):
            events[kind] += count
        if progress is not None:
            progress(index + 1, sum(events.values()))
    if config.bad_records:
        writer.append_bad_records(config.bad_records, config.start_ms)
    write_truth(out / "truth.parquet", truth_columns(population))
    banked = album.write_bank(out / "banks" / "porn.txt") if album is not None else 0
    roles = Counter({r.value: n for r, n in role_tally(population).items() if n})
    manifest = {
        "generator": "warden simulate",
        "seed": config.seed,
        "accounts": config.accounts,
        "days": config.days,
        "start": config.start.isoformat(),
        "format": config.format,
        "messages_per_account": config.messages_per_account,
        "evasion": {"rate": config.evasion.rate, "careful_rate": config.evasion.careful_rate},
        "bad_records": config.bad_records,
        "events": dict(sorted(events.items())),
        "events_total": sum(events.values()),
        "accounts_per_role": {role.value: roles[role.value] for role in ROLES},
        "abusive_accounts": sum(roles[r.value] for r in ROLES if is_abusive(r)),
        "rings": len(population.rings),
        "pictures": config.pictures,
        "banked_samples": banked,
        "files": [str(p.relative_to(out)) for p in writer.files],
        "truth": "truth.parquet",
    }
    write_manifest(out / "manifest.json", manifest)
    return SimulationResult(events, writer.files, roles, len(population.rings), manifest)


def role_tally(population: Population) -> Counter[Role]:
    """Accounts per role."""
    counts = np.bincount(population.role, minlength=len(ROLES)).tolist()
    return Counter(dict(zip(ROLES, counts, strict=True)))


def _generate(day: DayContext, rate: float) -> None:
    """Every event of one day, into ``day.batch``."""
    pop = day.population
    everyday.signups(day)
    social = everyday.social_accounts(day)
    posts = everyday.official_posts(day)
    everyday.chat(day, social, rate)
    everyday.photos(day, social)
    everyday.payments(day, social)
    everyday.now_and_then(day, social)
    everyday.comments(day, social, posts)
    officials = np.flatnonzero(
        np.isin(pop.role, [CODE[Role.OFFICIAL], CODE[Role.SPAMMY_OFFICIAL]])
        & (pop.signup_ms < day.start)
    )
    everyday.logins(day, np.concatenate([social, officials]))
    for role, behaviour in abuse.BEHAVIOURS.items():
        for account in pop.of_role(role).tolist():
            if not day.active(account):
                continue
            if role in abuse.UPKEEP:
                abuse.ring_upkeep(day, account)
            behaviour(day, account)


def _value_counts(kinds: pa.ChunkedArray) -> tuple[list[str], list[int]]:
    if not len(kinds):
        return [], []
    counts = pc.value_counts(kinds).to_pylist()
    return [c["values"] for c in counts], [c["counts"] for c in counts]


def truth_columns(population: Population) -> dict[str, list[Any]]:
    """The truth table's columns, one row per account (see ``docs/simulate.md``)."""
    roles = [population.role_of(a) for a in range(population.size)]
    ring_ids = [population.rings[r].ring_id if r >= 0 else None for r in population.ring.tolist()]
    return {
        "account_id": population.ids.tolist(),
        "role": [r.value for r in roles],
        "abusive": [is_abusive(r) for r in roles],
        "ring_id": ring_ids,
        "careful": population.careful.tolist(),
        "region": population.region.tolist(),
        "segment": [SEGMENTS[s] for s in population.segment.tolist()],
    }
