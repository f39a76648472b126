"""Where a benchmark's figures come from: the commit of the checkout that produced them,
how busy the (shared) machine was, and the one percentile rule the latency figures use.

Shared by the benchmark scripts (run as ``python bench/NAME.py``, so this folder is on
``sys.path``): a result file names the code it measured.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def commit() -> str:
    """The checkout's commit (``+`` when ``src/`` has changes not committed)."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (head or "unknown") + ("+" if dirty else "")


def machine_busy() -> float:
    """CPU-seconds the whole machine spent not idle since boot (every tenant's)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def pct(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of ``values`` by the nearest-rank rule; None when empty."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None
