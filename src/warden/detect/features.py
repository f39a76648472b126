"""Hashed character and word n-grams, computed for a whole batch at once with NumPy.

Chinese has no spaces, so character n-grams are the natural unit; for Latin text, word
unigrams and bigrams add what characters miss. Every feature is hashed into ``2**bits``
columns (no vocabulary to store or to leak), with a hash that is stable across processes and
machines — a model file trained on one machine scores the same on another.

Why not scikit-learn's ``HashingVectorizer``: its analyzers build every n-gram as a Python
string, one at a time. Here the batch is one array of code points and each n-gram length is a
handful of vectorized operations (rolling polynomial hash modulo 2**64, which NumPy's
wrapping ``uint64`` arithmetic gives for free), so featurizing runs at C speed;
``bench/quality.py`` reports both.

Word hashes use the same trick with prefix sums: ``P`` is odd, so it is invertible modulo
2**64 and any substring's hash is ``(H[b] − H[a]) · P**a`` — no loop over words either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

_P = np.uint64(0x100000001B3)  # FNV prime: odd, so invertible modulo 2**64
_SEED = np.uint64(0xCBF29CE484222325)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_RECORD = 0x1E
_SPACE = 0x20
_WORD_SALT = np.uint64(0x9E3779B97F4A7C15)

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
_NO_INT: I64 = np.zeros(0, np.int64)
_NO_BOOL: npt.NDArray[np.bool_] = np.zeros(0, bool)
_CHUNK = 2048


def _mix(h: U64) -> U64:
    """MurmurHash3's finalizer: spreads every input bit over the high bits we keep."""
    h = h ^ (h >> np.uint64(33))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(33))
    h = h * _MIX2
    return h ^ (h >> np.uint64(33))


def _inverse(p: np.uint64) -> np.uint64:
    """Multiplicative inverse of an odd number modulo 2**64 (Newton's iteration)."""
    x = p
    with np.errstate(over="ignore"):
        for _ in range(6):
            x = x * (np.uint64(2) - p * x)
    return x


@dataclass(frozen=True, slots=True)
class NgramConfig:
    """What to hash: character n-gram lengths, word n-gram lengths, and the table size."""

    bits: int = 20
    char_min: int = 1
    char_max: int = 4
    word_max: int = 2  # 0 disables word n-grams
    signals: int = 1  # 1: classifiers add surface-signal markers (warden.detect.signals)
    #: 1: every digit reads as 0 before hashing — a number's shape (a phone, a price, a card
    #: tail) is evidence, its value is noise that ties a model to one collection's numbers
    digits: int = 0

    def to_dict(self) -> dict[str, int]:
        out = {
            "bits": self.bits,
            "char_min": self.char_min,
            "char_max": self.char_max,
            "word_max": self.word_max,
            "signals": self.signals,
        }
        if self.digits:  # models from before this setting keep their exact header
            out["digits"] = self.digits
        return out


