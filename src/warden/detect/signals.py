"""Surface signals that folding erases but abuse carries: SHOUTING, money, long numbers, links, '!'.

Normalization lower-cases and drops symbols so that evasion cannot hide words — and with
them goes evidence a spam filter wants: ``FREE``, ``£1000``, ``09061701461``, ``www.``,
``!!!``. These are read from the *original* text and added to the classifier's input as
marker words (``§caps§``), so the model can weigh them like any other feature (their
character n-grams included: a shared ``§`` n-gram also says "some signal is present"). They are
generic properties of unsolicited messages, not quirks of one dataset.

Example: ``signal_tokens(["WIN £100 now!"])`` is ``[" §caps§ §money§ §bang§"]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("caps", re.compile(r"\b[A-Z]{2,}\b")),
    ("money", re.compile(r"[£$€¥￥]|\d\s*(?:元|块)")),
    ("longnum", re.compile(r"\d{5,}")),
    ("link", re.compile(r"https?://|www\.|\.(?:com|net|org|cn|co\.uk)\b", re.IGNORECASE)),
    ("bang", re.compile(r"[!！]")),
)


def signal_tokens(originals: Sequence[str]) -> list[str]:
    """Per text, the marker words of the signals it shows (``""`` when none), in fixed order."""
    if not originals:
        return []
    lengths = np.fromiter(
        (len(text) + 1 for text in originals), dtype=np.int64, count=len(originals)
    )
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    joined = "\x1e".join(originals)
    present = np.zeros((len(originals), len(SIGNALS)), dtype=bool)
    for column, (_name, pattern) in enumerate(SIGNALS):
        positions = [match.start() for match in pattern.finditer(joined)]
        if positions:
            present[np.searchsorted(starts, positions, side="right") - 1, column] = True
    codes = present.astype(np.int64) @ (1 << np.arange(len(SIGNALS), dtype=np.int64))
    return [_MARKERS[code] for code in codes.tolist()]


#: the marker words of every combination of signals, indexed by its bit mask
_MARKERS = [
    "".join(f" §{name}§" for bit, (name, _) in enumerate(SIGNALS) if mask >> bit & 1)
    for mask in range(1 << len(SIGNALS))
]
