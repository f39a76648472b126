"""What abusers do on a day, role by role — the behaviour Warden's rules must recognise.

One function per role, called for each of its accounts that is active today. The shapes
follow the abuse the policy pack was written for (``policies/default.yaml``), but are
written from the abuser's side, not the rule's:

* escort advertisers blast ads with the ring's handle to strangers in evening sessions and
  put the handle in their signature; careful ones send one or two soft, disguised lines
  and leave the handle to the profile;
* "deposit first" scammers advertise, then many of the people they reached pay a small
  deposit (≤ 500) within hours — the escort never comes — and some of them report it;
* porn sellers and gambling promoters advertise to strangers and in groups; buyers pay,
  promoters invite dozens into their groups;
* fraud rings impersonate bosses and banks, offer loans to the desperate; victims pay;
* spam blasters send one text to 60–260 strangers within the hour (throwaway accounts do
  it once, the day after they sign up, and vanish);
* harassers insult their 3–5 targets, who report them;
* terror propagandists post slogans in groups;
* a compromised account behaves like its owner until the takeover: a login from the
  crew's device, then 110+ messages to strangers in under an hour.

Ring members log in from the ring's devices and /24s and hand the takings to the boss.
With pictures on (``--pictures``), advertising rings also post their poster — the ad
written on a picture with a QR code of the ring's handle — and wear it as their avatar
(:mod:`warden.simulate.pictures`).
"""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable
from typing import Any

from warden.simulate.content import Handle
from warden.simulate.day import HOUR_MS, MINUTE_MS, DayContext
from warden.simulate.roles import PAYING_ROLES, Role

Behaviour = Callable[[DayContext, int], None]
#: Rings that advertise with pictures, and how often an ad carries one (careful members,
#: whose text says little, lean on the picture more).
PICTURE_ROLES = frozenset(
    {Role.ESCORT, Role.DEPOSIT_SCAMMER, Role.PORN_SELLER, Role.GAMBLING_PROMOTER}
)
PICTURE_SHARE, CAREFUL_PICTURE_SHARE = 0.3, 0.5


def _picture(
    day: DayContext, account: int, role: Role, copy: int | None = None
) -> list[dict[str, Any]] | None:
    """The ring's poster (copy ``copy``, or a random one some of the time), or None."""
    album, ring_number = day.album, int(day.population.ring[account])
    if album is None or ring_number < 0 or role not in PICTURE_ROLES:
        return None
    if copy is None:
        share = CAREFUL_PICTURE_SHARE if _careful(day, account) else PICTURE_SHARE
        if day.prng.random() >= share:
            return None
        copy = day.prng.randrange(4)
    ring = day.population.rings[ring_number]
    handle = ring.handles[0]
    rng = random.Random(ring.ring_id)  # the same poster whichever member draws it first
    text = day.copy.ad(role, ring.locale, handle, rng, disguise=False)
    width = 26 if ring.locale == "en" else 13
    lines = textwrap.wrap(text, width) or [text]
    return [album.ad(ring.ring_id, lines, handle, copy, sample=role is Role.PORN_SELLER)]


def _handle(day: DayContext, account: int) -> Handle | None:
    ring = int(day.population.ring[account])
    if ring < 0:
        return None
    handles = day.population.rings[ring].handles
    return handles[day.prng.randrange(len(handles))]


def _careful(day: DayContext, account: int) -> bool:
    return bool(day.population.careful[account])


def _report(day: DayContext, reporter: int, target: int, at: int, reason: str, event: str) -> None:
    day.batch.add(
        "report", at, day.id(reporter), target_account_id=day.id(target),
        target_event_id=event, reason=reason,
    )  # fmt: skip


def _message(
    day: DayContext,
    account: int,
    at: int,
    text: str,
    to: int = -1,
    group: str | None = None,
    media: list[dict[str, Any]] | None = None,
) -> str:
    return day.batch.add(
        "message", at, day.id(account), text=text,
        recipient_id=day.id(to) if to >= 0 else None, group_id=group, is_contact=False,
        media=media,
    )  # fmt: skip


