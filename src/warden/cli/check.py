"""``warden check``: screen a few texts given on the command line (or stdin) and show why."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.console import Console

from warden.cli.options import (
    CatalogOption,
    LexiconOption,
    ModelOption,
    NoDefaultsOption,
    build_screener,
)
from warden.cli.render import verdict_panel


def check(
    texts: Annotated[
        list[str] | None,
        typer.Argument(help="Texts to screen; with none, one text per line from stdin."),
    ] = None,
    lexicon: LexiconOption = None,
    catalog: CatalogOption = None,
    no_defaults: NoDefaultsOption = False,
    model: ModelOption = None,
    json: Annotated[bool, typer.Option("--json", help="One JSON object per text.")] = False,
) -> None:
    """Screen TEXT... and print each verdict: categories, matches, entities."""
    if not texts:
        texts = [line.rstrip("\n") for line in sys.stdin]
    screener = build_screener(lexicon, catalog, no_defaults, model)
    verdicts = screener.screen(texts)
    if json:
        out = sys.stdout.buffer
        for verdict in verdicts:
            out.write(orjson.dumps(verdict.to_dict()) + b"\n")
        out.flush()
        return
    console = Console()
    for verdict in verdicts:
        console.print(verdict_panel(verdict))
