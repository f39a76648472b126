"""Lexicon files: reading the team's lists, customers' lists and public lists into entries.

The format (``docs/lexicons.md``) is one entry per line, UTF-8::

    term<TAB>category<TAB>weight<TAB>flags     # category, weight, flags optional from the right
    !term<TAB>category                         # allow-list: suppress matches inside this phrase

A plain one-term-per-line list also loads; its category then comes from the caller (the
command line's ``FILE:CATEGORY``, a catalog, later the policy pack). Public lists come in
other shapes (``term<SPACE>codes``); a :class:`LexiconSource` says how to read each one, and a
catalog file lists sources so the ~170k public terms in ``$WARDEN_DATA_DIR/lexicons`` load
with one flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from warden.data import shipped
from warden.errors import LexiconError

CATEGORY_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
FLAGS = frozenset({"initials", "nopinyin"})
PinyinMode = Literal["none", "full", "mixed"]


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One term of one category (or, with ``allow``, one benign phrase that suppresses matches).

    ``category`` is None only for an allow entry that guards every category.
    """

    term: str
    category: str | None
    weight: float
    source: str
    allow: bool = False
    initials: bool = False
    pinyin: PinyinMode = "full"
    min_length: int = 1  # terms whose normalized form is shorter are not matched (counted)


@dataclass(frozen=True, slots=True)
class LexiconSource:
    """How to read one lexicon file.

    ``format``: ``tsv`` (the documented format; plain lists included) or ``tagged``
    (``term<SPACE>code[,code…]``, with ``codes`` mapping each code to a category).
    ``pinyin``: which pinyin forms hanzi terms also match — ``mixed`` (full pinyin and
    hanzi/pinyin mixtures, for curated lists), ``full`` (full pinyin only) or ``none``.
    ``min_length``: terms shorter than this after normalization are not matched — public
    lists carry single letters, digits and hanzi (``a``, ``1``, ``日``) that hit everything.
    """

    path: Path
    category: str | None = None
    weight: float | None = None
    format: Literal["tsv", "tagged"] = "tsv"
    codes: Mapping[str, str] = field(default_factory=dict)
    pinyin: PinyinMode = "full"
    min_length: int = 1

    @classmethod
    def parse(cls, spec: str, *, pinyin: PinyinMode = "full") -> LexiconSource:
        """Read a command-line spec ``FILE`` or ``FILE:CATEGORY`` or ``FILE:CATEGORY:WEIGHT``."""
        path, _, rest = spec.partition(":")
        category, _, weight_text = rest.partition(":")
        weight: float | None = None
        if weight_text:
            try:
                weight = float(weight_text)
            except ValueError:
                raise LexiconError(
                    f"lexicon spec {spec!r}: weight {weight_text!r} is not a number; "
                    "expected FILE[:CATEGORY[:WEIGHT]] with WEIGHT in (0, 1]"
                ) from None
        return cls(Path(path), category=category or None, weight=weight, pinyin=pinyin)


def _check_category(name: str, where: str) -> str:
    if not CATEGORY_NAME.fullmatch(name):
        raise LexiconError(
            f"{where}: category {name!r} is not a valid name; expected lower-case letters, "
            "digits and '_' starting with a letter (e.g. sexual_services)"
        )
    return name


def _check_weight(text: str, where: str) -> float:
    try:
        weight = float(text)
    except ValueError:
        raise LexiconError(
            f"{where}: weight {text!r} is not a number; expected a number in (0, 1]"
        ) from None
    if not 0.0 < weight <= 1.0:
        raise LexiconError(f"{where}: weight {weight} is out of range; expected (0, 1]")
    return weight


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read lexicon: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise LexiconError(
            f"{path}:{bad_line}: not UTF-8 (byte {raw[exc.start]:#04x}); expected UTF-8 text"
        ) from None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line.rstrip("\r\n")


def read_source(source: LexiconSource) -> list[LexiconEntry]:
    """All entries of one source; a malformed line raises :class:`LexiconError` naming it."""
    if source.category is not None:
        _check_category(source.category, str(source.path))
    if source.format == "tagged":
        return list(_read_tagged(source))
    return list(_read_tsv(source))


def _read_tsv(source: LexiconSource) -> Iterator[LexiconEntry]:
    for number, line in _lines(source.path):
        where = f"{source.path}:{number}"
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) > 4:
            raise LexiconError(
                f"{where}: {len(fields)} tab-separated fields; expected term[<TAB>category[<TAB>weight[<TAB>flags]]]"
            )
        term = fields[0]
        allow = term.startswith("!")
        if allow:
            term = term[1:].strip()
        elif term.startswith("\\!"):
            term = term[1:]
        if not term:
            raise LexiconError(f"{where}: empty term")
        category = fields[1] if len(fields) > 1 and fields[1] else source.category
        if category is None and not allow:
            raise LexiconError(
                f"{where}: term {term!r} has no category; give it in the file "
                "(term<TAB>category) or for the whole file (FILE:CATEGORY)"
            )
        if category is not None:
            _check_category(category, where)
        weight = source.weight if source.weight is not None else 1.0
        if len(fields) > 2 and fields[2]:
            weight = _check_weight(fields[2], where)
        flags = {f.strip() for f in fields[3].split(",") if f.strip()} if len(fields) > 3 else set()
        unknown = flags - FLAGS
        if unknown:
            raise LexiconError(
                f"{where}: unknown flag {sorted(unknown)[0]!r}; expected one of {sorted(FLAGS)}"
            )
        yield LexiconEntry(
            term=term,
            category=category,
            weight=weight,
            source=where,
            allow=allow,
            initials="initials" in flags,
            pinyin="none" if "nopinyin" in flags else source.pinyin,
            min_length=source.min_length,
        )


def _read_tagged(source: LexiconSource) -> Iterator[LexiconEntry]:
    for number, line in _lines(source.path):
        where = f"{source.path}:{number}"
        term, _, codes = line.strip().rpartition(" ")
        if not term:
            raise LexiconError(f"{where}: expected 'term<SPACE>code[,code…]', got {line!r}")
        for code in codes.split(","):
            category = source.codes.get(code.strip())
            if category is None:
                raise LexiconError(
                    f"{where}: code {code!r} is not in the source's code map {dict(source.codes)}"
                )
            yield LexiconEntry(
                term=term,
                category=_check_category(category, where),
                weight=source.weight if source.weight is not None else 1.0,
                source=where,
                pinyin=source.pinyin,
                min_length=source.min_length,
            )


def read_sources(sources: Iterable[LexiconSource]) -> list[LexiconEntry]:
    """Entries of several sources, in order."""
    entries: list[LexiconEntry] = []
    for source in sources:
        entries.extend(read_source(source))
    return entries


def default_lexicon_dir() -> Path:
    """The team's own lexicons: ``lexicons/`` of a source checkout, else the installed copy."""
    return shipped("lexicons")


def default_sources() -> list[LexiconSource]:
    """The team's default lexicons (every ``*.tsv`` in :func:`default_lexicon_dir`)."""
    directory = default_lexicon_dir()
    files = sorted(directory.glob("*.tsv"))
    if not files:
        raise LexiconError(f"{directory}: no default lexicons (*.tsv) found")
    return [LexiconSource(path, pinyin="mixed") for path in files]
