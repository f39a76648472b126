"""Hash banks: named sets of PDQ hashes of known-bad pictures, and matching against them.

A bank (``porn``, ``terror``, ``csam-ncmec``…) holds entries — a hash, the id the content
has where it came from, tags — and is managed with ``warden banks`` and stored in the
database (:mod:`warden.store.banks`). :class:`BankMatcher` is the read side: every entry of
every bank in one :class:`~warden.media.index.HashIndex`, asked once per picture. A match
within the threshold (31 bits by default) becomes a :class:`~warden.domain.verdicts.BankMatch`
on the picture's verdict and reaches the policy as ``media.bank_match.<bank>``.

Bank names are what rules read, so they follow the policy's identifier rule:
``[a-z][a-z0-9_]*``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from warden.domain.verdicts import BankMatch
from warden.errors import InputError
from warden.media.index import HashIndex
from warden.media.pdq import DEFAULT_THRESHOLD, hash_words, is_hash

BANK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MATCHES_PER_PICTURE = 8  # the nearest few are evidence enough; a hub entry could list many


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One banked hash: which bank, the content's id where it came from, its tags."""

    bank: str
    content_id: str
    hash: str  # PDQ, 64 hex digits
    tags: tuple[str, ...] = ()
    source: str = ""  # where it came from: "warden banks add", an import file's name


def check_bank_name(name: str) -> str:
    """``name`` if it can be a bank name; :class:`InputError` saying why not otherwise."""
    if BANK_NAME.match(name):
        return name
    raise InputError(
        f"bank name {name!r}: expected a lower-case identifier ([a-z][a-z0-9_]*, at most "
        "64 characters) — rules read it as media.bank_match.<bank>"
    )


def check_hash(value: str, where: str) -> str:
    """A PDQ hash in canonical form (lower-case hex) or :class:`InputError` naming ``where``."""
    value = value.strip().lower()
    if not is_hash(value):
        raise InputError(f"{where}: {value[:80]!r} is not a PDQ hash (expected 64 hex digits)")
    return value


class BankMatcher:
    """Every entry of the given banks, searchable by Hamming distance."""

    def __init__(self, entries: Iterable[BankEntry], threshold: int = DEFAULT_THRESHOLD) -> None:
        self.entries: list[BankEntry] = list(entries)
        self.threshold = threshold
        words = (
            hash_words([e.hash for e in self.entries])
            if self.entries
            else np.zeros((0, 4), np.uint64)
        )
        self.index = HashIndex(words)

    @property
    def banks(self) -> list[str]:
        return sorted({e.bank for e in self.entries})

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, pdq: str) -> tuple[BankMatch, ...]:
        """The entries within the threshold of ``pdq``, nearest first."""
        if not self.entries:
            return ()
        rows, distances = self.index.search(hash_words([pdq])[0], self.threshold)
        return tuple(
            BankMatch(
                self.entries[row].bank, self.entries[row].content_id, int(d), self.entries[row].hash
            )
            for row, d in zip(
                rows[:MATCHES_PER_PICTURE].tolist(),
                distances[:MATCHES_PER_PICTURE].tolist(),
                strict=True,
            )
        )

    def match_many(self, hashes: Sequence[str]) -> list[tuple[BankMatch, ...]]:
        """:meth:`match` for each hash, in order."""
        return [self.match(h) for h in hashes]
