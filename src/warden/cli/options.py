"""Options shared by the commands that screen text, and the Screener they describe.

The Screener is imported when one is built, not with the options: ``warden check --help``
needs only the option declarations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from warden.detect.screener import Screener

LexiconOption = Annotated[
    list[str] | None,
    typer.Option(
        "--lexicon",
        "-l",
        help="Extra lexicon FILE, FILE:CATEGORY or FILE:CATEGORY:WEIGHT (repeatable). "
        "Plain one-term-per-line lists need the CATEGORY.",
    ),
]
CatalogOption = Annotated[
    list[Path] | None,
    typer.Option("--catalog", help="YAML catalog of lexicon files to load (repeatable)."),
]
ModelOption = Annotated[
    list[Path] | None,
    typer.Option("--model", "-m", help="Classifier file from `warden train` (repeatable)."),
]
NoDefaultsOption = Annotated[
    bool, typer.Option("--no-defaults", help="Do not load the team's default lexicons.")
]


def build_screener(
    lexicons: list[str] | None,
    catalogs: list[Path] | None,
    no_defaults: bool,
    models: list[Path] | None = None,
) -> Screener:
    """The Screener the command line asks for: with the defaults, the standard detectors
    join the team's lexicons when they have been built (``warden models build``)."""
    from warden.detect.manifest import STANDARD, resolve_models
    from warden.detect.screener import Screener
    from warden.settings import get_settings

    chosen: list[Path] = list(models or ())
    if not no_defaults:
        chosen = resolve_models([STANDARD], get_settings().models_path) + chosen
    return Screener.from_lexicons(
        lexicons or (), defaults=not no_defaults, catalogs=catalogs or (), models=chosen
    )
