"""The content log: which messages counted towards an account's ``intent.<category>``.

A decision of a content rule carries every message its account-level evidence rests on
(``Evidence("content", …)``). The feature folder writes each contribution here as it folds
it; two back-ends answer "what counted in the week before ``at``":

* :class:`CountersContentLog` keeps a bounded JSON list per account and category in the
  feature counters — so it lives where the counters live (in-process, or Redis shared by
  workers) — for online ingestion, which asks only when a rule fires;
* :class:`ListContentLog` keeps plain lists in the process, for a sweep's shard, which
  cannot know which of its feature rows will fire: a row records only how many
  contributions its account had (:meth:`ListContentLog.size`), and the sweep reads the
  shard's log back (:meth:`ListContentLog.columns`) for the few decisions that act.

Both answer with the same :func:`recent` rule, so online and sweep evidence are the same.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from warden.accounts.counters import Counters

WEEK = timedelta(days=7)
KEPT = 50  # contributions kept per account and category: a week's evidence, bounded


@dataclass(frozen=True, slots=True)
class Contribution:
    """One piece of content that counted towards an account's ``intent.<category>``."""

    category: str
    event_id: str
    ts: float  # Unix seconds
    score: float
    weight: float


class ContentLog(Protocol):
    """Where the folder records contributions and the decisions read them back."""

    def add(self, account: str, item: Contribution) -> None: ...

    def recent(self, account: str, at: datetime, categories: Iterable[str]) -> list[Contribution]:
        """What counted for ``categories`` in the week up to ``at``, oldest first."""
        ...


def recent(
    items: Iterable[Contribution], at: datetime, categories: Iterable[str]
) -> list[Contribution]:
    """The items of ``categories`` in the week up to ``at`` (the last :data:`KEPT` per
    category), oldest first — the one rule both back-ends answer with."""
    wanted, end = set(categories), at.timestamp()
    since = end - WEEK.total_seconds()
    per: dict[str, list[Contribution]] = defaultdict(list)
    for item in items:
        if item.category in wanted and since < item.ts <= end:
            per[item.category].append(item)
    chosen = [item for kept in per.values() for item in kept[-KEPT:]]
    return sorted(chosen, key=lambda item: (item.ts, item.category))


class CountersContentLog:
    """Contributions in the feature counters: one JSON list per account and category."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    def add(self, account: str, item: Contribution) -> None:
        key = f"{account}:content:{item.category}"
        since = item.ts - WEEK.total_seconds()
        kept = [row for row in self._rows(key) if row[2] > since]
        kept.append([item.category, item.event_id, item.ts, item.score, item.weight])
        self.counters.put(key, json.dumps(kept[-KEPT:]))

    def recent(self, account: str, at: datetime, categories: Iterable[str]) -> list[Contribution]:
        wanted = list(categories)
        items = [
            Contribution(*row)
            for category in wanted
            for row in self._rows(f"{account}:content:{category}")
        ]
        return recent(items, at, wanted)

    def _rows(self, key: str) -> list[list[Any]]:
        stored = self.counters.get(key)
        return list(json.loads(stored)) if stored else []


#: what a contribution may weigh more than it says (its weight is kept to 4 decimals, and
#: the counters sum in another order): the slack of the bounds a ListContentLog keeps
BOUND_SLACK = 1e-4


class ListContentLog:
    """Contributions in plain lists, per account in the order folded (a sweep's shard).

    With ``ceilings``, every contribution also raises the account's ``intent.<category>``
    entry there: a running sum of everything ever folded, hence an upper bound of the
    7-day sum, which lets a sweep's gate rule a row out without asking the counters."""

    def __init__(self, ceilings: MutableMapping[str, dict[str, float]] | None = None) -> None:
        self._items: dict[str, list[Contribution]] = defaultdict(list)
        self._ceilings = ceilings

    def add(self, account: str, item: Contribution) -> None:
        self._items[account].append(item)
        if self._ceilings is not None:
            bound, name = self._ceilings[account], f"intent.{item.category}"
            bound[name] = bound.get(name, 0.0) + item.weight + BOUND_SLACK

    def recent(self, account: str, at: datetime, categories: Iterable[str]) -> list[Contribution]:
        return recent(self._items.get(account, ()), at, categories)

    def size(self, account: str) -> int:
        """How many contributions ``account`` has so far: a feature row's place in the log."""
        items = self._items.get(account)
        return len(items) if items else 0

    def columns(self, accounts: Callable[[str], bool]) -> dict[str, list[Any]]:
        """The log of the ``accounts`` (a shard's own: an event folded on two shards, a
        payment's memo, must be reported once) as columns: account, position, and the
        contribution's fields."""
        out: dict[str, list[Any]] = defaultdict(list)
        for account, items in self._items.items():
            if not accounts(account):
                continue
            for position, item in enumerate(items):
                out["account_id"].append(account)
                out["position"].append(position)
                out["category"].append(item.category)
                out["event_id"].append(item.event_id)
                out["ts"].append(item.ts)
                out["score"].append(item.score)
                out["weight"].append(item.weight)
        return out


def read_back(
    rows: Sequence[dict[str, Any]],
) -> dict[str, list[Contribution]]:
    """A sweep's log, read back from the rows of :meth:`ListContentLog.columns` (of every
    shard): account → contributions in the order folded."""
    per: dict[str, list[tuple[int, Contribution]]] = defaultdict(list)
    for row in rows:
        per[row["account_id"]].append(
            (
                row["position"],
                Contribution(
                    row["category"], row["event_id"], row["ts"], row["score"], row["weight"]
                ),
            )
        )
    return {
        account: [c for _, c in sorted(items, key=lambda x: x[0])] for account, items in per.items()
    }
