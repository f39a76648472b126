"""Running ``warden`` as an operator does: a real process, its own SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "policies" / "default.yaml")


def warden(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m warden ARGS`` with ``env``; never raises on a failing exit status."""
    return subprocess.run(
        [sys.executable, "-m", "warden", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
