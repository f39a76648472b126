"""The Normalizer: fold text to a canonical form and keep the way back to what the user wrote.

Folding happens in layers, each a C-speed call over a whole batch joined into one string
(texts separated by ``RECORD``), so a batch costs a handful of calls, not a loop per character:

1. *base*: the original text, except that the rare characters whose fold is several
   characters long (``⑩`` → ``10``) are expanded first; only texts that contain one pay for
   an explicit index map;
2. traditional → simplified Chinese with OpenCC (checked to keep the length);
3. the match view ``view``: ``str.translate`` with :func:`warden.text.fold.match_table`
   (case, width, compatibility forms, circled/math letters, homoglyphs, Chinese numerals;
   separators → ``SEP``, invisible characters → ``IGNORE``); HTML tags become separators;
   runs of a repeated letter keep the first letter and mark the rest ``REPEAT``;
4. the normalized string ``normalized``: ``view`` with ``SEP``, ``IGNORE`` and ``REPEAT``
   deleted — what lexicons are matched against. Chinese has no spaces, so deleting
   separators is what makes ``傻@冒``, ``毛---主---席`` and ``台　独`` match; for Latin words the
   matcher uses :attr:`Folded.gaps` to refuse matches that glue separate words together.

Every layer but the first is length-preserving, so a position in ``normalized`` maps back to
``view`` through the kept segments, and from there to the original through ``base``'s map.
That map is built lazily — only for texts that produced a match or an entity.

Example: ``Normalizer().normalize("ＴＡＩ　獨, 傻🤔逼, asssert")`` is ``"tai独傻逼assert"`` — the
repeated ``s`` is kept as one letter with its run length (``asssert`` → ``asert`` + runs).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import opencc

from warden.text import fold

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,15}(?:\s[^<>\n]{0,300})?/?>")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+")
_DELETED = str.maketrans({fold.SEP: None, fold.IGNORE: None, fold.REPEAT: None})
_KEPT_RUN = re.compile(r"[^ \x00\x01]+")
_FORGEABLE = re.compile(r"[\x01\x1e]")  # our markers; a caller's text must not carry them
_NO_GAPS: frozenset[int] = frozenset()
_INVISIBLE = str.maketrans({fold.IGNORE: None, fold.REPEAT: None})
_SEP_RUN = re.compile(" {2,}")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")


def _collapse(match: re.Match[str]) -> str:
    return match.group(1) + fold.REPEAT * (len(match.group(0)) - 1)


def _blank_tags(base: str, view: str) -> str:
    """Turn HTML tags (found in ``base``) into separators in ``view``: ``<p>x</p>`` → `` x ``."""
    pieces: list[str] = []
    last = 0
    for tag in _TAG.finditer(base):
        pieces.append(view[last : tag.start()])
        pieces.append(fold.SEP * (tag.end() - tag.start()))
        last = tag.end()
    if not pieces:
        return view
    pieces.append(view[last:])
    return "".join(pieces)


@dataclass(eq=False)
class Folded:
    """One text in every view, with maps back to the original offsets.

    ``base_map[i]`` is the original index of ``base[i]`` (None when ``base`` is the original).
    """

    original: str
    base: str
    view: str
    entity_view: str
    normalized: str
    base_map: list[int] | None = None

    @cached_property
    def _segments(self) -> tuple[list[int], list[int], frozenset[int]]:
        """Kept runs of ``view``: their starts in ``normalized`` and in ``view``, and the gaps.

        A gap is a position of ``normalized`` that had a separator (not merely an invisible
        character or a collapsed repeat) in front of it.
        """
        n_starts: list[int] = []
        view_starts: list[int] = []
        gaps: set[int] = set()
        n_pos = 0
        last_end = 0
        view = self.view
        for run in _KEPT_RUN.finditer(view):
            start = run.start()
            if start and fold.SEP in view[last_end:start]:
                gaps.add(n_pos)
            n_starts.append(n_pos)
            view_starts.append(start)
            n_pos += run.end() - start
            last_end = run.end()
        return n_starts, view_starts, frozenset(gaps)

    @cached_property
    def untouched(self) -> bool:
        """True when folding deleted nothing: ``normalized`` indexes ``view`` directly.

        Most Chinese messages are like this; the maps below then cost nothing.
        """
        return len(self.normalized) == len(self.view)

    @property
    def gaps(self) -> frozenset[int]:
        """Positions in ``normalized`` preceded by a separator in the text."""
        if self.untouched:
            return _NO_GAPS
        return self._segments[2]

    def view_index(self, n_index: int) -> int:
        """Index in ``view`` (== ``base``) of ``normalized[n_index]``."""
        if self.untouched:
            return n_index
        n_starts, view_starts, _ = self._segments
        seg = bisect.bisect_right(n_starts, n_index) - 1
        return view_starts[seg] + (n_index - n_starts[seg])

    def view_span(self, n_start: int, n_end: int) -> tuple[int, int]:
        """The span of ``view`` covered by ``normalized[n_start:n_end]``, trailing repeats included."""
        if self.untouched:
            return n_start, n_end
        start = self.view_index(n_start)
        end = self.view_index(n_end - 1) + 1
        view = self.view
        while end < len(view) and view[end] == fold.REPEAT:
            end += 1
        return start, end

    def run_lengths(self, n_start: int, n_end: int) -> tuple[int, ...]:
        """How many times each character of ``normalized[n_start:n_end]`` was repeated."""
        if self.untouched:
            return (1,) * (n_end - n_start)
        start, end = self.view_span(n_start, n_end)
        chunk = self.view[start:end].replace(fold.SEP, "").replace(fold.IGNORE, "")
        return tuple(len(run) for run in re.findall(r"[^\x01]\x01*", chunk))

    def original_span(self, base_start: int, base_end: int) -> tuple[int, int]:
        """Map a span of ``base``/``view``/``entity_view`` to the original text."""
        if self.base_map is None:
            return base_start, base_end
        return self.base_map[base_start], self.base_map[base_end - 1] + 1

    def original_span_of_normalized(self, n_start: int, n_end: int) -> tuple[int, int]:
        """Map a span of ``normalized`` to the original text."""
        return self.original_span(*self.view_span(n_start, n_end))


@dataclass(eq=False)
class FoldedBatch:
    """A batch folded in one pass; ``normalized`` is every text's form joined by ``RECORD``."""

    texts: list[Folded]
    normalized: str
    normalized_starts: list[int]
    entity_view: str
    base_starts: list[int]
    view: str

    def spaced(self) -> list[str]:
        """Each text folded like ``normalized`` but with one space where separators were.

        Classifiers want word boundaries (``free entry`` is not ``freeentry``) yet the same
        evasion folding as lexicons; this is that form. Between two hanzi a separator is
        dropped (Chinese has no spaces, so one there is evasion): ``傻🤔逼`` → ``傻逼``.
        """
        spaced = _SEP_RUN.sub(" ", self.view.translate(_INVISIBLE))
        spaced = _SPACE_BETWEEN_HAN.sub("", spaced)  # between hanzi a separator is evasion
        return [part.strip(" ") for part in spaced.split(fold.RECORD)]

    def locate(self, joined_index: int, starts: list[int]) -> tuple[int, int]:
        """(text number, offset within that text) of an index into a joined string."""
        text = bisect.bisect_right(starts, joined_index) - 1
        return text, joined_index - starts[text]


