"""PDQ, Meta's perceptual hash: 256 bits that survive re-encoding and resizing (not crops
and rotations: the figures are in docs/media.md).

Hashes are written as 64 lower-case hex digits, most significant bit first — the form
ThreatExchange and HMA exchange, so a bank imported from another platform matches here.
Two pictures are "the same" when their hashes differ in at most 31 bits (Meta's
recommended threshold; :data:`DEFAULT_THRESHOLD`). ``quality`` (0..100) says how much
structure the picture has; a flat or nearly blank picture (quality < 50) hashes to
something many pictures are near, so it is not matched against banks.

A picture larger than 512 pixels either way is first resized to 512 × 512 by nearest
neighbour — exactly what Meta's reference hasher (``pdq-photo-hasher``, ``pdqio.cpp``) does
before its Jarosz filters, so a hash computed here equals the one a partner computed with
Meta's tool and a bank exchanged with them matches as it should. (HMA's Python hashes the
full picture: ``bench/media.py`` measures how far apart the two are.)

The hash itself is Meta's algorithm (``pdqhashing.cpp``) written with NumPy: luma, two
passes of Jarosz box filters along each axis, decimation to 64 × 64, the quality metric, a
16 × 16 DCT and bits above the median. Only 64 rows and 64 columns of the filtered picture
are ever read, and each is a fixed weighted sum of a few input rows (columns), so the filters
and the decimation are one gather and one weighted sum per axis (:func:`_taps`) instead of
four full passes over the picture: 0.4 ms for a 512 × 512 picture where the ``pdqhash``
binding takes 3.8 ms (measured on this machine). ``tests/unit/test_media_pdq.py`` holds
it to the binding, bit for bit and quality for quality, on generated pictures of many sizes.
"""

from __future__ import annotations

import functools
import math
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
    from PIL import Image

    if image.width > side or image.height > side:
        image = image.resize((side, side), Image.Resampling.NEAREST)
    return pdq_of_pixels(np.asarray(image))


def pdq_of_pixels(rgb: npt.NDArray[np.uint8]) -> tuple[str, int]:
    """PDQ of an (rows, columns, 3) RGB array, as ``pdqHash256FromFloatLuma`` computes it."""
    rows, cols = rgb.shape[0], rgb.shape[1]
    if rows < MIN_SIDE or cols < MIN_SIDE:
        return "0" * 64, 0
    luma = rgb.astype(np.float32) @ LUMA  # (rows, cols)
    row_index, row_weight = _taps(rows)
    col_index, col_weight = _taps(cols)
    across = np.einsum("ik,ikc->ic", row_weight, luma[row_index])  # (64, cols)
    small = np.einsum("jk,ijk->ij", col_weight, across[:, col_index])  # (64, 64)
    quality = _quality(small)
    dct = DCT @ small @ DCT.T  # (16, 16)
    flat = dct.ravel()
    median = np.partition(flat, 127)[127]  # what torben() returns for 256 values
    bits = (flat > median)[::-1]  # bit k = i·16 + j; the hex's first digit holds bit 255
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), quality


MIN_SIDE = 5  # MIN_HASHABLE_DIM: smaller pictures hash to zeros with quality 0
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
DCT = np.array(
    [
        [
            np.float32(math.sqrt(2.0 / 64)) * math.cos(math.pi / 128 * (i + 1) * (2 * j + 1))
            for j in range(64)
        ]
        for i in range(16)
    ],
    dtype=np.float32,
)


@functools.lru_cache(maxsize=256)
def _taps(size: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """For a side of ``size`` pixels, the input positions and weights that make each of the
    64 decimated outputs: PDQ's box filter (window ``⌈size / 128⌉``, the reference's edge
    handling) applied twice, then the sample at ``⌊(i + ½) · size / 64⌋``."""
    window = (size + 127) // 128
    half = (window + 2) // 2

    def box(at: int) -> range:
        return range(max(0, at - (window - half)), min(size - 1, at + half - 1) + 1)

    outputs: list[dict[int, float]] = []
    for i in range(64):
        weights: dict[int, float] = {}
        first = box(int(((i + 0.5) * size) / 64))
        for middle in first:
            second = box(middle)
            for at in second:
                weights[at] = weights.get(at, 0.0) + 1.0 / (len(first) * len(second))
        outputs.append(weights)
    width = max(len(w) for w in outputs)
    index = np.zeros((64, width), dtype=np.intp)
    weight = np.zeros((64, width), dtype=np.float32)
    for i, weights in enumerate(outputs):
        for k, (at, value) in enumerate(sorted(weights.items())):
            index[i, k], weight[i, k] = at, value
    return index, weight


def _quality(small: npt.NDArray[np.float32]) -> int:
    """``pdqImageDomainQualityMetric``: significant gradients of the 64 × 64 picture."""
    down = np.trunc((small[:-1, :] - small[1:, :]) * 100 / 255)
    across = np.trunc((small[:, :-1] - small[:, 1:]) * 100 / 255)
    total = int(np.abs(down).sum(dtype=np.int64) + np.abs(across).sum(dtype=np.int64))
    return min(100, total // 90)


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
