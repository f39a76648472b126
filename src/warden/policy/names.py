"""The names a rule condition may read, with their types: the contract with feature folding.

A condition can only use names declared here, so a typo in a policy pack fails when the
pack is loaded (with close matches suggested), not silently at 3 a.m. as a rule that never
fires. Feature folding (:mod:`warden.accounts.features`) promises a value for every name;
a value it does not provide reads as the type's zero (see :mod:`warden.policy.evaluation`).

Names come in two kinds: fixed ones (``features.msgs_per_hour``) and per-category ones
(``score.<category>``), which expand over the categories of the pack being loaded. To add a
name, add a :class:`NameSpec` to :data:`FIXED_NAMES` or :data:`PER_CATEGORY` and document it
in ``docs/policy.md`` (a test compares the two), or extend a registry at run time with
:meth:`NameRegistry.with_names`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from warden.policy.syntax import ValueType


@dataclass(frozen=True, slots=True)
class NameSpec:
    """One name (or per-category name pattern, written with ``<category>``) and its meaning."""

    name: str
    type: ValueType
    meaning: str


PER_CATEGORY: tuple[NameSpec, ...] = (
    NameSpec(
        "score.<category>",
        ValueType.NUMBER,
        "highest category score (0..1) of the account's content in the last 7 days",
    ),
    NameSpec(
        "count.<category>",
        ValueType.NUMBER,
        "pieces of the account's content flagged for the category (score ≥ 0.5) in 7 days",
    ),
    NameSpec(
        "intent.<category>",
        ValueType.NUMBER,
        "account-level evidence of the category in 7 days: per piece of content, score × "
        "where it went (stranger or public 1, group 0.6, memo to the payee 0.5, contact 0.1) "
        "× how it reads (a mention of abuse 0.15), summed",
    ),
    NameSpec(
        "media.score.<category>",
        ValueType.NUMBER,
        "highest category score (0..1) of text read in the account's pictures (OCR, QR "
        "payloads) in 7 days",
    ),
    NameSpec(
        "latest.<category>",
        ValueType.NUMBER,
        "when (Unix seconds) the latest content that counted towards intent of the category "
        "was written; 0 when none",
    ),
)

FIXED_NAMES: tuple[NameSpec, ...] = (
    NameSpec("features.msgs_per_hour", ValueType.NUMBER, "messages sent in the last hour"),
    NameSpec(
        "features.distinct_recipients_day",
        ValueType.NUMBER,
        "distinct accounts messaged in 24 h",
    ),
    NameSpec(
        "features.stranger_ratio",
        ValueType.NUMBER,
        "share (0..1) of the last 24 h's private messages sent to non-contacts",
    ),
    NameSpec("features.friend_requests_per_hour", ValueType.NUMBER, "friend requests sent, 1 h"),
    NameSpec("features.group_invites_day", ValueType.NUMBER, "group invitations sent, 24 h"),
    NameSpec(
        "features.near_duplicate_recipients_hour",
        ValueType.NUMBER,
        "distinct non-contact recipients in the last hour that got near-identical text",
    ),
    NameSpec("features.payers_day", ValueType.NUMBER, "distinct accounts that paid it, 24 h"),
    NameSpec(
        "features.small_payments_after_ad_day",
        ValueType.NUMBER,
        "payments of at most 500 received within 24 h after a sexual_services-flagged message",
    ),
    NameSpec("features.payments_out_day", ValueType.NUMBER, "payments it made, 24 h"),
    NameSpec(
        "features.reports_weighted",
        ValueType.NUMBER,
        "reports received in 30 days, one per reporter, weighted by the reporter's standing",
    ),
    NameSpec("features.account_age_days", ValueType.NUMBER, "days since signup (or first sight)"),
    NameSpec(
        "entities.contact_handles",
        ValueType.NUMBER,
        "distinct phones / chat handles advertised in content and profile, 30 days",
    ),
    NameSpec("entities.has_contact", ValueType.BOOL, "at least one contact handle advertised"),
    NameSpec(
        "media.qr_contacts",
        ValueType.NUMBER,
        "distinct contacts and group links in QR codes of the account's pictures, 30 days",
    ),
    NameSpec("ring.size", ValueType.NUMBER, "accounts in the account's ring; 0 when in none"),
    NameSpec("ring.score", ValueType.NUMBER, "how strongly the ring is tied to abuse (0..1)"),
)


#: Names that expand over the hash banks a pack names (``banks:``), like per-category ones.
PER_BANK: tuple[NameSpec, ...] = (
    NameSpec(
        "media.bank_match.<bank>",
        ValueType.NUMBER,
        "pictures the account posted in 7 days that matched an entry of the hash bank "
        "(PDQ, within 31 bits)",
    ),
)


class NameRegistry(Mapping[str, ValueType]):
    """The known names of one pack: a read-only ``name → type`` mapping plus meanings."""

    def __init__(self, specs: Iterable[NameSpec]) -> None:
        self._specs: dict[str, NameSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"name {spec.name!r} is declared twice")
            self._specs[spec.name] = spec

    @classmethod
    def for_categories(cls, categories: Iterable[str], banks: Iterable[str] = ()) -> NameRegistry:
        """The standard names, with the per-category ones expanded over ``categories`` and
        the per-bank ones over ``banks``."""
        expanded = [
            NameSpec(p.name.replace("<category>", c), p.type, p.meaning.replace("the category", c))
            for p in PER_CATEGORY
            for c in categories
        ]
        per_bank = [
            NameSpec(p.name.replace("<bank>", b), p.type, p.meaning.replace("the hash bank", b))
            for p in PER_BANK
            for b in banks
        ]
        return cls([*expanded, *FIXED_NAMES, *per_bank])

    def with_names(self, extra: Iterable[NameSpec]) -> NameRegistry:
        """A registry with ``extra`` names added (for deployments that fold more features)."""
        return NameRegistry([*self._specs.values(), *extra])

    def spec(self, name: str) -> NameSpec:
        return self._specs[name]

    def __getitem__(self, name: str) -> ValueType:
        return self._specs[name].type

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


def documented_patterns() -> tuple[str, ...]:
    """Every name as the docs table writes it (per-category names with ``<category>``)."""
    return tuple(spec.name for spec in (*PER_CATEGORY, *FIXED_NAMES, *PER_BANK))