class Normalizer:
    """Folds texts to the canonical form lexicons and classifiers see (see the module doc).

    Build one and reuse it: it holds an OpenCC converter and the folding tables.
    """

    def __init__(self) -> None:
        self._t2s = opencc.OpenCC("t2s")
        self._match_table = fold.match_table()
        self._entity_table = fold.entity_table()
        self._expansions = fold.expansions()
        self._expanding = re.compile("[" + re.escape("".join(self._expansions)) + "]")

    def normalize(self, text: str) -> str:
        """The normalized form of one text (what a lexicon term or a classifier sees)."""
        return self.fold(text).normalized

    def normalize_batch(self, texts: Sequence[str]) -> list[str]:
        """The normalized forms of many texts, in one pass."""
        return [folded.normalized for folded in self.fold_batch(texts).texts]

    def fold(self, text: str) -> Folded:
        """One text in every view."""
        return self.fold_batch([text]).texts[0]

    def fold_batch(self, texts: Sequence[str]) -> FoldedBatch:
        """Fold a batch of texts with a few C-speed passes over the joined batch."""
        bases: list[str] = []
        maps: list[list[int] | None] = []
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"text: expected str, got {type(text).__name__}: {text!r:.80}")
            base, base_map = self._expand(text)
            bases.append(base)
            maps.append(base_map)
        joined = fold.RECORD.join(bases)
        if fold.REPEAT in joined or joined.count(fold.RECORD) != len(bases) - 1:
            bases = [_FORGEABLE.sub(" ", base) for base in bases]
            joined = fold.RECORD.join(bases)
        simplified = self._t2s.convert(joined)
        if len(simplified) != len(joined):
            simplified = fold.RECORD.join(self._simplify_one(base) for base in bases)
        view = simplified.translate(self._match_table)
        if "<" in joined:
            view = _blank_tags(simplified, view)
        view = _REPEATED_LETTER.sub(_collapse, view)
        entity_view = simplified.translate(self._entity_table)
        normalized = view.translate(_DELETED)

        base_starts = _starts(bases)
        views = _split(view, base_starts, bases)
        entity_views = _split(entity_view, base_starts, bases)
        normalized_parts = normalized.split(fold.RECORD)
        folded = [
            Folded(text, base, v, e, n, m)
            for text, base, v, e, n, m in zip(
                texts, bases, views, entity_views, normalized_parts, maps, strict=True
            )
        ]
        return FoldedBatch(
            folded, normalized, _starts(normalized_parts), entity_view, base_starts, view
        )

    def _expand(self, text: str) -> tuple[str, list[int] | None]:
        """Expand multi-character folds (``⑩`` → ``10``), with the index map they need."""
        if not self._expanding.search(text):
            return text, None
        pieces: list[str] = []
        index: list[int] = []
        for position, char in enumerate(text):
            piece = self._expansions.get(char, char)
            pieces.append(piece)
            index.extend([position] * len(piece))
        return "".join(pieces), index

    def _simplify_one(self, base: str) -> str:
        """Traditional → simplified for one text, character by character if phrases change length."""
        simplified: str = self._t2s.convert(base)
        if len(simplified) == len(base):
            return simplified
        chars = (self._t2s.convert(char) for char in base)
        return "".join(c if len(c) == 1 else base[i] for i, c in enumerate(chars))


def _starts(parts: Sequence[str]) -> list[int]:
    """Start offsets of ``parts`` inside ``RECORD.join(parts)``."""
    starts: list[int] = []
    position = 0
    for part in parts:
        starts.append(position)
        position += len(part) + 1
    return starts


def _split(joined: str, starts: list[int], parts: Sequence[str]) -> list[str]:
    return [joined[start : start + len(part)] for start, part in zip(starts, parts, strict=True)]
