"""Campaigns: a named, time-boxed overlay that makes the policy stricter for some categories.

A crackdown ("Thunder strike: sexual services and fraud, from June 9, for 90 days") does not
edit the pack's rules; it overlays them while it runs:

* ``threshold_scale`` (0 < s ≤ 1) lowers the content-score thresholds of the rules whose
  category the campaign covers, by rewriting the rule's parsed condition
  (:func:`scale_thresholds`), never its text;
* ``ladder_shift`` moves accounts that many rungs up the ladder of a covered category;
* ``mode`` ``shadow`` asks the engines to compute the impact and act on nothing; ``enforce``
  acts.

A campaign lives inline in a pack or in its own file (``policies/campaigns/<name>.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warden.policy.errors import PolicyError
from warden.policy.syntax import Comparison, Logical, Name, Node, Number
from warden.policy.yaml_source import Entry, compose

MODES = ("enforce", "shadow")
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")  # also its file name: campaigns/<name>.yaml


@dataclass(frozen=True, slots=True)
class Campaign:
    """One campaign; ``start`` ≤ t < ``end`` is when it is active (both aware, UTC if unsaid)."""

    name: str
    start: datetime
    end: datetime
    categories: frozenset[str]
    threshold_scale: float = 1.0
    ladder_shift: int = 0
    mode: str = "enforce"
    title: str = ""

    def active(self, at: datetime) -> bool:
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        return self.start <= at < self.end

    def covers(self, category: str, at: datetime) -> bool:
        """True when the campaign is active at ``at`` and applies to ``category``."""
        return category in self.categories and self.active(at)

    def shift(self, category: str, at: datetime) -> int:
        """The ladder shift for ``category`` at ``at`` (0 outside the campaign)."""
        return self.ladder_shift if self.covers(category, at) else 0


#: the names whose thresholds a campaign scales: content scores and the evidence they add to
SCALED = ("score.", "intent.")


def scale_thresholds(node: Node, factor: float) -> Node:
    """A condition with its content-score thresholds multiplied by ``factor``.

    Touched: comparisons ``score.X >= N``, ``score.X > N``, ``N <= score.X`` and
    ``N < score.X`` where ``score.X`` is a bare name and ``N`` a number literal (and the same
    with the account-level evidence ``intent.X``), found by
    descending only through ``and`` and ``or``. Everything else is left as written: other
    names, ``<``/``==``/``!=`` comparisons, thresholds on arithmetic (``score.a + score.b
    >= 1``), and anything under ``not`` (lowering a threshold there would make the rule
    fire *less*, the opposite of what a campaign is for). The product is rounded to 12
    significant digits.
    """
    match node:
        case Logical(left=left, right=right):
            return replace(
                node, left=scale_thresholds(left, factor), right=scale_thresholds(right, factor)
            )
        case Comparison(op=">=" | ">", left=Name(name=name), right=Number(value=value) as limit):
            if name.startswith(SCALED):
                return replace(node, right=replace(limit, value=_scaled(value, factor)))
        case Comparison(op="<=" | "<", left=Number(value=value) as limit, right=Name(name=name)):
            if name.startswith(SCALED):
                return replace(node, left=replace(limit, value=_scaled(value, factor)))
    return node


def _scaled(threshold: float, factor: float) -> float:
    """``threshold × factor`` to 12 significant digits: 0.8 × 0.8 is 0.64, as an author means,
    not 0.6400000000000001 (which a score of exactly 0.64 would fail)."""
    return float(f"{threshold * factor:.12g}")


def read_campaign(entry: Entry, categories: Iterable[str]) -> Campaign:
    """A campaign from its YAML mapping, checked against the pack's ``categories``."""
    entry = entry.within(f"campaign {entry.peek('name')!r}" if entry.peek("name") else "campaign")
    fields = entry.fields(
        required=("name", "start", "categories"),
        optional=("end", "days", "title", "threshold_scale", "ladder_shift", "mode"),
    )
    name = fields["name"].text()
    if not NAME.match(name):
        raise fields["name"].error(f"campaign name {name!r} must match [a-z0-9][a-z0-9_-]*")
    start = fields["start"].moment()
    if ("end" in fields) == ("days" in fields):
        raise entry.error("give exactly one of end (a date) and days (a length)")
    if "end" in fields:
        end = fields["end"].moment()
        if end <= start:
            raise fields["end"].error(
                f"end {end.isoformat()} is not after start {start.isoformat()}"
            )
    else:
        end = start + timedelta(days=fields["days"].integer(1))
    known = set(categories)
    covered: set[str] = set()
    for item in fields["categories"].items():
        category = item.text()
        if category not in known:
            raise item.error(
                f"unknown category {category!r}; the pack's categories are {', '.join(sorted(known))}"
            )
        covered.add(category)
    if not covered:
        raise fields["categories"].error("categories must name at least one category")
    return Campaign(
        name=name,
        start=start,
        end=end,
        categories=frozenset(covered),
        threshold_scale=(
            fields["threshold_scale"].number(0.0, 1.0, low_open=True)
            if "threshold_scale" in fields
            else 1.0
        ),
        ladder_shift=fields["ladder_shift"].integer(0) if "ladder_shift" in fields else 0,
        mode=fields["mode"].choice(MODES) if "mode" in fields else "enforce",
        title=fields["title"].text() if "title" in fields else "",
    )


def load_campaign(path: Path | str, categories: Iterable[str]) -> Campaign:
    """Read and check a campaign file (``policies/campaigns/<name>.yaml``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read campaign file: {exc.strerror}") from exc
    return campaign_from_bytes(path, data, categories)


def campaign_from_bytes(path: Path, data: bytes, categories: Iterable[str]) -> Campaign:
    """A campaign from a file's bytes already read (the pack hashes the same bytes)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    return read_campaign(compose(path, text), categories)