def ring_upkeep(day: DayContext, account: int) -> None:
    """Logins from the ring's devices and /24s; the signature on day one; pay the boss."""
    pop, prng = day.population, day.prng
    ring_number = int(pop.ring[account])
    role = pop.role_of(account)
    careful = _careful(day, account)
    special = int(pop.special_day[account])
    if role is Role.SPAM_BLASTER and special >= 0 and day.index != special:
        return  # a throwaway: gone after its blast
    for _ in range(prng.randint(1, 2)):
        device, ip = str(pop.device[account]), str(pop.ip[account])
        if ring_number >= 0 and not careful and prng.random() < 0.2:
            ring = pop.rings[ring_number]
            device = prng.choice(ring.devices)
            ip = f"{prng.choice(ring.prefixes)}.{prng.randint(2, 254)}"
        day.batch.add("login", day.moment(night=True), day.id(account), device_id=device, ip=ip)
    handle = _handle(day, account)
    if day.index == day.first_active_day(account) and handle and role in PAYING_ROLES:
        locale = pop.locale_of(account)
        day.batch.add(
            "profile", day.start + prng.randrange(HOUR_MS), day.id(account),
            nickname=prng.choice(("小美", "安琪", "Lily", "客服小王", "VIP")),
            signature=day.copy.signature(role, locale, handle, prng, careful),
            media=_picture(day, account, role, copy=0),
        )  # fmt: skip
    if ring_number >= 0 and role in PAYING_ROLES:
        boss = pop.rings[ring_number].boss
        if boss != account and prng.random() < (0.2 if careful else 0.35):
            day.batch.add(
                "payment", day.moment(night=True), day.id(account), payee_id=day.id(boss),
                amount=float(prng.randrange(800, 5000)), currency="CNY", payment_type="transfer",
                memo=prng.choice(("结算", "货款", None)),
            )  # fmt: skip


def _ads(
    day: DayContext, account: int, role: Role, count: int, night: bool, soft: bool = False
) -> list[tuple[int, int, str]]:
    """``count`` ads to strangers, in sessions of a few minutes; returns (recipient, ts, id)."""
    pop, prng = day.population, day.prng
    careful = _careful(day, account)
    locale = pop.locale_of(account)
    sent: list[tuple[int, int, str]] = []
    at = day.moment(night=night)
    for recipient in day.strangers(count, besides=account):
        if prng.random() < 0.2:  # a new session later in the day
            at = day.moment(night=night)
        at += prng.randrange(20_000, 5 * MINUTE_MS)
        text = day.copy.ad(role, locale, _handle(day, account), prng, careful=careful, soft=soft)
        media = _picture(day, account, role)
        sent.append((recipient, at, _message(day, account, at, text, to=recipient, media=media)))
    return sent


def _reported(
    day: DayContext, sent: list[tuple[int, int, str]], target: int, reason: str, chance: float
) -> None:
    for recipient, at, event in sent:
        if day.prng.random() < chance:
            _report(
                day,
                recipient,
                target,
                at + day.prng.randrange(5 * MINUTE_MS, 3 * HOUR_MS),
                reason,
                event,
            )


def escort(day: DayContext, account: int) -> None:
    careful = _careful(day, account)
    prng = day.prng
    count = int(prng.random() < 0.4) if careful else prng.randint(14, 26)
    sent = _ads(day, account, Role.ESCORT, count, True, soft=careful)
    _reported(day, sent, account, "sexual_services", 0.02)
    if not careful and prng.random() < 0.3:
        locale = day.population.locale_of(account)
        for target in day.strangers(prng.randint(2, 5), besides=account):
            day.batch.add(
                "friend_request", day.moment(night=True), day.id(account), target_id=day.id(target),
                message=day.copy.ad(Role.ESCORT, locale, _handle(day, account), prng),
            )  # fmt: skip


