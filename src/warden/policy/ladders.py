"""Strike ladders: how repeated findings in one category escalate, and how strikes fade.

Each finding adds strikes by severity (``strikes``); strikes count for ``decay_days`` after
they were given; the number still counting picks the ladder's step (``warn`` → ``restrict``
capabilities → ``lock`` for N days → ``close``). Both functions here are pure so the planner
gives the same answer online and in a sweep; reading a ladder from YAML lives here too, so
the rules a ladder must obey are stated next to the code that relies on them:

* the first step is ``at: 1`` — every strike leads to some action (a warning is the record);
* ``at`` strictly increases and no step is milder than the one before it;
* ``restrict`` names capabilities; ``lock`` has ``days``; ``warn`` and ``close`` have neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from warden.domain.actions import ActionType, Capability, Severity
from warden.policy.yaml_source import Entry

DEFAULT_STRIKES: Mapping[Severity, int] = {
    Severity.LOW: 1,
    Severity.MEDIUM: 1,
    Severity.HIGH: 2,
    Severity.CRITICAL: 3,
}


@dataclass(frozen=True, slots=True)
class LadderRung:
    """One step of a ladder: from ``at`` active strikes on, take ``action``."""

    at: int
    action: ActionType
    capabilities: tuple[Capability, ...] = ()
    days: int | None = None


@dataclass(frozen=True, slots=True)
class Ladder:
    """One category's ladder."""

    strikes: Mapping[Severity, int]
    decay_days: int
    steps: tuple[LadderRung, ...]

    def first(self, action: ActionType) -> LadderRung | None:
        """The mildest rung with ``action`` (what a ``jump_to`` lands on)."""
        return next((s for s in self.steps if s.action is action), None)


class LadderStep(NamedTuple):
    """Where the ladder leads: ``(action, capabilities, days or None, strikes_after)``."""

    action: ActionType
    capabilities: tuple[Capability, ...]
    days: int | None
    strikes_after: int


def next_step(
    ladder: Ladder,
    active_strikes_before: int,
    severity: Severity,
    jump_to: ActionType | None,
    shift: int = 0,
) -> LadderStep:
    """The action a new finding leads to.

    Adds the severity's strikes, takes the highest rung whose ``at`` is at most the new count,
    moves ``shift`` rungs further up (a campaign's steeper ladder; capped at the top rung), and
    then honours ``jump_to``: if the rule may jump to a harsher action than the ladder gives,
    the mildest rung with that action is used instead. ``jump_to`` never makes it milder.
    """
    after = active_strikes_before + ladder.strikes[severity]
    reached = max(i for i, rung in enumerate(ladder.steps) if rung.at <= max(after, 1))
    rung = ladder.steps[min(reached + max(shift, 0), len(ladder.steps) - 1)]
    if jump_to is not None and jump_to.rank > rung.action.rank:
        rung = ladder.first(jump_to) or LadderRung(rung.at, jump_to)
    return LadderStep(rung.action, rung.capabilities, rung.days, after)


def active_strikes(strike_times: Sequence[datetime], now: datetime, decay_days: int) -> int:
    """How many strikes still count at ``now``: given at or before it, less than N days ago.

    One entry per strike: a ``high`` finding worth two strikes appears twice.
    """
    return strikes_in_force(((1, given) for given in strike_times), now, decay_days)


def strikes_in_force(given: Iterable[tuple[int, datetime]], now: datetime, decay_days: int) -> int:
    """The one decay rule: ``(count, given at)`` strikes that still count at ``now`` — given
    at or before it and less than ``decay_days`` ago. The store, online standing and the
    sweep's in-memory book all count with this."""
    window = timedelta(days=decay_days)
    return sum(count for count, at in given if at <= now < at + window)


# --- reading a ladder ----------------------------------------------------------------------


def read_ladder(entry: Entry) -> Ladder:
    """A ladder from its YAML mapping (see the module docstring for what is checked)."""
    fields = entry.fields(required=("decay_days", "steps"), optional=("strikes",))
    strikes: Mapping[Severity, int] = DEFAULT_STRIKES
    if "strikes" in fields:
        given = fields["strikes"].fields(required=[s.value for s in Severity])
        strikes = {Severity(k): v.integer(1) for k, v in given.items()}
    steps = tuple(_read_rung(item) for item in fields["steps"].items())
    if not steps:
        raise fields["steps"].error("steps must list at least one step")
    if steps[0].at != 1:
        raise fields["steps"].error("the first step must be at: 1 (every strike leads somewhere)")
    items = fields["steps"].items()
    for item, before, rung in zip(items[1:], steps[:-1], steps[1:], strict=True):
        if rung.at <= before.at:
            raise item.error(
                f"steps out of order: at: {rung.at} comes after at: {before.at}; "
                "list steps by increasing strike count"
            )
        if rung.action.rank < before.action.rank:
            raise item.error(
                f"steps out of order: {rung.action.value} at {rung.at} is milder than "
                f"{before.action.value} at {before.at}"
            )
    return Ladder(strikes, fields["decay_days"].integer(1), steps)


def _read_rung(item: Entry) -> LadderRung:
    fields = item.fields(required=("at", "action"), optional=("capabilities", "days"))
    action = ActionType(fields["action"].choice(a.value for a in ActionType))
    capabilities: tuple[Capability, ...] = ()
    if "capabilities" in fields:
        if action is not ActionType.RESTRICT:
            raise fields["capabilities"].error(f"capabilities apply to restrict, not {action}")
        capabilities = tuple(
            Capability(c.choice(v.value for v in Capability))
            for c in fields["capabilities"].items()
        )
    if action is ActionType.RESTRICT and not capabilities:
        raise item.error("a restrict step must list the capabilities it takes away")
    days = fields["days"].integer(1) if "days" in fields else None
    if days is not None and action in (ActionType.WARN, ActionType.CLOSE):
        raise fields["days"].error(f"days apply to restrict and lock, not {action}")
    if action is ActionType.LOCK and days is None:
        raise item.error("a lock step must say for how many days")
    return LadderRung(fields["at"].integer(1), action, capabilities, days)