class HashedNgrams:
    """Turns texts (already normalized, one space between words) into a sparse count matrix."""

    def __init__(self, config: NgramConfig | None = None) -> None:
        self.config = config or NgramConfig()
        if not 8 <= self.config.bits <= 24:
            raise ValueError(f"bits: {self.config.bits} is out of range; expected 8..24")
        self.n_features = 1 << self.config.bits
        self._shift = np.uint64(64 - self.config.bits)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Rows = texts, columns = hashed n-grams, values = occurrence counts."""
        blocks = []
        for start in range(0, len(texts), _CHUNK):
            chunk = texts[start : start + _CHUNK]
            grams = self._grams(chunk, spans=False)
            data = np.ones(len(grams.rows), dtype=np.float32)
            matrix = sp.csr_matrix(
                (data, (grams.rows, grams.cols.astype(np.int64))),
                shape=(len(chunk), self.n_features),
            )
            matrix.sum_duplicates()
            blocks.append(matrix)
        if not blocks:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        return blocks[0] if len(blocks) == 1 else sp.csr_matrix(sp.vstack(blocks, format="csr"))

    def ngrams_of(self, text: str) -> dict[int, str]:
        """Column → a readable n-gram of ``text``: how a prediction explains itself.

        Word n-grams are shown in angle brackets (``<free entry>``), character n-grams as
        they are; where two n-grams share a column the first one found names it.
        """
        grams = self._grams([text], spans=True)
        names: dict[int, str] = {}
        for column, start, end, word in zip(
            grams.cols.tolist(),
            grams.starts.tolist(),
            grams.ends.tolist(),
            grams.words.tolist(),
            strict=True,
        ):
            piece = text[start:end]
            names.setdefault(column, f"<{piece}>" if word else piece)
        return names

    def _grams(self, texts: Sequence[str], *, spans: bool) -> _Grams:
        joined = "\x1e".join(texts)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        records_before = np.concatenate(([0], np.cumsum(codes == _RECORD)))
        parts: list[_Grams] = []
        with np.errstate(over="ignore"):
            parts.extend(self._char_ngrams(codes, records_before, spans))
            if self.config.word_max:
                parts.extend(self._word_ngrams(codes, records_before, spans))
        return _Grams.concat(parts)

    def _char_ngrams(self, codes: U64, records_before: I64, spans: bool) -> list[_Grams]:
        out: list[_Grams] = []
        h = np.zeros(0, np.uint64)
        for n in range(1, self.config.char_max + 1):
            h = codes * _P + _SEED if n == 1 else h[:-1] * _P + codes[n - 1 :]
            if n < self.config.char_min or len(h) == 0:
                continue
            width = len(h)
            inside_one_text = records_before[n : n + width] == records_before[:width]
            if n == 1:
                inside_one_text &= codes != _SPACE
            starts = np.flatnonzero(inside_one_text)
            rows = records_before[starts]
            cols = _mix(h[starts] ^ np.uint64(n)) >> self._shift
            if not spans:
                out.append(_Grams(rows, cols))
                continue
            local = starts - rows
            out.append(_Grams(rows, cols, local, local + n, np.zeros(len(starts), dtype=bool)))
        return out

    def _word_ngrams(self, codes: U64, records_before: I64, spans: bool) -> list[_Grams]:
        """Hashes of space-delimited words and of consecutive word pairs."""
        edges = np.flatnonzero((codes == _SPACE) | (codes == _RECORD))
        starts = np.concatenate(([0], edges + 1))
        ends = np.concatenate((edges, [len(codes)]))
        keep = ends > starts
        starts, ends = starts[keep], ends[keep]
        if len(starts) == 0:
            return []
        length = len(codes)
        inv_powers = np.cumprod(np.full(length, _inverse(_P), dtype=np.uint64))
        inv_powers = np.concatenate(([np.uint64(1)], inv_powers[:-1]))
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(codes * inv_powers, dtype=np.uint64)))
        powers = np.concatenate(([np.uint64(1)], np.cumprod(np.full(length, _P, dtype=np.uint64))))
        words = (prefix[ends] - prefix[starts]) * powers[starts] + (ends - starts).astype(np.uint64)
        doc = records_before[starts]
        offset = records_before[starts]
        word_cols = _mix(words ^ _WORD_SALT) >> self._shift
        if spans:
            marks = np.ones(len(starts), dtype=bool)
            out = [_Grams(doc, word_cols, starts - offset, ends - offset, marks)]
        else:
            out = [_Grams(doc, word_cols)]
        if self.config.word_max >= 2 and len(words) > 1:
            same = doc[1:] == doc[:-1]
            pairs = _mix((words[:-1] * _P + words[1:]) ^ (_WORD_SALT * np.uint64(3))) >> self._shift
            if spans:
                pair_starts = (starts[:-1] - offset[:-1])[same]
                pair_ends = (ends[1:] - offset[1:])[same]
                marks = np.ones(int(same.sum()), dtype=bool)
                out.append(_Grams(doc[1:][same], pairs[same], pair_starts, pair_ends, marks))
            else:
                out.append(_Grams(doc[1:][same], pairs[same]))
        return out


@dataclass(frozen=True, slots=True)
class _Grams:
    """Hashed n-grams of a batch: row (text), column, and span within its text."""

    rows: I64
    cols: U64
    starts: I64 = field(default_factory=lambda: _NO_INT)
    ends: I64 = field(default_factory=lambda: _NO_INT)
    words: npt.NDArray[np.bool_] = field(default_factory=lambda: _NO_BOOL)

    @staticmethod
    def concat(parts: Sequence[_Grams]) -> _Grams:
        if not parts:
            return _Grams(_NO_INT, np.zeros(0, np.uint64))
        if len(parts[0].starts) != len(parts[0].rows):  # no spans asked for
            return _Grams(
                np.concatenate([p.rows for p in parts]), np.concatenate([p.cols for p in parts])
            )
        return _Grams(
            rows=np.concatenate([p.rows for p in parts]),
            cols=np.concatenate([p.cols for p in parts]),
            starts=np.concatenate([p.starts for p in parts]),
            ends=np.concatenate([p.ends for p in parts]),
            words=np.concatenate([p.words for p in parts]),
        )
