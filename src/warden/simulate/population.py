"""The accounts of a simulated platform and everything that ties them together.

Built once per run from the seed, before any event: roles, segments, regions, signup
times, devices and IP addresses, contacts, groups, families and cafés, rings and their
shared handles (``rings``). Per-account facts are NumPy arrays indexed by account number,
so the daily generators can pick and look up accounts in bulk.

Shares that must *not* look like rings are shaped as they are in life: a family's 2–3
accounts share one device (a tablet) but each has its own home network; a café's dozens of
patrons share one IP — a hub any ring search must set aside. Every ordinary account gets a
/24 of its own, drawn without replacement, so ordinary users never share a prefix by chance.
Abusers' /24s come from hosting ranges, their devices from the ring's small pool.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from warden.simulate.addresses import CAFE_OCTETS, HOME_OCTETS, draw_prefixes, hex_ids, prefix_text
from warden.simulate.content import LOCALES, Handle, Locale, make_handle
from warden.simulate.rings import Ring, build_rings
from warden.simulate.roles import CODE, ROLES, Role, role_counts

DAY_MS = 86_400_000
SEGMENTS = ("new", "established", "official")
NEW, ESTABLISHED, OFFICIAL = range(3)
REGIONS = (
    "CN-GD", "CN-BJ", "CN-SH", "CN-ZJ", "CN-JS", "CN-SC", "CN-HB", "CN-HN", "CN-SD", "CN-FJ",
    "CN-HE", "CN-CQ", "CN-SN", "CN-LN", "CN-AH", "HK", "TW", "SG", "MY", "US", "GB",
)  # fmt: skip
_REGION_WEIGHTS = np.array(
    [14, 7, 7, 8, 8, 7, 5, 5, 7, 5, 4, 4, 3, 3, 3, 3, 2, 2, 2, 3, 1], dtype=np.float64
)
_LOCALE_OF_REGION = {
    "HK": "zh-hant",
    "TW": "zh-hant",
    "SG": "en",
    "MY": "en",
    "US": "en",
    "GB": "en",
}
FAMILY_SHARE = 0.1
#: Share of a role's accounts that are new (signed up shortly before or during the run):
#: abusers burn through fresh accounts; a takeover needs an old one.
NEW_SHARE_ORDINARY = 0.08
NEW_SHARE: dict[Role, float] = {
    Role.ESCORT: 0.5,
    Role.DEPOSIT_SCAMMER: 0.5,
    Role.PORN_SELLER: 0.4,
    Role.GAMBLING_PROMOTER: 0.4,
    Role.FRAUD: 0.4,
    Role.SPAM_BLASTER: 0.4,
    Role.TERROR: 0.5,
    Role.HARASSER: 0.2,
    Role.COMPROMISED: 0.0,
}
CAFE_PATRONS = (30, 60)
CAFE_EVERY = 600  # one café per this many ordinary accounts


@dataclass
class Population:
    """Every account, by number; see the module docstring."""

    start_ms: int
    days: int
    ids: npt.NDArray[np.object_]
    role: npt.NDArray[np.int8]
    segment: npt.NDArray[np.int8]
    region: npt.NDArray[np.object_]
    locale: npt.NDArray[np.int8]
    signup_ms: npt.NDArray[np.int64]
    careful: npt.NDArray[np.bool_]
    ring: npt.NDArray[np.int32]
    rings: list[Ring]
    device: npt.NDArray[np.object_]
    ip: npt.NDArray[np.object_]
    family_device: npt.NDArray[np.object_]  # "" when not in a family
    cafe_ip: npt.NDArray[np.object_]  # "" when not a café patron
    activity: npt.NDArray[np.float64]
    contact_ptr: npt.NDArray[np.int64]
    contacts: npt.NDArray[np.int64]
    group_ptr: npt.NDArray[np.int64]
    groups: npt.NDArray[np.int64]
    group_ids: npt.NDArray[np.object_]
    special_day: npt.NDArray[np.int32]  # compromised: burst day; throwaway blaster: blast day
    targets: dict[int, tuple[int, ...]] = field(default_factory=dict)  # harasser → victims
    own_handles: dict[int, Handle] = field(default_factory=dict)  # spammy officials
    strangers: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def size(self) -> int:
        return len(self.ids)

    def of_role(self, role: Role) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self.role == CODE[role])

    def role_of(self, account: int) -> Role:
        return ROLES[int(self.role[account])]

    def locale_of(self, account: int) -> Locale:
        return LOCALES[int(self.locale[account])]

    def groups_of(self, account: int) -> npt.NDArray[np.int64]:
        return self.groups[self.group_ptr[account] : self.group_ptr[account + 1]]


def _csr(
    src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(ptr, src + 1, 1)
    return np.cumsum(ptr), dst


def build_population(accounts: int, days: int, start_ms: int, seed: int) -> Population:
    """The platform's accounts for ``seed``: same arguments, same population."""
    rng = np.random.default_rng([seed, 0x5EED])
    prng = random.Random(seed * 7919 + 17)
    counts = role_counts(accounts)
    roles = np.repeat(np.array([CODE[r] for r in ROLES], dtype=np.int8), [counts[r] for r in ROLES])
    roles = roles[rng.permutation(accounts)]
    width = max(6, len(str(accounts - 1)))
    ids = np.array([f"u{i:0{width}d}" for i in range(accounts)], dtype=object)

    region_codes = rng.choice(
        len(REGIONS), size=accounts, p=_REGION_WEIGHTS / _REGION_WEIGHTS.sum()
    )
    region = np.array(REGIONS, dtype=object)[region_codes]
    locale = np.array(
        [LOCALES.index(_LOCALE_OF_REGION.get(r, "zh")) for r in REGIONS], dtype=np.int8
    )[region_codes]

    segment, signup, special = _signups(rng, roles, days, start_ms)
    activity = np.exp(rng.normal(0.0, 0.7, size=accounts)) / np.exp(0.7**2 / 2)
    device = hex_ids(rng, accounts, "d")
    homes = draw_prefixes(rng, HOME_OCTETS, accounts)
    hosts = rng.integers(2, 255, size=accounts)
    ip = np.array(
        [f"{prefix_text(p)}.{h}" for p, h in zip(homes.tolist(), hosts.tolist(), strict=True)],
        dtype=object,
    )

    ordinary = np.flatnonzero(roles == CODE[Role.ORDINARY])
    family_device = np.full(accounts, "", dtype=object)
    cafe_ip = np.full(accounts, "", dtype=object)
    families = _families(rng, ordinary[segment[ordinary] == ESTABLISHED], family_device)
    _cafes(rng, ordinary, cafe_ip)

    careful = np.zeros(accounts, dtype=bool)
    ring = np.full(accounts, -1, dtype=np.int32)
    rings = build_rings(rng, prng, roles, region, locale, careful, ring, device, ip)
    # Ordinary people, and the people an account takeover or a troll hits, have a life:
    social_codes = [CODE[Role.ORDINARY], CODE[Role.COMPROMISED], CODE[Role.HARASSER]]
    social = np.flatnonzero(np.isin(roles, social_codes))
    contact_ptr, contacts = _contacts(rng, social, region_codes, families, accounts)
    group_ptr, groups, group_ids = _groups(rng, social, roles, region_codes, accounts)
    strangers = ordinary[signup[ordinary] < start_ms]
    population = Population(
        start_ms=start_ms, days=days, ids=ids, role=roles, segment=segment, region=region,
        locale=locale, signup_ms=signup, careful=careful, ring=ring, rings=rings, device=device,
        ip=ip, family_device=family_device, cafe_ip=cafe_ip, activity=activity,
        contact_ptr=contact_ptr, contacts=contacts, group_ptr=group_ptr, groups=groups,
        group_ids=group_ids, special_day=special, strangers=strangers,
    )  # fmt: skip
    established = strangers[segment[strangers] == ESTABLISHED]
    for harasser in population.of_role(Role.HARASSER).tolist():
        count = prng.randint(3, 5)
        population.targets[harasser] = tuple(
            int(v)
            for v in rng.choice(established, size=min(count, len(established)), replace=False)
        )
    for official in population.of_role(Role.SPAMMY_OFFICIAL).tolist():
        population.own_handles[official] = make_handle(
            Role.SPAMMY_OFFICIAL, 9000 + official, population.locale_of(official), prng
        )
    return population


