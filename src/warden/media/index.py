"""Find every banked hash within a Hamming distance of a query, among millions: MIH.

Multi-index hashing (Norouzi, Punjani & Fleet, 2012): the 256 bits are cut into ``m = 16``
chunks of 16 bits. Two hashes within distance ``r`` differ, by the pigeonhole principle, in
at most ``⌊r / m⌋`` bits of at least one chunk — for PDQ's threshold of 31 that is one bit.
So a lookup probes, in each chunk's table, the query's chunk value and its 16 one-bit
neighbours (17 × 16 = 272 buckets), and only the hashes found there (a few thousand of a
million) have their full distance computed. The answer is exact, not approximate: a test
compares it with :meth:`HashIndex.brute_force` (every hash's distance, NumPy popcount).

Each chunk's table is a counting sort: ``order[c]`` lists row numbers by chunk value and
``starts[c][v]`` where value ``v``'s run begins — two flat int32 arrays, no Python dicts, so
a million hashes take ~100 MB and build in about a second. ``bench/media.py`` measures a
lookup against brute force on 1 M hashes.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import numpy.typing as npt

CHUNKS = 16
CHUNK_BITS = 16


def _masks(bits: int) -> npt.NDArray[np.int64]:
    """Every 16-bit mask with at most ``bits`` bits set (the neighbours a probe visits)."""
    out = [0]
    for count in range(1, bits + 1):
        out.extend(sum(1 << b for b in chosen) for chosen in combinations(range(16), count))
    return np.array(out, dtype=np.int64)


class HashIndex:
    """An exact radius search over 256-bit hashes (rows of four ``uint64`` words)."""

    def __init__(self, words: npt.NDArray[np.uint64]) -> None:
        if words.ndim != 2 or words.shape[1] != 4:
            raise ValueError(f"expected an (n, 4) array of uint64 words, got {words.shape}")
        self.words = np.ascontiguousarray(words, dtype=np.uint64)
        chunks = self._chunks(self.words)  # (n, 16) int64
        size = 1 << CHUNK_BITS
        order = np.argsort(chunks, axis=0, kind="stable").T.astype(np.int32)  # (16, n)
        self._flat_order = np.ascontiguousarray(order).ravel()
        counts = np.stack([np.bincount(chunks[:, c], minlength=size) for c in range(CHUNKS)])
        self._starts = np.zeros((CHUNKS, size + 1), dtype=np.int64)
        np.cumsum(counts, axis=1, out=self._starts[:, 1:])
        self._mask_cache: dict[int, npt.NDArray[np.int64]] = {}

    def __len__(self) -> int:
        return int(self.words.shape[0])

    @staticmethod
    def _chunks(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """Each hash's sixteen 16-bit chunks (big-endian order within the hash)."""
        return (np.ascontiguousarray(words).astype(">u8").view(">u2").astype(np.int64)).reshape(
            -1, CHUNKS
        )

    def search(
        self, query: npt.NDArray[np.uint64], radius: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Rows within ``radius`` bits of ``query`` (four words) and their distances,
        nearest first."""
        if len(self) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        q = np.ascontiguousarray(query, dtype=np.uint64).reshape(1, 4)
        masks = self._mask_cache.get(radius // CHUNKS)
        if masks is None:
            masks = self._mask_cache[radius // CHUNKS] = _masks(radius // CHUNKS)
        keys = self._chunks(q)[0][:, None] ^ masks[None, :]  # (16, probes)
        rows = np.arange(CHUNKS)[:, None]
        lo = self._starts[rows, keys].ravel()
        hi = self._starts[rows, keys + 1].ravel()
        lengths = hi - lo
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        # positions in the flattened (16 · n) order array of every row in the probed buckets
        starts = lo + np.repeat(np.arange(CHUNKS) * len(self), masks.size)
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        candidates = self._flat_order[positions]
        found = np.bitwise_count(self.words[candidates] ^ q).sum(axis=1, dtype=np.int64)
        keep = found <= radius
        # a row found through several chunks appears once per chunk: keep the first
        rows, first = np.unique(candidates[keep], return_index=True)
        return self._nearest_first(rows.astype(np.int64), found[keep][first])

    def brute_force(
        self, query: npt.NDArray[np.uint64], radius: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The same answer as :meth:`search`, by computing every distance (the reference)."""
        q = np.ascontiguousarray(query, dtype=np.uint64).reshape(1, 4)
        found = np.bitwise_count(self.words ^ q).sum(axis=1, dtype=np.int64)
        rows = np.flatnonzero(found <= radius)
        return self._nearest_first(rows, found[rows])

    @staticmethod
    def _nearest_first(
        rows: npt.NDArray[np.int64], found: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        order = np.lexsort((rows, found))
        return rows[order], found[order]
