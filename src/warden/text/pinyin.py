"""Pinyin spellings of hanzi terms: how 台独 is also written ``tai du``, ``t*a*i*d*u`` or 台du.

Writers who evade filters type the pronunciation instead of the character. Rather than
transliterating every message (slow, and ambiguous for Latin text), each hanzi lexicon term
is expanded once, at build time, into the spellings it can take:

* ``pinyin`` — the full pinyin, syllables marked as allowed word breaks (``tai|du``), so the
  matcher accepts ``taidu`` and ``tai du`` but not ``ta idu``;
* ``mixed`` — every mixture of hanzi and pinyin (野huo, 北ji) for terms of 2–4 hanzi;
* ``initials`` — ``cnm`` for 草泥马, only where the lexicon asks for it: initials of two or
  three letters are ordinary abbreviations far too often to be on by default.

A spelling is returned as its pieces; the caller joins them and lets the Normalizer fold it,
so a variant is matched exactly like the text it will be compared with.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

HANZI_TERM = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
MIN_PINYIN_LETTERS = 4  # "sb"-length pinyin is an abbreviation trap, not evidence
MAX_MIXED_HANZI = 4  # 2^4 - 2 = 14 mixtures at most per term


@dataclass(frozen=True, slots=True)
class Spelling:
    """One way of writing a term: its pieces (a hanzi or a pinyin syllable each) and its kind."""

    pieces: tuple[str, ...]
    kind: str  # "pinyin" | "mixed" | "initials"


def spellings(term: str, *, mixed: bool, initials: bool) -> list[Spelling]:
    """The pinyin spellings of a hanzi-only term (empty for anything else)."""
    if not HANZI_TERM.fullmatch(term):
        return []
    syllables = lazy_pinyin(term, style=Style.NORMAL, errors="ignore")
    if len(syllables) != len(term) or not all(s.isascii() and s.isalpha() for s in syllables):
        return []
    out: list[Spelling] = []
    if sum(map(len, syllables)) >= MIN_PINYIN_LETTERS:
        out.append(Spelling(tuple(syllables), "pinyin"))
    if mixed and len(term) <= MAX_MIXED_HANZI:
        for choice in itertools.product((False, True), repeat=len(term)):
            if all(choice) or not any(choice):
                continue
            pieces = tuple(
                syllable if use_pinyin else char
                for char, syllable, use_pinyin in zip(term, syllables, choice, strict=True)
            )
            out.append(Spelling(pieces, "mixed"))
    if initials:
        letters = lazy_pinyin(term, style=Style.FIRST_LETTER, errors="ignore")
        out.append(Spelling(tuple(letters), "initials"))
    return out
