"""Where simulated accounts connect from: device ids and IPv4 addresses, by kind of network.

Home networks, cafés and the hosting ranges abusers rent come from different first octets,
and /24 prefixes are drawn *without replacement* within a draw, so two accounts share a
prefix only when the simulation means them to (a ring, a café) — never by chance.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: First octets for home networks, cafés and the hosting ranges abusers rent.
HOME_OCTETS = (
    36, 39, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117,
    118, 119, 120, 121, 122, 123, 124, 125, 180, 182, 183, 211, 218, 219, 220, 221,
)  # fmt: skip
CAFE_OCTETS = (27, 42)
HOSTING_OCTETS = (45, 103, 154, 156)


def hex_ids(rng: np.random.Generator, n: int, prefix: str) -> npt.NDArray[np.object_]:
    """``n`` opaque ids (``prefix`` and 16 hex digits) — devices, tablets."""
    values = rng.integers(0, 2**62, size=n, dtype=np.int64)
    return np.array([f"{prefix}{v:016x}" for v in values.tolist()], dtype=object)


def draw_prefixes(
    rng: np.random.Generator, octets: tuple[int, ...], n: int
) -> npt.NDArray[np.int64]:
    """``n`` distinct /24 prefixes (as integers a·2^16 + b·2^8 + c) under ``octets``."""
    space = len(octets) * 65536
    if n > space:
        raise ValueError(f"{n} prefixes do not fit in {space}")
    picks = rng.choice(space, size=n, replace=False)
    first = np.array(octets, dtype=np.int64)[picks // 65536]
    return np.asarray(first * 65536 + picks % 65536, dtype=np.int64)


def prefix_text(value: int) -> str:
    """``"45.12.7"`` for a prefix integer from :func:`draw_prefixes`."""
    return f"{value >> 16}.{(value >> 8) & 255}.{value & 255}"
