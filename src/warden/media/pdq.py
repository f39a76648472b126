"""PDQ, Meta's perceptual hash: 256 bits that survive re-encoding, resizing and small crops.

Hashes are written as 64 lower-case hex digits, most significant bit first — the form
ThreatExchange and HMA exchange, so a bank imported from another platform matches here.
Two pictures are "the same" when their hashes differ in at most 31 bits (Meta's
recommended threshold; :data:`DEFAULT_THRESHOLD`). ``quality`` (0..100) says how much
structure the picture has; a flat or nearly blank picture (quality < 50) hashes to
something many pictures are near, so it is not matched against banks.

A picture larger than 512 pixels either way is first resized to 512 × 512 by nearest
neighbour — exactly what Meta's reference hasher (``pdq-photo-hasher``, ``pdqio.cpp``) does
before its Jarosz filters, so a hash computed here equals the one a partner computed with
Meta's tool and a bank exchanged with them matches as it should. Shrinking further would
hash faster (``bench/media.py`` measures 256 px: ~3× the rate) but moves hashes a median of
~12 bits away from the reference — a third of the 31-bit budget spent before any re-encoding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from PIL import Image

HASH_SIDE = 512  # Meta's DOWNSAMPLE_DIMS
DEFAULT_THRESHOLD = 31
MIN_QUALITY = 50
BITS = 256


def pdq_hash(image: Image.Image, side: int = HASH_SIDE) -> tuple[str, int]:
    """The PDQ hash (hex) and quality of an RGB picture; ``side`` is the reference's
    intermediate size (pictures larger either way are resized to ``side`` × ``side``)."""
    import pdqhash  # here, not at the top: banks and the store need only the hex helpers
    from PIL import Image

    if image.width > side or image.height > side:
        image = image.resize((side, side), Image.Resampling.NEAREST)
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
