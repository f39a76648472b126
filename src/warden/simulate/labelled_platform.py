"""A platform built from labelled real messages: ``warden simulate --texts``.

The default simulator's abusers write the team's own templates, which the team's lexicons
were written against; its perfect scores say little about real traffic. Here every message
comes from a labelled file (:mod:`warden.simulate.labelled`) and the behaviour around the
texts is deliberately plain, so that what gets measured is mostly the detectors:

* **ordinary** accounts chat with their ``ordinary`` texts: three quarters to contacts
  (``is_contact`` true), a fifth in groups, the rest to strangers; some pay friends;
* accounts of another **benign** role (``ordinary_mention``, say: people who talk *about*
  scams or police raids) chat like ordinary ones and also send 1–3 texts of their role to
  contacts or groups;
* **victims** (built in) are ordinary accounts that get a message from an abuser and pay
  it a few hours later with a memo such as 定金 or 解冻费 — evidence about the payee;
* **abusive** accounts send 4–12 texts of their role, each to a different stranger of their
  language; some also put one in their profile, publish one as a post, or send one with a
  friend request. Targets of the speech roles (:data:`REPORTED_ROLES`) report 1–3 of them.

No rings: nothing is shared between accounts (own device, own /24), so ring features stay
quiet and each account is judged on what it wrote and what was done to it. Texts are dealt
round-robin from a shuffled deck per role and language, so a text repeats only once the
whole deck has been used. The run is a pure function of its config and the texts.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from warden.errors import InputError
from warden.simulate.addresses import HOME_OCTETS, draw_prefixes, hex_ids, prefix_text
from warden.simulate.batch import EventBatch
from warden.simulate.day import HOUR_MS, MINUTE_MS, UTC_DAYTIME
from warden.simulate.labelled import ORDINARY, VICTIM, LabelledTexts
from warden.simulate.population import DAY_MS, REGIONS
from warden.simulate.simulator import SimulationConfig

#: Share of ``--accounts`` that is abusive when ``--abusive-accounts`` is not given.
DEFAULT_ABUSIVE_SHARE = 0.05
#: Roles whose targets report them (insults are reported; scams rarely are).
REPORTED_ROLES = frozenset({"abusive_speech", "harassment", "hate_speech"})
CONTACT_SHARE, GROUP_SHARE = 0.75, 0.20  # of ordinary chat; the rest goes to strangers
CONTACTS = (3, 8)  # contacts each benign account adds (contact links are mutual)
GROUP_SIZE = 18
MENTION_SHARE = 0.12  # of benign accounts, split among benign roles other than ordinary
MENTIONS = (1, 3)
VICTIM_SHARE = 0.03  # of benign accounts (when there are abusers to pay)
PAYER_SHARE, FRIEND_PAYMENTS = 0.3, (1, 2)
ABUSIVE_MESSAGES = (4, 12)
PROFILE_SHARE, POST_SHARE, FRIEND_REQUEST_SHARE = 0.3, 0.2, 0.2
REPORTS = (1, 3)
NEW_SHARE = {True: 0.6, False: 0.08}  # abusive, benign: signed up in the 30 days before
REGIONS_OF = {"zh": [r for r in REGIONS if r.startswith("CN-")], "en": ["SG", "MY", "US", "GB"]}
CURRENCY = {"zh": "CNY", "en": "USD"}
FRIEND_MEMOS = {
    "zh": ("AA 晚饭", "房租", "生日红包", "车费", "奶茶", "电影票", None, None),
    "en": ("dinner", "rent", "cab", "thanks", None, None),
}
VICTIM_MEMOS = {
    "zh": ("定金", "解冻费", "保证金", "手续费", "押金"),
    "en": ("deposit", "unlock fee", "fee", "processing fee"),
}
VICTIM_AMOUNTS = (100, 200, 300, 500, 800, 1000, 2000, 3000, 5000)
_CUM_DAYTIME = np.cumsum(UTC_DAYTIME).tolist()


@dataclass(frozen=True)
class LabelledConfig(SimulationConfig):
    """What to build: the simulator's settings plus how many accounts are abusive.
    ``messages_per_account`` is ordinary chat per benign account over the run (abusers send
    what their behaviour says, whatever the platform's volume); ``evasion`` is not applied —
    real messages are kept as their authors wrote them."""

    abusive_accounts: int = 0


@dataclass
class Account:
    id: str
    role: str
    abusive: bool
    locale: str
    region: str
    new: bool
    signup_ms: int
    contacts: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


class Deck:
    """One role's texts in one language, dealt round-robin from a shuffled copy."""

    def __init__(self, texts: list[str], rng: random.Random) -> None:
        self.texts = texts
        self.rng = rng
        self.pending: list[str] = []
        self.dealt = 0

    def draw(self) -> str:
        if not self.pending:
            self.pending = list(self.texts)
            self.rng.shuffle(self.pending)
        self.dealt += 1
        return self.pending.pop()

    @property
    def uses(self) -> int:
        """How often the most used text was dealt."""
        return math.ceil(self.dealt / len(self.texts))


def role_counts(config: LabelledConfig, texts: LabelledTexts) -> dict[str, int]:
    """Accounts per role: abusers split evenly over the abusive roles, mention roles share
    :data:`MENTION_SHARE` of the benign accounts, victims :data:`VICTIM_SHARE`."""
    if ORDINARY not in texts.roles:
        raise InputError(
            f"--texts: no line has role {ORDINARY!r}; expected everyday messages for "
            "ordinary accounts to chat with"
        )
    abusive = texts.abusive_roles
    if config.abusive_accounts and not abusive:
        raise InputError(
            f"--abusive-accounts: {config.abusive_accounts} abusive accounts, but every role "
            "in --texts is benign; expected at least one abusive role (or 0 accounts)"
        )
    if abusive and config.abusive_accounts < len(abusive):
        raise InputError(
            f"--abusive-accounts: {config.abusive_accounts} is fewer than the {len(abusive)} "
            f"abusive roles in --texts ({', '.join(abusive)}); expected at least one per role"
        )
    counts = _evenly(config.abusive_accounts, abusive)
    benign = config.accounts - config.abusive_accounts
    counts |= _evenly(round(benign * MENTION_SHARE), texts.benign_roles)
    payable = [r for r in abusive if r not in REPORTED_ROLES]
    counts[VICTIM] = round(benign * VICTIM_SHARE) if payable else 0
    counts[ORDINARY] = config.accounts - sum(counts.values())
    return counts


def _evenly(total: int, names: list[str]) -> dict[str, int]:
    if not names:
        return {}
    share, extra = divmod(total, len(names))
    return {name: share + (i < extra) for i, name in enumerate(names)}


class Builder:
    """Accounts, their ties and their events; events go to one batch per day."""

    def __init__(self, config: LabelledConfig, texts: LabelledTexts) -> None:
        self.config = config
        self.texts = texts
        self.rng = random.Random(config.seed)
        self.np_rng = np.random.default_rng(config.seed)
        self.start = config.start_ms
        self.end = self.start + config.days * DAY_MS
        self.batches = [EventBatch(f"e{d:04d}-") for d in range(config.days)]
        self.decks: dict[tuple[str, str], Deck] = {}
        self.accounts: list[Account] = []
        self.by_locale: dict[str, list[int]] = {}
        self.messages: Counter[str] = Counter()

    # -- who -------------------------------------------------------------------------

    def populate(self, counts: dict[str, int]) -> None:
        rng = self.rng
        roles = [role for role, count in counts.items() for _ in range(count)]
        rng.shuffle(roles)
        width = max(5, len(str(len(roles))))
        prefixes = draw_prefixes(self.np_rng, HOME_OCTETS, len(roles)).tolist()
        devices = hex_ids(self.np_rng, len(roles), "d").tolist()
        for number, role in enumerate(roles):
            source = self.texts.roles[ORDINARY if role == VICTIM else role]
            locales = sorted(source.texts)
            locale = rng.choices(locales, weights=[len(source.texts[x]) for x in locales])[0]
            abusive = role != VICTIM and source.abusive
            new = rng.random() < NEW_SHARE[abusive]
            days_before = rng.randint(1, 29) if new else rng.randint(30, 1500)
            account = Account(
                id=f"u{number + 1:0{width}d}",
                role=role,
                abusive=abusive,
                locale=locale,
                region=rng.choice(REGIONS_OF.get(locale, REGIONS_OF["en"])),
                new=new,
                signup_ms=self.start - days_before * DAY_MS + rng.randrange(DAY_MS),
            )
            self.accounts.append(account)
            if not abusive:
                self.by_locale.setdefault(locale, []).append(number)
            host = rng.randint(2, 254)
            self.add(
                "signup", account.signup_ms, account.id, device_id=devices[number],
                ip=f"{prefix_text(prefixes[number])}.{host}", region=account.region,
            )  # fmt: skip

    def connect(self) -> None:
        """Mutual contacts and groups among benign accounts of the same language."""
        rng = self.rng
        for locale, members in sorted(self.by_locale.items()):
            if len(members) < 2:
                continue
            for member in members:
                for other in rng.sample(members, min(len(members), rng.randint(*CONTACTS))):
                    if other != member and other not in self.accounts[member].contacts:
                        self.accounts[member].contacts.append(other)
                        self.accounts[other].contacts.append(member)
            groups = [f"g-{locale}-{i:04d}" for i in range(max(1, len(members) // GROUP_SIZE))]
            for member in members:
                self.accounts[member].groups = rng.sample(groups, min(len(groups), 2))

    # -- what ------------------------------------------------------------------------

    def deck(self, role: str, locale: str) -> Deck:
        """The deck of ``role`` in ``locale`` (its largest language when it has none)."""
        source = self.texts.roles[role]
        if locale not in source.texts:
            locale = max(sorted(source.texts), key=lambda x: len(source.texts[x]))
        key = (role, locale)
        if key not in self.decks:
            self.decks[key] = Deck(source.texts[locale], random.Random(f"{self.config.seed}:{key}"))
        return self.decks[key]

    def everyday(self) -> None:
        counts = self.np_rng.poisson(self.config.messages_per_account, len(self.accounts))
        for number, account in enumerate(self.accounts):
            if account.abusive:
                continue
            for _ in range(max(1, int(counts[number]))):
                self.chat(number, self.deck(ORDINARY, account.locale).draw())
            if account.role not in (ORDINARY, VICTIM):
                for _ in range(self.rng.randint(*MENTIONS)):
                    self.chat(number, self.deck(account.role, account.locale).draw(), True)
            if account.contacts and self.rng.random() < PAYER_SHARE:
                for _ in range(self.rng.randint(*FRIEND_PAYMENTS)):
                    self.friend_payment(number)

    def chat(self, number: int, text: str, among_contacts: bool = False) -> None:
        account, rng = self.accounts[number], self.rng
        at = self.moment(rng.randrange(self.config.days))
        draw = rng.random() * (CONTACT_SHARE + GROUP_SHARE if among_contacts else 1)
        if draw < CONTACT_SHARE and account.contacts:
            to = self.accounts[rng.choice(account.contacts)].id
            self.message(at, number, text, recipient_id=to, is_contact=True)
        elif draw < CONTACT_SHARE + GROUP_SHARE and account.groups:
            self.message(at, number, text, group_id=rng.choice(account.groups), is_contact=False)
        else:
            to = self.accounts[self.stranger(number)].id
            self.message(at, number, text, recipient_id=to, is_contact=False)

    def friend_payment(self, number: int) -> None:
        account, rng = self.accounts[number], self.rng
        self.add(
            "payment", self.moment(rng.randrange(self.config.days)), account.id,
            payee_id=self.accounts[rng.choice(account.contacts)].id,
            amount=float(rng.randint(5, 800)), currency=CURRENCY.get(account.locale, "USD"),
            payment_type="red_packet" if rng.random() < 0.2 else "transfer",
            memo=rng.choice(FRIEND_MEMOS.get(account.locale, FRIEND_MEMOS["en"])),
        )  # fmt: skip

    def abuse(self) -> list[int]:
        """Every abusive account's messages and extras; returns the ones victims may pay."""
        rng, payable = self.rng, []
        for number, account in enumerate(self.accounts):
            if not account.abusive:
                continue
            deck = self.deck(account.role, account.locale)
            first = rng.randrange(self.config.days)
            last = min(self.config.days - 1, first + 2)
            targets = self.strangers(number, rng.randint(*ABUSIVE_MESSAGES) + 1)
            extra = targets.pop()  # for a friend request
            sent = []
            for to in targets:
                at = self.moment(rng.randint(first, last))
                text = deck.draw()
                to_id = self.accounts[to].id
                event = self.message(at, number, text, recipient_id=to_id, is_contact=False)
                sent.append((at, to, event, text))
            sent.sort()
            if account.role in REPORTED_ROLES:
                for at, to, event, _ in rng.sample(sent, min(len(sent), rng.randint(*REPORTS))):
                    self.add(
                        "report", self.later(at, 5, 180), self.accounts[to].id,
                        target_account_id=account.id, target_event_id=event, reason="harassment",
                    )  # fmt: skip
            else:
                payable.append(number)
            if rng.random() < PROFILE_SHARE:
                signature = min((text for *_, text in sent), key=len)
                self.add("profile", max(account.signup_ms + 1, sent[0][0] - HOUR_MS),
                         account.id, signature=signature)  # fmt: skip
            if rng.random() < POST_SHARE:
                self.add("post", self.moment(rng.randint(first, last)), account.id,
                         title="", text=deck.draw())  # fmt: skip
            if rng.random() < FRIEND_REQUEST_SHARE:
                self.add("friend_request", self.moment(rng.randint(first, last)), account.id,
                         target_id=self.accounts[extra].id, message=deck.draw())  # fmt: skip
        return payable

    def victims(self, payable: list[int]) -> None:
        """Each victim gets a message from an abuser of its language and pays it."""
        rng = self.rng
        by_locale: dict[str, list[int]] = {}
        for number in payable:
            by_locale.setdefault(self.accounts[number].locale, []).append(number)
        turn: Counter[str] = Counter()
        for victim in self.accounts:
            if victim.role != VICTIM:
                continue
            pool = by_locale.get(victim.locale) or payable
            which = pool[turn[victim.locale] % len(pool)]
            abuser = self.accounts[which]
            turn[victim.locale] += 1
            at = self.moment(rng.randrange(self.config.days))
            text = self.deck(abuser.role, abuser.locale).draw()
            self.message(at, which, text, recipient_id=victim.id, is_contact=False)
            self.add(
                "payment", self.later(at, 20, 360), victim.id, payee_id=abuser.id,
                amount=float(rng.choice(VICTIM_AMOUNTS)),
                currency=CURRENCY.get(victim.locale, "USD"), payment_type="transfer",
                memo=rng.choice(VICTIM_MEMOS.get(victim.locale, VICTIM_MEMOS["en"])),
            )  # fmt: skip

    # -- helpers ---------------------------------------------------------------------

    def stranger(self, number: int) -> int:
        """A benign account of ``number``'s language that is neither it nor a contact."""
        account = self.accounts[number]
        pool = self.by_locale.get(account.locale) or [
            n for members in self.by_locale.values() for n in members
        ]
        for _ in range(20):
            pick = self.rng.choice(pool)
            if pick != number and pick not in account.contacts:
                return pick
        return pick  # a tiny platform: a contact will have to do

    def strangers(self, number: int, count: int) -> list[int]:
        """``count`` distinct benign accounts (of the same language while there are enough)."""
        account = self.accounts[number]
        pool = self.by_locale.get(account.locale, [])
        if len(pool) < count:
            pool = sorted(n for members in self.by_locale.values() for n in members)
        if len(pool) >= count:
            return self.rng.sample(pool, count)
        return [self.rng.choice(pool) for _ in range(count)]

    def moment(self, day: int) -> int:
        hour = self.rng.choices(range(24), cum_weights=_CUM_DAYTIME)[0]
        return self.start + day * DAY_MS + hour * HOUR_MS + self.rng.randrange(HOUR_MS)

    def later(self, at: int, low_minutes: int, high_minutes: int) -> int:
        """A moment some minutes after ``at``, inside the run."""
        delay = self.rng.randint(low_minutes, high_minutes) * MINUTE_MS
        return min(at + delay, self.end - 1)

    def message(self, at: int, number: int, text: str, **where: Any) -> str:
        self.messages[self.accounts[number].role] += 1
        return self.add("message", at, self.accounts[number].id, text=text, **where)

    def add(self, kind: str, ts: int, account: str, **values: Any) -> str:
        day = min(max((ts - self.start) // DAY_MS, 0), self.config.days - 1)
        return self.batches[day].add(kind, ts, account, **values)
