"""What ordinary life on the platform looks like, generated in bulk with NumPy.

Ordinary users (and, until their bad day, taken-over accounts and trolls, who have lives
too) chat with contacts and groups, pay friends, add a friend now and then, change a
signature, comment on official accounts' posts, log in — at home, on the family tablet, or
at a café — and, rarely, message a stranger or report someone. Official accounts publish
posts. Texts come from the benign pools (tricky words included), picked by index.

Everything here is vectorized per day: the bulk of a run's events is made in this module.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from warden.simulate import texts as t
from warden.simulate.content import LOCALES, render
from warden.simulate.day import MINUTE_MS, DayContext
from warden.simulate.roles import CODE, Role

GROUP_SHARE = 0.25  # of an ordinary user's messages, when in a group
STRANGER_SHARE = 0.015
PAYMENTS_PER_DAY = 0.12
FRIEND_REQUESTS_PER_DAY = 0.03
PROFILE_CHANGES_PER_DAY = 0.01
COMMENTS_PER_DAY = 0.03
LOGIN_CHANCE = 0.35
CAFE_VISIT_CHANCE = 0.5
STRAY_REPORT_CHANCE = 0.0005
AMOUNTS = np.array([6.66, 8.88, 20, 35.5, 50, 66, 88, 100, 128, 200, 300, 520, 1000, 1500, 3000])
CURRENCY = {"HK": "HKD", "TW": "TWD", "SG": "SGD", "MY": "MYR", "US": "USD", "GB": "GBP"}
SOCIAL = (Role.ORDINARY, Role.COMPROMISED, Role.HARASSER)


def signups(day: DayContext) -> None:
    """Signup events of accounts created today (on day 0, also of every older account)."""
    pop = day.population
    signup = pop.signup_ms
    due = (signup < day.end) & ((signup >= day.start) | (day.index == 0))
    accounts = np.flatnonzero(due)
    if not len(accounts):
        return
    columns = {
        "device_id": pop.device[accounts],
        "ip": pop.ip[accounts],
        "region": pop.region[accounts],
    }
    day.batch.extend("signup", signup[accounts], pop.ids[accounts], **columns)


def social_accounts(day: DayContext) -> npt.NDArray[np.int64]:
    pop = day.population
    social = np.isin(pop.role, [CODE[r] for r in SOCIAL])
    return np.flatnonzero(social & (pop.signup_ms < day.start))


def chat(day: DayContext, accounts: npt.NDArray[np.int64], rate: float) -> None:
    """Messages to contacts (mostly), to groups, and now and then to a stranger."""
    pop, rng = day.population, day.rng
    counts = rng.poisson(rate * pop.activity[accounts])
    senders = np.repeat(accounts, counts)
    n = len(senders)
    if not n:
        return
    ts = day.times(n)
    contact_degree = pop.contact_ptr[senders + 1] - pop.contact_ptr[senders]
    group_degree = pop.group_ptr[senders + 1] - pop.group_ptr[senders]
    roll = rng.random(n)
    to_group = (roll < GROUP_SHARE) & (group_degree > 0)
    to_stranger = ~to_group & ((roll > 1 - STRANGER_SHARE) | (contact_degree == 0))
    to_contact = ~to_group & ~to_stranger
    pick = rng.random(n)
    recipient = np.full(n, -1, dtype=np.int64)
    at = pop.contact_ptr[senders] + (pick * contact_degree).astype(np.int64)
    recipient[to_contact] = pop.contacts[at[to_contact]]
    drawn = rng.integers(0, len(pop.strangers), size=n)
    strangers = pop.strangers[drawn]
    same = strangers == senders  # nobody messages themselves: take the next stranger
    strangers[same] = pop.strangers[(drawn[same] + 1) % len(pop.strangers)]
    recipient[to_stranger] = strangers[to_stranger]
    at = pop.group_ptr[senders] + (pick * group_degree).astype(np.int64)
    group_ids = np.full(n, None, dtype=object)
    group_ids[to_group] = pop.group_ids[pop.groups[at[to_group]]]
    recipient_ids = np.full(n, None, dtype=object)
    recipient_ids[~to_group] = pop.ids[recipient[~to_group]]
    text = _pick_texts(day, senders, to_group)
    day.batch.extend(
        "message", ts, pop.ids[senders], text=text, recipient_id=recipient_ids,
        group_id=group_ids, is_contact=to_contact,
    )  # fmt: skip


def _pick_texts(
    day: DayContext, senders: npt.NDArray[np.int64], to_group: npt.NDArray[np.bool_]
) -> npt.NDArray[np.object_]:
    pop, rng = day.population, day.rng
    out = np.empty(len(senders), dtype=object)
    locale = pop.locale[senders]
    for code, name in enumerate(LOCALES):
        for grouped, pools in ((False, day.pools.private), (True, day.pools.group)):
            mask = (locale == code) & (to_group == grouped)
            count = int(mask.sum())
            if count:
                pool = pools[name]
                out[mask] = pool[rng.integers(0, len(pool), size=count)]
    return out


PHOTOS_PER_1000 = 1.0  # ordinary accounts sending a photo each day, per thousand (--pictures)
MAX_PHOTOS_PER_DAY = 25  # OCR is the slow step of reading a picture: keep runs quick
PHOTO_TEXTS = ("看看", "今天的晚霞", "刚拍的", "周末去爬山了", "look at this", "view from here")


def photos(day: DayContext, accounts: npt.NDArray[np.int64]) -> None:
    """A few ordinary people send a contact a photo of their own (``--pictures`` only)."""
    album, pop, prng = day.album, day.population, day.prng
    if album is None or not len(accounts):
        return
    count = min(MAX_PHOTOS_PER_DAY, max(1, round(len(accounts) * PHOTOS_PER_1000 / 1000)))
    for _ in range(count):
        sender = int(accounts[prng.randrange(len(accounts))])
        degree = int(pop.contact_ptr[sender + 1] - pop.contact_ptr[sender])
        if not degree:
            continue
        contact = int(pop.contacts[pop.contact_ptr[sender] + prng.randrange(degree)])
        day.batch.add(
            "message", day.moment(), day.id(sender), text=prng.choice(PHOTO_TEXTS),
            recipient_id=day.id(contact), is_contact=True, media=[album.photo()],
        )  # fmt: skip


def payments(day: DayContext, accounts: npt.NDArray[np.int64]) -> None:
    """Friends paying friends: AA dinners, rent, red packets on birthdays."""
    pop, rng = day.population, day.rng
    degree = pop.contact_ptr[accounts + 1] - pop.contact_ptr[accounts]
    payers = accounts[degree > 0]
    payers = np.repeat(payers, rng.poisson(PAYMENTS_PER_DAY, size=len(payers)))
    n = len(payers)
    if not n:
        return
    degree = pop.contact_ptr[payers + 1] - pop.contact_ptr[payers]
    payees = pop.contacts[pop.contact_ptr[payers] + (rng.random(n) * degree).astype(np.int64)]
    memos = np.array([m or None for m in t.PAYMENT_MEMOS], dtype=object)
    currency = np.array([CURRENCY.get(r, "CNY") for r in pop.region[payers].tolist()], dtype=object)
    day.batch.extend(
        "payment", day.times(n), pop.ids[payers], payee_id=pop.ids[payees],
        amount=AMOUNTS[rng.integers(0, len(AMOUNTS), size=n)], currency=currency,
        payment_type=np.where(rng.random(n) < 0.4, "red_packet", "transfer").astype(object),
        memo=memos[rng.integers(0, len(memos), size=n)],
    )  # fmt: skip


def now_and_then(day: DayContext, accounts: npt.NDArray[np.int64]) -> None:
    """Friend requests, profile changes and the odd report of a stranger."""
    pop, rng, prng, batch = day.population, day.rng, day.prng, day.batch
    requesters = accounts[rng.random(len(accounts)) < FRIEND_REQUESTS_PER_DAY]
    for account, at in zip(requesters.tolist(), day.times(len(requesters)).tolist(), strict=True):
        locale = pop.locale_of(account)
        template = prng.choice(t.FRIEND_REQUEST_EN if locale == "en" else t.FRIEND_REQUEST_ZH)
        batch.add(
            "friend_request", at, day.id(account), target_id=day.id(day.stranger(account)),
            message=render(template, prng, locale),
        )  # fmt: skip
    changers = accounts[rng.random(len(accounts)) < PROFILE_CHANGES_PER_DAY]
    for account, at in zip(changers.tolist(), day.times(len(changers)).tolist(), strict=True):
        signature = prng.choice(t.SIGNATURES)
        batch.add(
            "profile", at, day.id(account), nickname=prng.choice(t.NICKNAMES),
            signature=render(signature, prng, pop.locale_of(account)) if signature else None,
        )  # fmt: skip
    reporters = accounts[rng.random(len(accounts)) < STRAY_REPORT_CHANCE]
    for account, at in zip(reporters.tolist(), day.times(len(reporters)).tolist(), strict=True):
        batch.add(
            "report", at, day.id(account), target_account_id=day.id(day.stranger(account)),
            reason=prng.choice(("spam", "harassment", "other")),
        )  # fmt: skip


def logins(day: DayContext, accounts: npt.NDArray[np.int64]) -> None:
    """Logins from the account's phone at home or the family tablet — and café visits.

    Regulars visit their café on about half the days, so a café's IP shows dozens of
    accounts even in a short window: the hub it is, not a ring."""
    pop, rng = day.population, day.rng
    who = accounts[rng.random(len(accounts)) < LOGIN_CHANCE]
    device = pop.device[who].copy()
    tablet = (pop.family_device[who] != "") & (rng.random(len(who)) < 0.25)
    device[tablet] = pop.family_device[who][tablet]
    day.batch.extend("login", day.times(len(who)), pop.ids[who], device_id=device, ip=pop.ip[who])
    regulars = accounts[
        (pop.cafe_ip[accounts] != "") & (rng.random(len(accounts)) < CAFE_VISIT_CHANCE)
    ]
    day.batch.extend(
        "login", day.times(len(regulars)), pop.ids[regulars], device_id=pop.device[regulars],
        ip=pop.cafe_ip[regulars],
    )  # fmt: skip


def official_posts(day: DayContext) -> list[tuple[str, int]]:
    """Articles of official accounts (benign and spammy); returns the benign posts (id, ts)."""
    pop, prng = day.population, day.prng
    posts: list[tuple[str, int]] = []
    for role, spammy in ((Role.OFFICIAL, False), (Role.SPAMMY_OFFICIAL, True)):
        for account in pop.of_role(role).tolist():
            if not day.active(account):
                continue
            locale = pop.locale_of(account)
            handle = pop.own_handles.get(account)
            for _ in range(prng.randint(2, 4) if spammy else prng.randint(1, 3)):
                title, text = day.copy.post(locale, handle, prng, spammy)
                if spammy:
                    text = day.copy.evasion.disguise(text, prng)
                at = day.moment()
                post = day.batch.add("post", at, day.id(account), title=title, text=text)
                if not spammy:
                    posts.append((post, at))
    return posts


def comments(
    day: DayContext, accounts: npt.NDArray[np.int64], posts: list[tuple[str, int]]
) -> None:
    """Readers commenting under today's official posts, minutes to hours after them."""
    if not posts:
        return
    pop, rng, prng = day.population, day.rng, day.prng
    readers = accounts[rng.random(len(accounts)) < COMMENTS_PER_DAY]
    for account in readers.tolist():
        post, posted = posts[prng.randrange(len(posts))]
        pool = day.pools.comments[pop.locale_of(account)]
        day.batch.add(
            "comment", posted + prng.randrange(MINUTE_MS, 360 * MINUTE_MS), day.id(account),
            text=str(pool[prng.randrange(len(pool))]), target_event_id=post,
        )  # fmt: skip
