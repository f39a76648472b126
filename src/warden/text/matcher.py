"""Lexicon matching: one Aho-Corasick automaton over every term, then cheap per-hit guards.

The automaton (pyahocorasick, C) runs once over a whole folded batch. Everything Python does
is per *hit*, never per character:

* **word guard** for Latin edges — ``av`` must not hit inside ``have``, ``sex`` not inside
  ``Middlesex`` — but digits and hanzi are fine neighbours (``1av2``, ``av测试``);
* **glue guard** — separators were deleted to see through ``t*a*i*d*u``, so a Latin hit that
  spans a separator between two letters is accepted only where the term itself has a break
  there (a space in ``blow job``, a syllable boundary in ``tai du``) or where the text spells
  letters out one by one (``s e x``); ``have a vocation`` therefore does not yield ``av``;
* **repeat guard** — repeated letters are collapsed (``asssert`` → ``asert``), so a hit must
  have at least as many repeats as the term (``as`` is not ``ass``);
* **allow-list** — a hit lying inside a matched allow phrase of its category (``按摩椅`` for
  ``按摩``) is dropped.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick

from warden.text.lexicon import LexiconEntry
from warden.text.normalize import Folded, FoldedBatch, Normalizer
from warden.text.pinyin import spellings

LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")
_FOLD_CHUNK = 4096


@dataclass(frozen=True, slots=True)
class Pattern:
    """One normalized spelling of one entry, with what the guards need to know about it."""

    entry: int
    variant: str
    length: int
    runs: tuple[int, ...] | None  # None when no letter repeats (nothing to check)
    breaks: frozenset[int]
    latin_start: bool
    latin_end: bool

    @property
    def guarded(self) -> bool:
        """Whether a hit needs any guard at all (a plain hanzi term needs none)."""
        return self.latin_start or self.latin_end or self.variant != "term" or self.runs is not None


@dataclass(frozen=True, slots=True)
class Hit:
    """A guarded hit in one text: entry number, variant and span in the normalized text."""

    entry: int
    variant: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CompileStats:
    """What compiling a lexicon did — so a list that silently lost terms is visible."""

    entries: int
    patterns: int
    unmatchable: tuple[str, ...]  # terms with nothing left after folding (e.g. only punctuation)
    too_short: int = 0  # terms under their source's min_length, not matched


class LexiconIndex:
    """Every entry's spellings in one automaton. Build once (seconds for 100k+ terms), reuse."""

    def __init__(self, entries: Sequence[LexiconEntry], normalizer: Normalizer) -> None:
        self.entries: tuple[LexiconEntry, ...] = tuple(entries)
        self._patterns: list[Pattern] = []
        keyed: dict[str, list[int]] = {}
        seen: set[tuple[str, str | None, bool]] = set()
        unmatchable: list[str] = []
        too_short = 0
        texts, owners = self._spell_all()
        for start in range(0, len(texts), _FOLD_CHUNK):
            batch = normalizer.fold_batch(texts[start : start + _FOLD_CHUNK])
            for folded, (entry_no, variant, spaced) in zip(
                batch.texts, owners[start : start + _FOLD_CHUNK], strict=True
            ):
                key = folded.normalized
                entry = self.entries[entry_no]
                if not key or "\n" in key:
                    if variant == "term":
                        unmatchable.append(entry.term)
                    continue
                if len(key) < entry.min_length:
                    too_short += variant == "term"
                    continue
                identity = (key, entry.category, entry.allow)
                if identity in seen:
                    continue
                seen.add(identity)
                runs = folded.run_lengths(0, len(key))
                self._patterns.append(
                    Pattern(
                        entry=entry_no,
                        variant=variant,
                        length=len(key),
                        runs=runs if any(r > 1 for r in runs) else None,
                        breaks=folded.gaps if spaced else frozenset(),
                        latin_start=key[0] in LATIN,
                        latin_end=key[-1] in LATIN,
                    )
                )
                keyed.setdefault(key, []).append(len(self._patterns) - 1)
        self._guarded = [pattern.guarded for pattern in self._patterns]
        self._automaton = ahocorasick.Automaton()
        for key, pattern_ids in keyed.items():
            self._automaton.add_word(key, (len(key), tuple(pattern_ids)))
        if keyed:
            self._automaton.make_automaton()
        self._empty = not keyed
        self.stats = CompileStats(
            len(self.entries), len(self._patterns), tuple(unmatchable), too_short
        )

    def pattern_keys(self) -> list[str]:
        """Every normalized spelling in the automaton (for baselines and diagnostics)."""
        return [] if self._empty else list(self._automaton.keys())

    def _spell_all(self) -> tuple[list[str], list[tuple[int, str, bool]]]:
        """Every text to fold: each term, and its pinyin spellings spaced and unspaced."""
        texts: list[str] = []
        owners: list[tuple[int, str, bool]] = []
        for number, entry in enumerate(self.entries):
            texts.append(entry.term)
            owners.append((number, "term", True))
            if entry.pinyin == "none" and not entry.initials:
                continue
            mixed = entry.pinyin == "mixed"
            for spelling in spellings(entry.term, mixed=mixed, initials=entry.initials):
                if spelling.kind != "initials" and entry.pinyin == "none":
                    continue
                spaced = _join_spaced(spelling.pieces)
                texts.append(spaced)
                owners.append((number, spelling.kind, True))
                unspaced = "".join(spelling.pieces)
                if unspaced != spaced:
                    texts.append(unspaced)
                    owners.append((number, spelling.kind, False))
        return texts, owners

    def match_batch(self, batch: FoldedBatch) -> list[list[Hit]]:
        """Guarded hits per text of the batch."""
        found: list[list[Hit]] = [[] for _ in batch.texts]
        if self._empty:
            return found
        starts = batch.normalized_starts
        raw: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
        for end, (length, pattern_ids) in self._automaton.iter(batch.normalized):
            begin = end - length + 1
            text_no = bisect.bisect_right(starts, begin) - 1
            offset = starts[text_no]
            raw.setdefault(text_no, []).append((begin - offset, end + 1 - offset, pattern_ids))
        for text_no, hits in raw.items():
            found[text_no] = self._guard(batch.texts[text_no], hits)
        return found

    def _guard(self, folded: Folded, hits: list[tuple[int, int, tuple[int, ...]]]) -> list[Hit]:
        kept: list[Hit] = []
        allowed: list[tuple[int, int, str | None]] = []
        for start, end, pattern_ids in hits:
            for pattern_id in pattern_ids:
                pattern = self._patterns[pattern_id]
                if self._guarded[pattern_id] and not self._accepts(folded, pattern, start, end):
                    continue
                entry = self.entries[pattern.entry]
                if entry.allow:
                    allowed.append((start, end, entry.category))
                else:
                    kept.append(Hit(pattern.entry, pattern.variant, start, end))
        if allowed:
            kept = [hit for hit in kept if not self._suppressed(hit, allowed)]
        return kept

    def _suppressed(self, hit: Hit, allowed: list[tuple[int, int, str | None]]) -> bool:
        category = self.entries[hit.entry].category
        return any(
            start <= hit.start and hit.end <= end and (allow_cat is None or allow_cat == category)
            for start, end, allow_cat in allowed
        )

    @staticmethod
    def _accepts(folded: Folded, pattern: Pattern, start: int, end: int) -> bool:
        text = folded.normalized
        latin_left = pattern.latin_start and start > 0 and text[start - 1] in LATIN
        latin_right = pattern.latin_end and end < len(text) and text[end] in LATIN
        has_latin = pattern.latin_start or pattern.latin_end or pattern.variant != "term"
        if latin_left or latin_right or has_latin:
            gaps = folded.gaps
            if latin_left and start not in gaps:
                return False
            if latin_right and end not in gaps:
                return False
            if gaps and not _glue_ok(text, gaps, pattern.breaks, start, end):
                return False
        if pattern.runs is not None:
            runs = folded.run_lengths(start, end)
            if any(have < need for have, need in zip(runs, pattern.runs, strict=True)):
                return False
        return True


