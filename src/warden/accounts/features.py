"""Account features: what accounts do, folded event by event into the numbers rules read.

One :class:`FeatureFolder` serves online ingestion and the batch sweep: both feed it events in
time order (with each event's content verdict) and read :meth:`FeatureFolder.features`, whose
keys are the names a policy condition may use (``warden.policy.names``). State lives in a
:class:`~warden.accounts.counters.Counters` backend — in-process or Redis — keyed by event
time, so the same events give the same features however they arrive.

Definitions (windows end at the moment asked for):

* ``score.<category>`` — highest content score of the account's messages, posts, comments,
  profile and the memos of payments *it received* in 7 days; ``count.<category>`` — how many
  of those scored ≥ 0.5. A payment memo is evidence about the payee, not the payer: the
  victim who pays a "解冻费" is not the scammer;
* ``intent.<category>`` — the account-level evidence: over 7 days, the sum of each piece of
  content's score (from 0.3) × where it went (:data:`REACH`: a stranger or the public 1, a
  group 0.6, a contact 0.1, a memo to the payee 0.5) × how it reads (the verdict's intent
  weight: a mention of abuse — news, a warning, a complaint — counts 0.15, see
  :mod:`warden.text.intent`), each piece counting at most 1. Several moderately suspicious
  messages to strangers add up; talk about abuse among friends does not;
* ``latest.<category>`` — when (Unix seconds) the latest piece of content that counted at
  least 0.25 towards ``intent.<category>`` was written (0: none). The planner uses it so
  that one message never earns a rule two strikes (:mod:`warden.enforce.planner`);
* ``features.msgs_per_hour``, ``features.distinct_recipients_day``,
  ``features.stranger_ratio`` (share of the last 24 h's private messages sent to non-contacts),
  ``features.friend_requests_per_hour``, ``features.group_invites_day``;
* ``features.near_duplicate_recipients_hour`` — distinct non-contact recipients in the last
  hour who received the same normalized text as the account's latest message (blasts);
* ``features.payers_day`` (distinct payers, 24 h), ``features.payments_out_day``,
  ``features.small_payments_after_ad_day`` — payments of at most 500 received within 24 h
  after a message that scored ≥ 0.5 for sexual_services ("deposit first" scams);
* ``features.reports_weighted`` — reports received in 30 days, one per reporter, each weighted
  by the reporter's standing (accounts younger than a day count 0.3);
* ``features.account_age_days`` — since signup (or first sight);
* ``ring.size``, ``ring.score`` — the ring the account belongs to, as found by the last
  sweep (``warden.sweep.rings``); 0 when it is in none;
* ``entities.contact_handles`` — distinct phones, chat handles, QQ numbers and group links
  the account advertised in content, profile or the codes in its pictures in 30 days;
  ``entities.has_contact`` — at least one;
* ``media.score.<category>`` — highest score of the text read in the account's pictures
  (OCR and code payloads) in 7 days; ``media.qr_contacts`` — distinct contacts and group
  links in QR codes of its pictures, 30 days;
* ``media.bank_match.<bank>`` — pictures the account posted in 7 days that matched an entry
  of the hash bank (for the banks the pack names).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from warden.accounts.content import ContentLog, Contribution, CountersContentLog
from warden.accounts.counters import Counters
from warden.domain.events import (
    CommentEvent,
    Event,
    FriendRequestEvent,
    GroupInviteEvent,
    MessageEvent,
    PaymentEvent,
    ReportEvent,
    SignupEvent,
)
from warden.domain.verdicts import EntityKind, Verdict

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)
FLAG = 0.5
INTENT_FLOOR = 0.3  # content scoring less than this for a category is no evidence of it
INCIDENT = 0.25  # content counting at least this much towards intent.* is a new incident
#: how much a piece of content counts towards intent.* by where it went
REACH = {
    "stranger": 1.0,
    "public": 1.0,
    "group": 0.6,
    "memo": 0.5,
    "contact": 0.1,
}
SMALL_PAYMENT = 500.0
NEW_REPORTER_WEIGHT = 0.3
CONTACT_KINDS = frozenset(
    {EntityKind.PHONE, EntityKind.CHAT_HANDLE, EntityKind.QQ, EntityKind.GROUP_LINK}
)

#: The window each key is read with (see :meth:`FeatureFolder.features`), told to the counters
BY_HOUR, BY_DAY, BY_WEEK, BY_MONTH = (HOUR,), (DAY,), (WEEK,), (MONTH,)

Features = dict[str, float | bool]
#: ``(account, at) → when the account signed up or was first seen, as of at`` (or None)
SinceFn = Callable[[str, datetime], datetime | None]


class FeatureFolder:
    """Folds events into per-account windowed state and reads it back as policy features."""

    def __init__(
        self,
        counters: Counters,
        categories: Iterable[str],
        *,
        rings: Mapping[str, tuple[int, float]] | None = None,
        since: SinceFn | None = None,
        content: ContentLog | None = None,
        banks: Iterable[str] = (),
    ) -> None:
        """``rings`` maps a ring member to its ring's (size, score) — found by a sweep, read by
        ``ring.*``; without it every account is in no ring. ``since`` answers how old another
        account is (a reporter) where that account's own events are folded elsewhere (a
        sweep shards accounts over workers); by default the counters answer. ``content``
        records what counted towards ``intent.*`` (:mod:`warden.accounts.content`); by
        default it is kept in the counters. ``banks`` are the hash banks whose matches
        ``media.bank_match.<bank>`` reads."""
        self.counters = counters
        self.categories = tuple(categories)
        self.banks = tuple(banks)
        self.rings = rings or {}
        self._since = since
        self.content: ContentLog = content or CountersContentLog(counters)
        self._getters = self._definitions()

    def fold(self, event: Event, verdicts: Iterable[Verdict] = ()) -> set[str]:
        """Fold one event (and the verdicts of its content); returns the accounts it touched."""
        c, at, account = self.counters, event.ts, event.account_id
        touched = touched_by(event)
        c.put_if_absent(f"{account}:first_seen", at.isoformat())
        owner, reach = content_owner(event), REACH[audience(event)]
        for verdict in verdicts:
            self._content(owner, at, verdict, reach, event.event_id)
        if isinstance(event, MessageEvent):
            self._message(event, verdicts)
        elif isinstance(event, PaymentEvent):
            c.add(f"{account}:payments_out", at, windows=BY_DAY)
            payee = event.payee_id
            c.add_distinct(f"{payee}:payers", account, at, windows=BY_DAY)
            last_ad = c.get(f"{payee}:last_ad_at")
            if (
                event.amount <= SMALL_PAYMENT
                and last_ad is not None
                and at - DAY <= datetime.fromisoformat(last_ad) <= at
            ):
                c.add(f"{payee}:small_after_ad", at, windows=BY_DAY)
        elif isinstance(event, ReportEvent):
            target = event.target_account_id
            if c.remember(f"{target}:reporters", account, MONTH):
                c.add(
                    f"{target}:reports_w", at, self._reporter_weight(account, at), windows=BY_MONTH
                )
        elif isinstance(event, FriendRequestEvent):
            c.add(f"{account}:friend_reqs", at, windows=BY_HOUR)
        elif isinstance(event, GroupInviteEvent):
            c.add(f"{account}:group_invites", at, float(len(event.invitee_ids)), windows=BY_DAY)
        elif isinstance(event, SignupEvent):
            c.put_if_absent(f"{account}:created", at.isoformat())
        return touched

    def _content(
        self, account: str, at: datetime, verdict: Verdict, reach: float, event_id: str
    ) -> None:
        c = self.counters
        for category, score in verdict.categories.items():
            c.keep_max(f"{account}:score:{category}", at, score, windows=BY_WEEK)
            if score >= FLAG:
                c.add(f"{account}:count:{category}", at, windows=BY_WEEK)
            weight = intent_weight(score, reach, verdict.intent)
            if weight:
                c.add(f"{account}:intent:{category}", at, weight, windows=BY_WEEK)
                self.content.add(
                    account,
                    Contribution(
                        category, event_id, at.timestamp(), round(score, 4), round(weight, 4)
                    ),
                )
                if weight >= INCIDENT:
                    c.put(f"{account}:latest:{category}", str(at.timestamp()))
        if verdict.categories.get("sexual_services", 0.0) >= FLAG:
            c.put(f"{account}:last_ad_at", at.isoformat())
        self._contacts(f"{account}:handles", at, verdict)
        if verdict.media is not None:
            self._picture(account, at, verdict)

    def _contacts(self, key: str, at: datetime, verdict: Verdict) -> None:
        """The verdict's contact entities, as distinct ``kind:value`` members of ``key``."""
        for entity in verdict.entities:
            if entity.kind in CONTACT_KINDS:
                self.counters.add_distinct(
                    key, f"{entity.kind.value}:{entity.value}", at, windows=BY_MONTH
                )

    def _picture(self, account: str, at: datetime, verdict: Verdict) -> None:
        """What a picture's verdict adds: its text's scores, its codes' contacts, and the
        banks it matched (one count per bank, however many entries matched)."""
        c = self.counters
        for category, score in verdict.categories.items():
            c.keep_max(f"{account}:media_score:{category}", at, score, windows=BY_WEEK)
        assert verdict.media is not None
        if verdict.media.source == "qr":
            self._contacts(f"{account}:qr_contacts", at, verdict)
        for bank in sorted({m.bank for m in verdict.media.bank_matches}):
            c.add(f"{account}:bank:{bank}", at, windows=BY_WEEK)

    def contributions(
        self, account: str, at: datetime, categories: Iterable[str]
    ) -> list[Contribution]:
        """The content that counted towards ``intent.<category>`` of ``account`` in the week
        up to ``at``, for each of ``categories``, oldest first (from the content log)."""
        return self.content.recent(account, at, categories)

    def _message(self, event: MessageEvent, verdicts: Iterable[Verdict]) -> None:
        c, at, account = self.counters, event.ts, event.account_id
        c.add(f"{account}:msgs", at, windows=BY_HOUR)
        c.add_distinct(
            f"{account}:recipients",
            event.recipient_id or f"group:{event.group_id}",
            at,
            windows=BY_DAY,
        )
        if event.recipient_id is None:
            return
        c.add(f"{account}:private_msgs", at, windows=BY_DAY)
        if event.is_contact:
            return
        c.add(f"{account}:stranger_msgs", at, windows=BY_DAY)
        normalized = next((v.normalized for v in verdicts), event.text)
        fingerprint = hashlib.blake2b(normalized.encode(), digest_size=8).hexdigest()
        c.add_distinct(f"{account}:dup:{fingerprint}", event.recipient_id, at, windows=BY_HOUR)
        c.put(f"{account}:last_fingerprint", fingerprint)

    def _reporter_weight(self, reporter: str, at: datetime) -> float:
        since = self._since(reporter, at) if self._since else self.since(reporter)
        if since is not None and at - since < DAY:
            return NEW_REPORTER_WEIGHT
        return 1.0

    def since(self, account: str) -> datetime | None:
        """When ``account`` signed up, or else when it was first seen (as folded so far)."""
        value = self.counters.get(f"{account}:created") or self.counters.get(
            f"{account}:first_seen"
        )
        return datetime.fromisoformat(value) if value is not None else None

    def features(self, account: str, at: datetime) -> Features:
        """The policy environment of ``account`` at ``at`` (see the module docstring).

        Counters that can answer many reads at once (Redis: one round trip instead of forty,
        :meth:`~warden.accounts.redis_counters.RedisCounters.batched_reads`) are asked so."""
        getters = self._getters
        batched = getattr(self.counters, "batched_reads", None)
        if batched is None:
            return {name: value(account, at) for name, value in getters.items()}

        def ask() -> None:
            for value in getters.values():
                value(account, at)

        with batched(ask):
            return {name: value(account, at) for name, value in getters.items()}

    def feature(self, account: str, at: datetime, name: str) -> float | bool:
        """One name of :meth:`features` (a sweep asks a few before deciding to ask all)."""
        return self._getters[name](account, at)

    def _definitions(self) -> dict[str, Callable[[str, datetime], float | bool]]:
        """Every feature as a function of (account, at), in the order features() lists them."""
        c = self.counters
        out: dict[str, Callable[[str, datetime], float | bool]] = {}
        for category in self.categories:
            out[f"score.{category}"] = _windowed(c.maximum, f":score:{category}", WEEK)
            out[f"count.{category}"] = _windowed(c.total, f":count:{category}", WEEK)
            out[f"intent.{category}"] = _windowed(c.total, f":intent:{category}", WEEK)
            out[f"latest.{category}"] = _stored_number(c.get, f":latest:{category}")
        for category in self.categories:
            out[f"media.score.{category}"] = _windowed(c.maximum, f":media_score:{category}", WEEK)
        for bank in self.banks:
            out[f"media.bank_match.{bank}"] = _windowed(c.total, f":bank:{bank}", WEEK)

        def stranger_ratio(a: str, at: datetime) -> float:
            # both read every time: counters that batch reads can foresee them (Redis)
            strangers = c.total(f"{a}:stranger_msgs", at, DAY)
            private = c.total(f"{a}:private_msgs", at, DAY)
            return strangers / private if private else 0.0

        def near_duplicates(a: str, at: datetime) -> float:
            fingerprint = c.get(f"{a}:last_fingerprint")
            return float(c.distinct(f"{a}:dup:{fingerprint}", at, HOUR) if fingerprint else 0)

        def age_days(a: str, at: datetime) -> float:
            since = self.since(a)
            return (at - since).total_seconds() / 86400 if since else 0.0

        out |= {
            "features.msgs_per_hour": lambda a, at: c.total(f"{a}:msgs", at, HOUR),
            "features.distinct_recipients_day": lambda a, at: float(
                c.distinct(f"{a}:recipients", at, DAY)
            ),
            "features.stranger_ratio": stranger_ratio,
            "features.friend_requests_per_hour": lambda a, at: c.total(
                f"{a}:friend_reqs", at, HOUR
            ),
            "features.group_invites_day": lambda a, at: c.total(f"{a}:group_invites", at, DAY),
            "features.near_duplicate_recipients_hour": near_duplicates,
            "features.payers_day": lambda a, at: float(c.distinct(f"{a}:payers", at, DAY)),
            "features.payments_out_day": lambda a, at: c.total(f"{a}:payments_out", at, DAY),
            "features.small_payments_after_ad_day": lambda a, at: c.total(
                f"{a}:small_after_ad", at, DAY
            ),
            "features.reports_weighted": lambda a, at: c.total(f"{a}:reports_w", at, MONTH),
            "features.account_age_days": age_days,
            "entities.contact_handles": lambda a, at: float(c.distinct(f"{a}:handles", at, MONTH)),
            "entities.has_contact": lambda a, at: c.distinct(f"{a}:handles", at, MONTH) > 0,
            "media.qr_contacts": lambda a, at: float(c.distinct(f"{a}:qr_contacts", at, MONTH)),
            "ring.size": lambda a, at: float(self.rings.get(a, (0, 0.0))[0]),
            "ring.score": lambda a, at: self.rings.get(a, (0, 0.0))[1],
        }
        return out


