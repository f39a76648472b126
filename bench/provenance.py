"""Where a benchmark's figures come from: the commit of the checkout that produced them.

Shared by the benchmark scripts (run as ``python bench/NAME.py``, so this folder is on
``sys.path``): a result file names the code it measured.
"""

from __future__ import annotations

import subprocess
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
