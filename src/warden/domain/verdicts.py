"""What screening says about one piece of content: matches, entities, category scores.

Pure data (no I/O, no framework): the online service, the sweep and the CLI all pass these
around, and ``to_dict()`` is the one JSON shape they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FLAG_THRESHOLD = 0.5  # a score from which a text counts as flagged in summaries


class EntityKind(StrEnum):
    """Kinds of identifiers that link accounts or move victims off-platform."""

    PHONE = "phone"
    CHAT_HANDLE = "chat_handle"
    QQ = "qq"
    URL = "url"
    DOMAIN = "domain"
    EMAIL = "email"
    IPV4 = "ipv4"


class Platform(StrEnum):
    """Where a chat handle lives."""

    WECHAT = "wechat"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    LINE = "line"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Entity:
    """A contact detail found in a text.

    ``value`` is canonical (phones in E.164, handles lower-cased without their cue), so the
    same handle written two ways links the same accounts; ``start``/``end`` index the
    original text and ``matched`` is what the user wrote there.
    """

    kind: EntityKind
    value: str
    start: int
    end: int
    matched: str
    platform: Platform | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
        }
        if self.platform is not None:
            out["platform"] = self.platform.value
        return out


@dataclass(frozen=True, slots=True)
class Match:
    """One lexicon hit: the term, where it was found in normalized and in original text.

    ``variant`` says how the term was recognised: ``term`` (as written, after folding),
    ``pinyin`` (full pinyin), ``mixed`` (part hanzi, part pinyin) or ``initials``.
    """

    term: str
    category: str
    weight: float
    start: int
    end: int
    matched: str
    norm_start: int
    norm_end: int
    source: str
    variant: str = "term"

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "category": self.category,
            "weight": self.weight,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "norm_start": self.norm_start,
            "norm_end": self.norm_end,
            "source": self.source,
            "variant": self.variant,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """Everything screening found in one text, plus a score per category in [0, 1]."""

    text: str
    categories: dict[str, float]
    matches: tuple[Match, ...] = ()
    entities: tuple[Entity, ...] = ()
    normalized: str = ""
    models: dict[str, dict[str, float]] = field(default_factory=dict)
    #: how much the text reads as doing (1.0) rather than talking about (less) what it
    #: scores for, and the cues that say so (:mod:`warden.text.intent`)
    intent: float = 1.0
    intent_cues: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        """True when any category scored at least ``FLAG_THRESHOLD`` (0.5)."""
        return any(score >= FLAG_THRESHOLD for score in self.categories.values())

    def top_category(self) -> tuple[str, float] | None:
        """The highest-scoring category, or None for clean text."""
        if not self.categories:
            return None
        name = max(self.categories, key=lambda c: self.categories[c])
        return name, self.categories[name]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "categories": dict(sorted(self.categories.items())),
            "matches": [m.to_dict() for m in self.matches],
            "entities": [e.to_dict() for e in self.entities],
            "normalized": self.normalized,
        }
        if self.models:
            out["models"] = self.models
        if self.categories:
            out["intent"] = {"weight": self.intent, "cues": list(self.intent_cues)}
        return out
