"""Warden: find and shut down abusive accounts on large messaging platforms.

The public Python API starts here: ``from warden import Screener``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Normalizer", "Screener", "Verdict", "__version__"]

if TYPE_CHECKING:
    from warden.detect.screener import Screener
    from warden.domain.verdicts import Verdict
    from warden.text.normalize import Normalizer


def __getattr__(name: str) -> Any:
    """Import the heavy pieces (OpenCC, the automaton) only when they are asked for."""
    if name == "Screener":
        from warden.detect.screener import Screener

        return Screener
    if name == "Verdict":
        from warden.domain.verdicts import Verdict

        return Verdict
    if name == "Normalizer":
        from warden.text.normalize import Normalizer

        return Normalizer
    raise AttributeError(f"module 'warden' has no attribute {name!r}")