def deposit_scammer(day: DayContext, account: int) -> None:
    careful = _careful(day, account)
    prng = day.prng
    sent = _ads(
        day,
        account,
        Role.DEPOSIT_SCAMMER,
        prng.randint(3, 6) if careful else prng.randint(12, 24),
        True,
        soft=careful,
    )
    victims = prng.sample(
        sent, min(len(sent), prng.randint(2, 4) if careful else prng.randint(6, 12))
    )
    for victim, at, event in victims:
        paid = at + prng.randrange(5 * MINUTE_MS, 5 * HOUR_MS)
        day.batch.add(
            "payment", paid, day.id(victim), payee_id=day.id(account),
            amount=float(prng.choice((100, 150, 200, 300, 400, 500))), currency="CNY",
            payment_type="transfer", memo=prng.choice(("定金", "路费", "deposit", None)),
        )  # fmt: skip
        if prng.random() < 0.25:  # nobody came
            _report(
                day, victim, account, paid + prng.randrange(HOUR_MS, 6 * HOUR_MS), "fraud", event
            )


def porn_seller(day: DayContext, account: int) -> None:
    careful = _careful(day, account)
    prng = day.prng
    sent = _ads(
        day, account, Role.PORN_SELLER, prng.randint(2, 4) if careful else prng.randint(8, 16), True
    )
    _group_posts(day, account, Role.PORN_SELLER, 0 if careful else prng.randint(2, 5))
    for buyer, at, _ in prng.sample(
        sent, min(len(sent), prng.randint(0, 2) if careful else prng.randint(2, 5))
    ):
        day.batch.add(
            "payment", at + prng.randrange(5 * MINUTE_MS, 2 * HOUR_MS), day.id(buyer),
            payee_id=day.id(account), amount=float(prng.choice((30, 50, 66, 88, 128, 199))),
            currency="CNY", payment_type="transfer", memo=prng.choice(("会员", "VIP", None)),
        )  # fmt: skip
    _reported(day, sent, account, "porn", 0.02)


def _group_posts(day: DayContext, account: int, role: Role, count: int) -> None:
    pop, prng = day.population, day.prng
    groups = pop.groups_of(account)
    if not len(groups) or not count:
        return
    locale = pop.locale_of(account)
    for _ in range(count):
        group = str(pop.group_ids[int(groups[prng.randrange(len(groups))])])
        text = day.copy.ad(
            role, locale, _handle(day, account), prng, careful=_careful(day, account)
        )
        _message(
            day, account, day.moment(night=role is not Role.TERROR), text, group=group,
            media=_picture(day, account, role),
        )  # fmt: skip


def gambling_promoter(day: DayContext, account: int) -> None:
    careful = _careful(day, account)
    prng = day.prng
    sent = _ads(
        day,
        account,
        Role.GAMBLING_PROMOTER,
        prng.randint(2, 4) if careful else prng.randint(8, 14),
        False,
    )
    _group_posts(day, account, Role.GAMBLING_PROMOTER, 1 if careful else prng.randint(6, 12))
    groups = day.population.groups_of(account)
    if not careful and len(groups) and prng.random() < 0.3:
        invitees = [day.id(v) for v in day.strangers(prng.randint(50, 80), besides=account)]
        group = str(day.population.group_ids[int(groups[0])])
        day.batch.add(
            "group_invite", day.moment(), day.id(account), group_id=group, invitee_ids=invitees
        )
    _reported(day, sent, account, "gambling", 0.01)


def fraud(day: DayContext, account: int) -> None:
    careful = _careful(day, account)
    prng = day.prng
    sent = _ads(
        day, account, Role.FRAUD, prng.randint(2, 4) if careful else prng.randint(10, 20), False
    )
    for victim, at, event in prng.sample(
        sent, min(len(sent), prng.randint(0, 1) if careful else prng.randint(1, 3))
    ):
        paid = at + prng.randrange(10 * MINUTE_MS, 4 * HOUR_MS)
        day.batch.add(
            "payment", paid, day.id(victim), payee_id=day.id(account),
            amount=float(prng.choice((500, 800, 2000, 5000, 8000, 20000))), currency="CNY",
            payment_type="transfer", memo=prng.choice(("手续费", "保证金", "fee", None)),
        )  # fmt: skip
        if prng.random() < 0.3:
            _report(
                day, victim, account, paid + prng.randrange(HOUR_MS, 12 * HOUR_MS), "fraud", event
            )
    _reported(day, sent, account, "fraud", 0.01)


