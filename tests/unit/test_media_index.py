"""The multi-index hash index answers exactly what brute force answers."""

from __future__ import annotations

import numpy as np
import pytest

from warden.media.index import HashIndex
from warden.media.pdq import distance, hash_words, is_hash


def flipped(words: np.ndarray, bits: list[int]) -> np.ndarray:
    out = words.copy()
    for bit in bits:
        out[bit // 64] ^= np.uint64(1) << np.uint64(63 - bit % 64)
    return out


@pytest.mark.parametrize("radius", [0, 15, 31, 32, 47])
def test_search_equals_brute_force(radius: int) -> None:
    rng = np.random.default_rng(radius)
    words = rng.integers(0, 2**64, size=(5000, 4), dtype=np.uint64)
    # plant neighbours of row 0 at every distance around the radius
    planted = [flipped(words[0], list(rng.choice(256, d, replace=False))) for d in range(50)]
    index = HashIndex(np.vstack([words, np.array(planted)]))
    for query in [words[0], words[17], flipped(words[3], [0, 63, 64, 255])]:
        found, dist = index.search(query, radius)
        expected, expected_dist = index.brute_force(query, radius)
        assert found.tolist() == expected.tolist()
        assert dist.tolist() == expected_dist.tolist()
        assert (dist <= radius).all()
        assert list(dist) == sorted(dist)
    found, dist = index.search(words[0], radius)
    assert set(range(5000, 5000 + radius + 1)) <= set(found.tolist())  # every planted one


def test_empty_index_and_bad_shapes() -> None:
    empty = HashIndex(np.zeros((0, 4), np.uint64))
    assert len(empty) == 0
    assert empty.search(np.zeros(4, np.uint64), 31)[0].size == 0
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        HashIndex(np.zeros((3, 2), np.uint64))


def test_hex_helpers_agree_with_the_words() -> None:
    a = "f" * 64
    b = "0" * 63 + "1"
    assert is_hash(a)
    assert is_hash(b.upper())
    assert not is_hash("f" * 63)
    assert not is_hash("g" * 64)
    assert distance(a, b) == 255
    words = hash_words([a, b])
    assert int(np.bitwise_count(words[0] ^ words[1]).sum()) == 255
    assert words[1].tolist() == [0, 0, 0, 1]  # most significant bit first, as exchanged
