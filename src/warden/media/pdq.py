"""PDQ, Meta's perceptual hash: 256 bits that survive re-encoding, resizing and small crops.

Hashes are written as 64 lower-case hex digits, most significant bit first — the form
ThreatExchange and HMA exchange, so a bank imported from another platform matches here.
Two pictures are "the same" when their hashes differ in at most 31 bits (Meta's
recommended threshold; :data:`DEFAULT_THRESHOLD`). ``quality`` (0..100) says how much
structure the picture has; a flat or nearly blank picture (quality < 50) hashes to
something many pictures are near, so it is not matched against banks.

The picture is first shrunk to at most :data:`HASH_SIDE` pixels a side: PDQ itself reduces
every picture to 64 × 64 before its DCT, so the hash barely changes, and hashing goes from
~65 ms to ~2 ms for a 1024-pixel picture (``bench/media.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from PIL import Image

HASH_SIDE = 256
DEFAULT_THRESHOLD = 31
MIN_QUALITY = 50
BITS = 256


def pdq_hash(image: Image.Image) -> tuple[str, int]:
    """The PDQ hash (hex) and quality of an RGB picture."""
    import pdqhash  # here, not at the top: banks and the store need only the hex helpers
    from PIL import Image

    if max(image.size) > HASH_SIDE:
        image = image.copy()
        image.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.BILINEAR)
    bits, quality = pdqhash.compute(np.asarray(image))
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality)


def hash_words(hashes: list[str]) -> npt.NDArray[np.uint64]:
    """Hex hashes as an (n, 4) array of 64-bit words (big-endian), the index's layout."""
    raw = b"".join(bytes.fromhex(h) for h in hashes)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(hashes), 4)


def is_hash(value: str) -> bool:
    """Whether ``value`` is a PDQ hash as exchanged: 64 hex digits."""
    if len(value) != 64:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def distance(a: str, b: str) -> int:
    """Hamming distance between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
