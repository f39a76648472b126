"""Who lives on the simulated platform: the roles, how many of each, and how they are grouped.

A role is what an account *is* in the ground truth (``truth.parquet``): the thing Warden's
actions are scored against. The mix follows what large messaging platforms report — about
5 % of accounts are closed for abuse in a year — with terror propagandists very rare and
ordinary people the overwhelming majority.

Abusers of the *ring roles* work in rings of 3–15 accounts that share contact handles,
devices, /24 IP prefixes and a payee (the ring's "boss", who collects the takings); that is
what the sweep's ring search must find. Some ring members are *careful*: they send little,
disguise heavily, and may only be caught through their ring.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What an account is, as the truth table names it."""

    ORDINARY = "ordinary"
    OFFICIAL = "official"
    ESCORT = "escort"
    DEPOSIT_SCAMMER = "deposit_scammer"
    PORN_SELLER = "porn_seller"
    GAMBLING_PROMOTER = "gambling_promoter"
    FRAUD = "fraud"
    SPAM_BLASTER = "spam_blaster"
    HARASSER = "harasser"
    TERROR = "terror"
    COMPROMISED = "compromised"
    SPAMMY_OFFICIAL = "spammy_official"


ROLES: tuple[Role, ...] = tuple(Role)
CODE: dict[Role, int] = {role: code for code, role in enumerate(ROLES)}

#: Share of all accounts, abusive roles first (they sum to 5 %); ordinary takes the rest.
SHARES: dict[Role, float] = {
    Role.ESCORT: 0.012,
    Role.DEPOSIT_SCAMMER: 0.006,
    Role.PORN_SELLER: 0.005,
    Role.GAMBLING_PROMOTER: 0.006,
    Role.FRAUD: 0.008,
    Role.SPAM_BLASTER: 0.006,
    Role.HARASSER: 0.003,
    Role.COMPROMISED: 0.0035,
    Role.SPAMMY_OFFICIAL: 0.0003,
    Role.TERROR: 0.0002,
    Role.OFFICIAL: 0.005,
}

#: Not abusive: nothing should be done about them.
BENIGN: frozenset[Role] = frozenset({Role.ORDINARY, Role.OFFICIAL})
#: Abusers who work in rings sharing handles, devices, IP prefixes and a payee.
RING_ROLES: frozenset[Role] = frozenset(
    {
        Role.ESCORT,
        Role.DEPOSIT_SCAMMER,
        Role.PORN_SELLER,
        Role.GAMBLING_PROMOTER,
        Role.FRAUD,
        Role.SPAM_BLASTER,
        Role.TERROR,
        Role.COMPROMISED,  # taken over by one crew: its devices and IPs link them
    }
)
#: Roles whose members may be careful (few messages, heavy disguise).
CAREFUL_ROLES: frozenset[Role] = frozenset(
    {Role.ESCORT, Role.DEPOSIT_SCAMMER, Role.PORN_SELLER, Role.GAMBLING_PROMOTER, Role.FRAUD}
)
#: Ring roles whose members send the takings to the ring's boss (the shared payee).
PAYING_ROLES: frozenset[Role] = frozenset(
    {Role.ESCORT, Role.DEPOSIT_SCAMMER, Role.PORN_SELLER, Role.GAMBLING_PROMOTER, Role.FRAUD}
)
CAREFUL_SHARE = 0.15
RING_SIZES = (3, 15)

#: Roles that need a handful of accounts to be worth simulating at all: at 500+ accounts
#: each gets at least this many, so a small run still shows every behaviour.
MIN_COUNT = dict.fromkeys(RING_ROLES, 3) | {Role.HARASSER: 1, Role.SPAMMY_OFFICIAL: 1}
MIN_COUNT[Role.TERROR] = 1
MIN_COUNT_FROM = 500

#: Messages a role sends on a day on top of ordinary chat (measured on runs; used to size
#: ordinary users' chat so a run lands near ``accounts × messages_per_account`` messages).
DAILY_MESSAGES: dict[Role, float] = {
    Role.ESCORT: 17.5,
    Role.DEPOSIT_SCAMMER: 16.0,
    Role.PORN_SELLER: 14.0,
    Role.GAMBLING_PROMOTER: 18.0,
    Role.FRAUD: 13.5,
    Role.SPAM_BLASTER: 55.0,
    Role.HARASSER: 3.5,
    Role.TERROR: 1.5,
}
#: ... and once per run: a taken-over account's burst.
BURST_MESSAGES = 150.0


def is_abusive(role: Role) -> bool:
    return role not in BENIGN


def role_counts(accounts: int) -> dict[Role, int]:
    """How many accounts of each role: shares rounded by largest remainder, so they add up."""
    exact = {role: share * accounts for role, share in SHARES.items()}
    counts = {role: int(value) for role, value in exact.items()}
    if accounts >= MIN_COUNT_FROM:
        for role, least in MIN_COUNT.items():
            counts[role] = max(counts[role], least)
    spare = round(sum(exact.values())) - sum(counts.values())
    by_remainder = sorted(exact, key=lambda r: (counts[r] - exact[r], CODE[r]))
    for role in by_remainder[: max(spare, 0)]:
        counts[role] += 1
    counts[Role.ORDINARY] = accounts - sum(counts.values())
    return {role: counts.get(role, 0) for role in ROLES}


@dataclass(frozen=True, slots=True)
class RingPlan:
    """A ring's members (account indices) and its role; ``boss`` is the shared payee."""

    ring_id: str
    role: Role
    members: tuple[int, ...]
    boss: int


def ring_sizes(count: int, draw: list[int]) -> list[int]:
    """Split ``count`` ring members into rings of 3–15 using pre-drawn sizes ``draw``.

    A remainder too small for a ring of its own joins the last ring; fewer than three
    members make no ring at all (an empty list)."""
    low, _ = RING_SIZES
    sizes: list[int] = []
    left = count
    for size in draw:
        if left < low:
            break
        take = min(size, left)
        if left - take < low:
            take = left
        sizes.append(take)
        left -= take
    if left and sizes:
        sizes[-1] += left
    return sizes
