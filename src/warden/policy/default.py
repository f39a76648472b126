"""The default policy pack: the one every command uses when ``--policy`` is not given.

One lookup, so ``warden ingest``, ``warden sweep`` and ``warden demo`` agree on it and so a
wheel installed anywhere finds its own copy, while a checkout finds the ``policies/`` the team
edits (both through :func:`warden.data.shipped`). A pack looks up its campaign files beside
itself (``<pack folder>/campaigns/<name>.yaml``), so ``--campaign thunder-strike`` follows the
pack wherever it is.
"""

from __future__ import annotations

from pathlib import Path

from warden.data import shipped
from warden.policy.errors import PolicyError

DEFAULT_PACK = "default.yaml"


def default_pack_path() -> Path:
    """The default pack's file: ``policies/default.yaml`` of a checkout, else the installed copy."""
    path = shipped("policies") / DEFAULT_PACK
    if not path.is_file():
        raise PolicyError(f"{path}: the default policy pack is missing (reinstall Warden)")
    return path