def _windowed(
    read: Callable[[str, datetime, timedelta], float], suffix: str, window: timedelta
) -> Callable[[str, datetime], float]:
    """``read(account + suffix, at, window)`` as a feature of (account, at)."""
    return lambda account, at: read(account + suffix, at, window)


def _stored_number(
    get: Callable[[str], str | None], suffix: str
) -> Callable[[str, datetime], float]:
    """A number kept with ``put`` (0 when never kept) as a feature of (account, at)."""

    def read(account: str, at: datetime) -> float:
        value = get(account + suffix)
        return float(value) if value is not None else 0.0

    return read


def touched_by(event: Event) -> set[str]:
    """The accounts an event's fold touches: its author, a payment's payee, a report's target."""
    if isinstance(event, PaymentEvent):
        return {event.account_id, event.payee_id}
    if isinstance(event, ReportEvent):
        return {event.account_id, event.target_account_id}
    return {event.account_id}


def intent_weight(score: float, reach: float, intent: float) -> float:
    """How much one piece of content adds to ``intent.<category>`` (0 under the floor)."""
    return min(1.0, score * reach * intent) if score >= INTENT_FLOOR else 0.0


def content_owner(event: Event) -> str:
    """The account an event's content is evidence about: the payee for a payment's memo
    (written by the payer about what the payee sold), the author otherwise."""
    return event.payee_id if isinstance(event, PaymentEvent) else event.account_id


def audience(event: Event) -> str:
    """Where an event's content went, as a key of :data:`REACH`."""
    if isinstance(event, MessageEvent):
        if event.recipient_id is None:
            return "group"
        return "contact" if event.is_contact else "stranger"
    if isinstance(event, PaymentEvent):
        return "memo"
    if isinstance(event, CommentEvent):
        return "group"
    return "public"  # posts, profiles, friend-request greetings