def _signups(
    rng: np.random.Generator, roles: npt.NDArray[np.int8], days: int, start_ms: int
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Segments, signup times and special days (a takeover's burst, a throwaway's blast)."""
    n = len(roles)
    new_share = np.full(n, NEW_SHARE_ORDINARY)
    for role, share in NEW_SHARE.items():
        new_share[roles == CODE[role]] = share
    is_new = rng.random(n) < new_share
    official = np.isin(roles, [CODE[Role.OFFICIAL], CODE[Role.SPAMMY_OFFICIAL]])
    is_new &= ~official
    segment = np.where(official, OFFICIAL, np.where(is_new, NEW, ESTABLISHED)).astype(np.int8)
    # established: 30 days to 7 years before the start (takeover victims at least 120 days)
    age_days = rng.uniform(30, 2500, size=n)
    compromised = roles == CODE[Role.COMPROMISED]
    age_days[compromised] = rng.uniform(120, 2500, size=int(compromised.sum()))
    # new: the last 30 days before the start, or (ordinary people) during the run
    new_age = rng.uniform(0.5, 30, size=n)
    during = (roles == CODE[Role.ORDINARY]) & (rng.random(n) < 0.5)
    new_age[during] = -rng.uniform(0, days, size=int(during.sum()))
    signup_days = np.where(is_new, new_age, age_days)
    signup = start_ms - (signup_days * DAY_MS).astype(np.int64)
    special = np.full(n, -1, dtype=np.int32)
    if compromised.any():
        special[compromised] = rng.integers(min(1, days - 1), days, size=int(compromised.sum()))
    # throwaway blasters: sign up, blast 200+ strangers the next day, are never seen again
    throwaway = (roles == CODE[Role.SPAM_BLASTER]) & is_new
    if throwaway.any():
        blast_day = rng.integers(0, days, size=int(throwaway.sum()))
        special[throwaway] = blast_day
        offset = rng.uniform(0.3, 1.0, size=int(throwaway.sum()))  # day before the blast day
        signup[throwaway] = start_ms + ((blast_day - offset) * DAY_MS).astype(np.int64)
    return segment, signup, special


def _families(
    rng: np.random.Generator,
    candidates: npt.NDArray[np.int64],
    family_device: npt.NDArray[np.object_],
) -> list[npt.NDArray[np.int64]]:
    """Households of 2–3 sharing a tablet; returns each family's members."""
    pool = rng.permutation(candidates)[: int(len(candidates) * FAMILY_SHARE)]
    families: list[npt.NDArray[np.int64]] = []
    at = 0
    while at + 2 <= len(pool):
        size = int(rng.integers(2, 4))
        members = pool[at : at + size]
        at += size
        if len(members) < 2:
            break
        families.append(members)
    devices = hex_ids(rng, len(families), "t")
    for members, tablet in zip(families, devices.tolist(), strict=True):
        family_device[members] = tablet
    return families


def _cafes(
    rng: np.random.Generator, ordinary: npt.NDArray[np.int64], cafe_ip: npt.NDArray[np.object_]
) -> None:
    """Cafés: one public IP each, behind which dozens of regulars log in now and then."""
    count = max(1, len(ordinary) // CAFE_EVERY)
    prefixes = draw_prefixes(rng, CAFE_OCTETS, count)
    shuffled = rng.permutation(ordinary)
    at = 0
    for prefix in prefixes.tolist():
        size = int(rng.integers(CAFE_PATRONS[0], CAFE_PATRONS[1] + 1))
        patrons = shuffled[at : at + size]
        at += size
        cafe_ip[patrons] = f"{prefix_text(prefix)}.{int(rng.integers(2, 255))}"


def _contacts(
    rng: np.random.Generator,
    social: npt.NDArray[np.int64],
    region_codes: npt.NDArray[np.int64],
    families: list[npt.NDArray[np.int64]],
    n: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """A local, clustered, symmetric contact graph: people mostly know people nearby."""
    order = social[np.argsort(region_codes[social], kind="stable")]
    size = len(order)
    if size < 2:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    degree = 1 + rng.poisson(3.5, size=size)
    src_pos = np.repeat(np.arange(size), degree)
    offset = 1 + rng.geometric(1 / 40, size=len(src_pos))
    sign = np.where(rng.random(len(src_pos)) < 0.5, -1, 1)
    dst_pos = (src_pos + sign * offset) % size
    src, dst = order[src_pos], order[dst_pos]
    for members in families:
        pairs = np.array([(a, b) for a in members for b in members if a != b], dtype=np.int64)
        src = np.concatenate([src, pairs[:, 0]])
        dst = np.concatenate([dst, pairs[:, 1]])
    keep = src != dst
    src, dst = src[keep], dst[keep]
    both = np.unique(
        np.stack([np.concatenate([src, dst]), np.concatenate([dst, src])], axis=1), axis=0
    )
    return _csr(both[:, 0], both[:, 1], n)


def _groups(
    rng: np.random.Generator,
    social: npt.NDArray[np.int64],
    roles: npt.NDArray[np.int8],
    region_codes: npt.NDArray[np.int64],
    n: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """Group chats of 3–300 neighbours; promoters and propagandists join a few to post in."""
    order = social[np.argsort(region_codes[social], kind="stable")]
    count = max(1, len(order) // 30)
    sizes = np.clip(np.exp(rng.normal(np.log(20), 0.8, size=count)), 3, 300).astype(np.int64)
    src_parts: list[npt.NDArray[np.int64]] = []
    dst_parts: list[npt.NDArray[np.int64]] = []
    for group, size in enumerate(sizes.tolist()):
        begin = int(rng.integers(0, max(1, len(order))))
        window = order[np.arange(begin, begin + 2 * size) % len(order)]
        members = rng.choice(window, size=min(size, len(window)), replace=False)
        src_parts.append(members)
        dst_parts.append(np.full(len(members), group, dtype=np.int64))
    joiners = np.flatnonzero(
        np.isin(roles, [CODE[Role.GAMBLING_PROMOTER], CODE[Role.PORN_SELLER], CODE[Role.TERROR]])
    )
    for account in joiners.tolist():
        joined = rng.choice(count, size=min(count, int(rng.integers(2, 6))), replace=False)
        src_parts.append(np.full(len(joined), account, dtype=np.int64))
        dst_parts.append(joined.astype(np.int64))
    src = np.concatenate(src_parts) if src_parts else np.zeros(0, np.int64)
    dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, np.int64)
    pairs = (
        np.unique(np.stack([src, dst], axis=1), axis=0) if len(src) else np.zeros((0, 2), np.int64)
    )
    ptr, groups = _csr(pairs[:, 0], pairs[:, 1], n)
    width = max(5, len(str(count - 1)))
    return ptr, groups, np.array([f"g{i:0{width}d}" for i in range(count)], dtype=object)
