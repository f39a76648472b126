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
    GROUP_LINK = "group_link"  # an invitation to a WeChat / QQ / Telegram / WhatsApp group
    IMAGE = "image"  # a picture's PDQ hash (hex): near-identical pictures link accounts


class Platform(StrEnum):
    """Where a chat handle lives."""

    WECHAT = "wechat"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    LINE = "line"
    QQ = "qq"
    UNKNOWN = "unknown"


#: A rectangle in a picture, in pixels of the image as decoded: (left, top, width, height).
Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class BankMatch:
    """A picture near an entry of a hash bank: which bank, which entry, how near (bits)."""

    bank: str
    entry: str  # the entry's content id in the bank
    distance: int  # Hamming distance between the PDQ hashes, 0..256
    hash: str  # the banked hash (hex)

    def to_dict(self) -> dict[str, Any]:
        return {"bank": self.bank, "entry": self.entry, "distance": self.distance,
                "hash": self.hash}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MediaSpot:
    """Which picture a verdict is about, and what was read from it.

    A picture gives one verdict of ``source`` ``image`` (its hash, bank matches, or the
    ``problem`` that kept it from being read: a limit, a corrupt file), one of ``ocr`` for
    the text read in it and one of ``qr`` per code decoded (``box``: where the code is)."""

    media_id: str
    source: str  # "image" | "ocr" | "qr"
    box: Box | None = None
    sha256: str = ""
    pdq: str = ""  # hex; "" when not hashed
    quality: int = 0  # PDQ's quality, 0..100 (hashes under 50 match too easily)
    size: tuple[int, int] | None = None  # width, height as decoded
    code_format: str = ""  # for a code: QRCode, DataMatrix, EAN13, …
    bank_matches: tuple[BankMatch, ...] = ()
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"media_id": self.media_id, "source": self.source}
        if self.box is not None:
            out["box"] = list(self.box)
        for name in ("sha256", "pdq", "code_format", "problem"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.pdq:
            out["quality"] = self.quality
        if self.size is not None:
            out["size"] = list(self.size)
        if self.bank_matches:
            out["bank_matches"] = [m.to_dict() for m in self.bank_matches]
        return out


@dataclass(frozen=True, slots=True)
class Entity:
    """A contact detail found in a text.

    ``value`` is canonical (phones in E.164, handles lower-cased without their cue), so the
    same handle written two ways links the same accounts; ``start``/``end`` index the
    original text and ``matched`` is what the user wrote there. ``source`` says where the
    text came from when it was not typed: ``qr`` (a decoded QR code or barcode), ``ocr``
    (read in a picture) or ``pdq`` (an image's perceptual hash).
    """

    kind: EntityKind
    value: str
    start: int
    end: int
    matched: str
    platform: Platform | None = None
    source: str | None = None

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
        if self.source is not None:
            out["source"] = self.source
        return out


@dataclass(frozen=True, slots=True)
class Match:
    """One lexicon hit: the term, where it was found in normalized and in original text.

    ``variant`` says how the term was recognised: ``term`` (as written, after folding),
    ``pinyin`` (full pinyin), ``mixed`` (part hanzi, part pinyin) or ``initials``. ``box``
    is where in a picture the matched text was read (:data:`Box`), for text found by OCR.
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
    box: Box | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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
        if self.box is not None:
            out["box"] = list(self.box)
        return out


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
    #: the picture this verdict is about (None for typed text; :mod:`warden.media`)
    media: MediaSpot | None = None

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
        if self.media is not None:
            out["media"] = self.media.to_dict()
        return out
