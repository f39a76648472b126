"""The files Warden ships with: the team's lexicons, the default policy pack, the event schema.

The team edits them where they have always been, at the top of the checkout: ``lexicons/``
(with ``catalogs/``), ``policies/`` (with ``campaigns/``) and ``schemas/``. This package holds
a symlink to each of those folders, so the same lookup serves both ways Warden runs:

* from a checkout (``pip install -e .`` or ``python -m warden`` in the tree), the symlink
  leads to the folder the team edits;
* from a wheel, setuptools has copied the files behind the symlinks into
  ``warden/data/`` (``pyproject.toml`` lists which), so ``warden check``, ``ingest`` and
  ``sweep`` work from any directory without the checkout.

Everything that needs one of these files asks :func:`shipped` instead of building a path
relative to the current directory or walking up from ``__file__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from warden.errors import ConfigError

Shipped = Literal["lexicons", "policies", "schemas"]


def shipped(name: Shipped) -> Path:
    """The folder of shipped ``name`` files, resolved to the real (absolute) path.

    Raises :class:`~warden.errors.ConfigError` naming the path when the folder is missing —
    a checkout cloned without symlinks, or a broken install.
    """
    link = Path(__file__).resolve().parent / name
    if not link.is_dir():
        raise ConfigError(
            f"{link}: Warden's {name} folder is missing; in a checkout it is a symlink to "
            f"../../../{name} (clone with symlinks enabled), in an install it comes with "
            "the wheel (reinstall Warden)"
        )
    return link.resolve()