def _blast(day: DayContext, account: int, role: Role, size: int, minutes: int, at: int) -> None:
    """One text, disguised once, to ``size`` strangers within ``minutes``."""
    prng = day.prng
    text = day.copy.ad(role, day.population.locale_of(account), _handle(day, account), prng)
    recipients = day.strangers(size, besides=account)
    step = minutes * MINUTE_MS // max(len(recipients), 1)
    for recipient in recipients:
        at += prng.randrange(1_000, max(2_000, 2 * step - 1_000))
        event = _message(day, account, at, text, to=recipient)
        if prng.random() < 0.01:
            _report(day, recipient, account, at + prng.randrange(MINUTE_MS, HOUR_MS), "spam", event)


def spam_blaster(day: DayContext, account: int) -> None:
    prng = day.prng
    special = int(day.population.special_day[account])
    if special >= 0:  # a throwaway: one big blast on its day, then never seen again
        if day.index == special:
            _blast(
                day,
                account,
                Role.SPAM_BLASTER,
                prng.randint(210, 260),
                prng.randint(40, 52),
                day.moment(),
            )
        return
    if prng.random() < 0.9:
        _blast(
            day,
            account,
            Role.SPAM_BLASTER,
            prng.randint(60, 110),
            prng.randint(25, 50),
            day.moment(),
        )
    if prng.random() < 0.3:
        at = day.moment()
        for target in day.strangers(prng.randint(32, 40), besides=account):
            at += prng.randrange(20_000, 90_000)
            day.batch.add("friend_request", at, day.id(account), target_id=day.id(target))


def harasser(day: DayContext, account: int) -> None:
    """Every fourth day from its first: insults to each target, who report it."""
    pop, prng = day.population, day.prng
    first = day.first_active_day(account)
    if (day.index - first) % 4:
        return
    locale = pop.locale_of(account)
    for target in pop.targets.get(account, ()):
        at = day.moment()
        event = ""
        for _ in range(prng.randint(2, 5)):
            at += prng.randrange(MINUTE_MS, 10 * MINUTE_MS)
            event = _message(
                day, account, at, day.copy.ad(Role.HARASSER, locale, None, prng), to=target
            )
        if day.index == first or prng.random() < 0.6:
            _report(
                day,
                target,
                account,
                at + prng.randrange(5 * MINUTE_MS, 90 * MINUTE_MS),
                "harassment",
                event,
            )


def terror(day: DayContext, account: int) -> None:
    _group_posts(day, account, Role.TERROR, day.prng.randint(1, 2))


def compromised(day: DayContext, account: int) -> None:
    """On its bad day: the crew logs in from its own device, then bursts to strangers."""
    pop, prng = day.population, day.prng
    if day.index != int(pop.special_day[account]):
        return
    ring = pop.rings[int(pop.ring[account])] if pop.ring[account] >= 0 else None
    at = day.moment()
    if ring is not None:
        day.batch.add(
            "login", at, day.id(account), device_id=prng.choice(ring.devices),
            ip=f"{prng.choice(ring.prefixes)}.{prng.randint(2, 254)}",
        )  # fmt: skip
    _blast(
        day, account, Role.COMPROMISED, prng.randint(115, 180), prng.randint(42, 54), at + MINUTE_MS
    )


BEHAVIOURS: dict[Role, Behaviour] = {
    Role.ESCORT: escort,
    Role.DEPOSIT_SCAMMER: deposit_scammer,
    Role.PORN_SELLER: porn_seller,
    Role.GAMBLING_PROMOTER: gambling_promoter,
    Role.FRAUD: fraud,
    Role.SPAM_BLASTER: spam_blaster,
    Role.HARASSER: harasser,
    Role.TERROR: terror,
    Role.COMPROMISED: compromised,
}
#: Roles whose accounts log in and keep up the ring every day (the others: see everyday).
UPKEEP: frozenset[Role] = frozenset(
    {Role.ESCORT, Role.DEPOSIT_SCAMMER, Role.PORN_SELLER, Role.GAMBLING_PROMOTER, Role.FRAUD,
     Role.SPAM_BLASTER, Role.TERROR}
)  # fmt: skip
