"""Warden's PDQ is Meta's, bit for bit: the same hash and quality as the ``pdqhash`` binding
of Meta's C++ on the same pixels, for pictures of every kind and size."""

from __future__ import annotations

import random

import numpy as np
import pdqhash
import pytest
from PIL import Image

from pictures import ad, photo
from warden.media.pdq import MIN_QUALITY, pdq_hash, pdq_of_pixels


def reference(rgb: np.ndarray) -> tuple[str, int]:
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality)


def pictures() -> list[Image.Image]:
    rng = random.Random(7)
    made = [ad(), ad(lines=("澳门赌场 在线开户", "扫码进群")), photo(1), photo(2)]
    noise = np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    made.append(Image.fromarray(noise).resize((640, 480), Image.Resampling.BICUBIC))
    made.append(Image.new("RGB", (300, 200), (120, 120, 120)))  # flat: quality 0
    sizes = [(5, 5), (6, 400), (64, 64), (65, 63), (127, 129), (255, 256), (511, 300), (512, 512)]
    made += [made[n % 5].resize(size) for n, size in enumerate(sizes)]
    made += [made[0].resize((rng.randint(8, 512), rng.randint(8, 512))) for _ in range(12)]
    return made


@pytest.mark.parametrize("picture", pictures(), ids=lambda p: f"{p.width}x{p.height}")
def test_same_hash_and_quality_as_meta_s_code(picture: Image.Image) -> None:
    rgb = np.asarray(picture.convert("RGB"))
    ours, expected = pdq_of_pixels(rgb), reference(rgb)
    assert ours[1] == expected[1]
    if expected[1] >= MIN_QUALITY:  # a flat picture's bits are rounding noise in any code
        assert ours[0] == expected[0]


def test_large_pictures_go_through_512_by_512_as_meta_s_hasher_does() -> None:
    big = ad().resize((1280, 960))
    expected = reference(np.asarray(big.resize((512, 512), Image.Resampling.NEAREST)))
    assert pdq_hash(big) == expected
    assert pdq_hash(big, side=256) == reference(
        np.asarray(big.resize((256, 256), Image.Resampling.NEAREST))
    )


def test_tiny_pictures_hash_to_zeros_like_the_reference() -> None:
    rgb = np.zeros((4, 40, 3), np.uint8)
    assert pdq_of_pixels(rgb) == ("0" * 64, 0) == reference(rgb)