def _glue_ok(text: str, gaps: frozenset[int], breaks: frozenset[int], start: int, end: int) -> bool:
    """Whether every separator inside ``text[start:end]`` between two letters is acceptable."""
    inner = [g for g in gaps if start < g < end]
    for gap in inner:
        if text[gap - 1] not in LATIN or text[gap] not in LATIN:
            continue  # a hanzi or digit on either side: no word is being glued
        if (gap - start) in breaks:
            continue
        if _single_letter(text, gaps, gap - 1, start, end) and _single_letter(
            text, gaps, gap, start, end
        ):
            continue  # spelled out letter by letter: s e x
        return False
    return True


def _single_letter(text: str, gaps: frozenset[int], index: int, start: int, end: int) -> bool:
    """Whether ``text[index]`` stands alone between separators (or the match's edges)."""
    left_alone = index == start or index in gaps or text[index - 1] not in LATIN
    right_alone = index + 1 == end or (index + 1) in gaps or text[index + 1] not in LATIN
    return left_alone and right_alone


def _join_spaced(pieces: Sequence[str]) -> str:
    """Join spelling pieces, with a space between two Latin pieces (a syllable break)."""
    out: list[str] = []
    for piece in pieces:
        if out and out[-1][-1:].isascii() and out[-1][-1:].isalpha() and piece[:1].isascii():
            out.append(" ")
        out.append(piece)
    return "".join(out)
