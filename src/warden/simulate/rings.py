"""Rings: abusers who work together, and what they share that gives them away.

The accounts of each ring role are cut into rings of 3–15 (``roles.ring_sizes``). A ring
gets 1–2 contact handles, a pool of devices (one per four members), /24 prefixes from
hosting ranges (one per six members, so no prefix carries more than a dozen accounts and
reads as a hub) and a boss — the first member — to whom the others hand the takings. Its
members mostly live in the boss's region and write in its language.

Non-careful members sign up and log in from the ring's devices and prefixes; careful ones
keep their own phone and home network and share only the handle (and the boss).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from warden.simulate.addresses import HOSTING_OCTETS, draw_prefixes, hex_ids, prefix_text
from warden.simulate.content import LOCALES, Handle, Locale, make_handle
from warden.simulate.roles import (
    CAREFUL_ROLES,
    CAREFUL_SHARE,
    CODE,
    RING_ROLES,
    RING_SIZES,
    RingPlan,
    Role,
    ring_sizes,
)


@dataclass
class Ring:
    """A ring as the simulator runs it: members, boss (shared payee) and shared entities."""

    ring_id: str
    role: Role
    members: tuple[int, ...]
    boss: int
    locale: Locale
    handles: tuple[Handle, ...]
    devices: tuple[str, ...]
    prefixes: tuple[str, ...]  # "45.12.7": a /24 the ring's logins come from


def build_rings(
    rng: np.random.Generator,
    prng: random.Random,
    roles: npt.NDArray[np.int8],
    region: npt.NDArray[np.object_],
    locale: npt.NDArray[np.int8],
    careful: npt.NDArray[np.bool_],
    ring: npt.NDArray[np.int32],
    device: npt.NDArray[np.object_],
    ip: npt.NDArray[np.object_],
) -> list[Ring]:
    """Group each ring role's accounts into rings; give each ring its handles, devices, /24s.

    Non-careful members log in from the ring's devices and /24s (their own "device" and
    "ip" are overwritten); careful ones keep their own and share only the ring's handle."""
    rings: list[Ring] = []
    plans: list[RingPlan] = []
    for role in sorted(RING_ROLES, key=lambda r: CODE[r]):
        members = np.flatnonzero(roles == CODE[role])
        draw = [int(v) for v in rng.integers(RING_SIZES[0], RING_SIZES[1] + 1, size=len(members))]
        at = 0
        for size in ring_sizes(len(members), draw):
            chosen = tuple(int(m) for m in members[at : at + size])
            at += size
            plans.append(RingPlan(f"ring-{len(plans) + 1:04d}", role, chosen, chosen[0]))
    # one /24 per six members or so (a prefix used by a dozen accounts reads as a hub),
    # all drawn at once so no two rings share one by chance
    prefix_counts = [max(1, -(-len(plan.members) // 6)) for plan in plans]
    all_prefixes = [
        prefix_text(p) for p in draw_prefixes(rng, HOSTING_OCTETS, sum(prefix_counts)).tolist()
    ]
    firsts = np.cumsum([0, *prefix_counts]).tolist()
    for number, plan in enumerate(plans, start=1):
        members = np.array(plan.members)
        ring[members] = number - 1
        home = region[plan.boss]
        region[members[rng.random(len(members)) < 0.8]] = home  # rings are mostly local
        ring_locale: Locale = LOCALES[int(locale[plan.boss])]
        locale[members] = LOCALES.index(ring_locale)
        if plan.role in CAREFUL_ROLES:
            careful[members[1:]] = rng.random(len(members) - 1) < CAREFUL_SHARE
        handles = tuple(
            make_handle(plan.role, number * 10 + k, ring_locale, prng)
            for k in range(prng.randint(1, 2))
        )
        devices = tuple(hex_ids(rng, max(1, len(members) // 4), "d").tolist())
        prefixes = tuple(all_prefixes[firsts[number - 1] : firsts[number]])
        for k, member in enumerate(plan.members):
            if careful[member] or plan.role is Role.COMPROMISED:
                continue  # a taken-over account keeps its owner's device until the takeover
            device[member] = devices[k % len(devices)]
            ip[member] = f"{prng.choice(prefixes)}.{prng.randint(2, 254)}"
        rings.append(
            Ring(
                plan.ring_id,
                plan.role,
                plan.members,
                plan.boss,
                ring_locale,
                handles,
                devices,
                prefixes,
            )
        )
    return rings
