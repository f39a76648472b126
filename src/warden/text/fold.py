"""Unicode folding tables: the character-level half of evasion-proof normalization.

Abusers hide words behind look-alike characters: full-width letters (ｓｅｘ), circled and
parenthesized forms (Ⓕⓤ⒞⒦, ①⑸⒋➃㈤㊄), mathematical alphanumerics (𝐟𝐮𝐜𝐤), super- and
subscripts, Cyrillic/Greek homoglyphs (сех), styled Chinese numerals in phone numbers
(壹叁捌, 幺, 〇) and invisible characters between letters. Every one of those is a per-character
substitution, so it is folded by ``str.translate`` with a table computed once per process —
C speed, no Python loop per character.

Two tables share the letter/digit folding and differ in what they do with the rest:

* the **match view** (lexicon matching) turns every non-alphanumeric character into a
  separator (``SEP``, a space) and every invisible one into ``IGNORE`` (``\\x00``); the
  normalizer later deletes both, remembering where separators were, so ``傻@冒`` and
  ``t*a*i*d*u`` match while Latin words are not glued together;
* the **entity view** (contact extraction) keeps the punctuation that contact details are
  written with (``@ . : / _ - +``, folded to ASCII), because a WeChat id or a URL needs them.

Both tables are *length-preserving*: each character maps to exactly one character, so an
offset in a folded string is an offset in the input. The few characters whose fold is
longer than one character (``⑩`` → ``10``, ``ß`` → ``ss``, ligatures) are listed in
``expansions()`` and handled by the normalizer's slow path before translation.
"""

from __future__ import annotations

import unicodedata
from functools import cache

SEP = " "
IGNORE = "\x00"
REPEAT = "\x01"  # a repeated letter collapsed into its predecessor (set by the normalizer)
RECORD = "\x1e"  # separates the texts of a batch inside one joined string
BREAK = "\n"  # a hard break: no match may span it

#: Styled Chinese numerals that stand for digits in phone numbers and in lexicon terms
#: (下3滥 ≡ 下三滥). ``十`` is deliberately absent: it is not a digit but a multiplier.
CHINESE_DIGITS = {
    "零": "0", "〇": "0", "洞": None,
    "一": "1", "壹": "1", "幺": "1", "么": None,
    "二": "2", "贰": "2", "两": "2", "貳": "2",
    "三": "3", "叁": "3", "參": None,
    "四": "4", "肆": "4",
    "五": "5", "伍": "5",
    "六": "6", "陆": "6", "陸": "6",
    "七": "7", "柒": "7",
    "八": "8", "捌": "8",
    "九": "9", "玖": "9",
}  # fmt: skip

#: Cyrillic and Greek letters that render like Latin ones (after lower-casing).
HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b", "г": "r", "п": "n",
    "з": "3", "ч": "4",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    "μ": "u", "ς": "c", "σ": "o",
}  # fmt: skip

#: Punctuation that the entity view keeps (after NFKC) because contact details use it.
ENTITY_PUNCT = frozenset("@.:/_-+#?=&%~")
#: Punctuation folded to ASCII for the entity view beyond what NFKC does.
ENTITY_PUNCT_EXTRA = {"。": ".", "｡": ".", "➕": "+", "﹢": "+", "＋": "+", "＠": "@", "·": "."}

# Ranges scanned when building the tables. CJK ideographs, Hangul and private-use areas are
# skipped: they fold to themselves (traditional → simplified is OpenCC's job, not ours).
_SCAN_RANGES = (
    (0x0000, 0x3400),
    (0xA000, 0xAC00),
    (0xF900, 0x10000),
    (0x1D400, 0x1D800),  # mathematical alphanumerics
    (0x1F000, 0x1FB00),  # enclosed alphanumerics, emoji and pictographs
    (0xE0000, 0xE0080),  # tag characters (invisible)
    (0xE0100, 0xE01F0),  # variation selectors supplement
)
_DIGIT_NAMES = {
    "ZERO": "0", "ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4",
    "FIVE": "5", "SIX": "6", "SEVEN": "7", "EIGHT": "8", "NINE": "9",
}  # fmt: skip


def _letter_fold(char: str) -> str | None:
    """The alphanumeric content of ``char`` folded to its plain form, or None if it has none.

    ``Ⓕ`` → ``f``, ``⑸`` → ``5``, ``㈤`` → ``5``, ``𝐟`` → ``f``, ``é`` → ``e``, ``с`` (Cyrillic) → ``c``.
    """
    category = unicodedata.category(char)
    name = unicodedata.name(char, "")
    if category[0] not in "LN" and not (category == "So" and ("LETTER" in name or "DIGIT" in name)):
        return None
    if "REGIONAL INDICATOR" in name:
        return None
    folded = unicodedata.normalize("NFKC", char).casefold()
    folded = "".join(c for c in folded if c.isalnum())
    if folded == char.casefold() and category == "So":
        # Styled letters without a compatibility decomposition (🅰, ➃): read the name.
        words = name.split()
        if "LETTER" in words and len(words[-1]) == 1:
            folded = words[-1].lower()
        elif "DIGIT" in words and words[-1] in _DIGIT_NAMES:
            folded = _DIGIT_NAMES[words[-1]]
    if category == "No" and not folded.isascii():
        digit = unicodedata.digit(char, None)
        if digit is not None:
            folded = str(digit)
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    if stripped:
        folded = stripped
    folded = "".join(HOMOGLYPHS.get(c, c) for c in folded)
    folded = "".join(CHINESE_DIGITS.get(c) or c for c in folded)
    return folded or None


def _is_ignorable(char: str) -> bool:
    """Characters that are invisible or only decorate the previous one (never a word break)."""
    category = unicodedata.category(char)
    code = ord(char)
    return (
        category in ("Mn", "Me", "Cf")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0xE0000 <= code <= 0xE007F
        or char == "\u00ad"
    )


@cache
def _fold_all() -> tuple[dict[int, str], dict[str, str]]:
    """Alphanumeric folds of every scanned character: (one-char folds, multi-char folds)."""
    single: dict[int, str] = {}
    multi: dict[str, str] = {}
    for low, high in _SCAN_RANGES:
        for code in range(low, high):
            char = chr(code)
            if unicodedata.category(char) in ("Cn", "Cs", "Co"):
                continue
            folded = _letter_fold(char)
            if folded is None or folded == char:
                continue
            if len(folded) == 1:
                single[code] = folded
            else:
                multi[char] = folded
    for char, digit in CHINESE_DIGITS.items():
        if digit is not None:
            single[ord(char)] = digit
    return single, multi


@cache
def match_table() -> dict[int, str]:
    """``str.translate`` table for the match view (see the module docstring)."""
    single, multi = _fold_all()
    table: dict[int, str] = dict(single)
    for low, high in _SCAN_RANGES:
        for code in range(low, high):
            char = chr(code)
            if code in table or char in multi or unicodedata.category(char) in ("Cn", "Co"):
                continue
            if char in "\n\r\u2028\u2029\x0b\x0c":
                table[code] = BREAK
            elif _is_ignorable(char):
                table[code] = IGNORE
            elif not char.isalnum():
                table[code] = SEP
    table[ord(REPEAT)] = SEP  # callers' texts never carry our markers (see normalize.py)
    table[ord(RECORD)] = RECORD
    table[ord(IGNORE)] = IGNORE
    return table


@cache
def entity_table() -> dict[int, str]:
    """``str.translate`` table for the entity view (see the module docstring)."""
    single, multi = _fold_all()
    table: dict[int, str] = dict(single)
    for low, high in _SCAN_RANGES:
        for code in range(low, high):
            char = chr(code)
            if code in table or char in multi or unicodedata.category(char) in ("Cn", "Co"):
                continue
            if char in ENTITY_PUNCT_EXTRA:
                table[code] = ENTITY_PUNCT_EXTRA[char]
                continue
            nfkc = unicodedata.normalize("NFKC", char)
            if char in "\n\r\u2028\u2029\x0b\x0c":
                table[code] = BREAK
            elif _is_ignorable(char):
                table[code] = IGNORE
            elif char.isspace():
                table[code] = SEP
            elif len(nfkc) == 1 and nfkc in ENTITY_PUNCT:
                if nfkc != char:
                    table[code] = nfkc
            elif not char.isalnum():
                table[code] = IGNORE
    table[ord(RECORD)] = BREAK
    return table


@cache
def expansions() -> dict[str, str]:
    """Characters whose fold is longer than one character: ``⑩`` → ``10``, ``ﬁ`` → ``fi``."""
    return dict(_fold_all()[1])
