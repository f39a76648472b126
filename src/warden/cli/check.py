"""``warden check``: screen a few texts (or pictures) given on the command line and show why.

``--image FILE`` screens a picture the way an event's media is screened
(:mod:`warden.media.scan`): its QR codes and their payloads, the text read in it with the
boxes, its PDQ hash and the hash banks it matches (the store's, when
``WARDEN_DATABASE_URL`` names one that exists, and any ``--bank-file``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from warden.domain.verdicts import Verdict

if TYPE_CHECKING:
    from warden.detect.screener import Screener


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
    image: Annotated[
        list[Path] | None,
        typer.Option(
            "--image",
            help="A picture to screen (repeatable): QR codes, text in it, PDQ, bank matches.",
        ),
    ] = None,
    bank_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--bank-file",
            help="A hash bank file (te, hma or txt; docs/media.md) to match pictures against.",
        ),
    ] = None,
) -> None:
    """Screen TEXT... and print each verdict: categories, matches, entities."""
    if not texts and not image:
        texts = [line.rstrip("\n") for line in sys.stdin]
    screener = build_screener(lexicon, catalog, no_defaults, model)
    verdicts = screener.screen(texts or [])
    if image:
        verdicts += _pictures(screener, image, bank_file or [])
    if json:
        out = sys.stdout.buffer
        for verdict in verdicts:
            out.write(orjson.dumps(verdict.to_dict()) + b"\n")
        out.flush()
        return
    console = Console()
    for verdict in verdicts:
        console.print(verdict_panel(verdict))


def _pictures(screener: Screener, images: list[Path], bank_files: list[Path]) -> list[Verdict]:
    """The verdicts of each picture, read straight from its file (no roots apply: the
    operator named it), within the settings' size and pixel limits."""
    from warden.cli.banks import banks_for_check
    from warden.errors import InputError
    from warden.media.scan import MediaScanner
    from warden.settings import get_settings

    scanner = MediaScanner(
        screener, get_settings().media_limits(), banks=banks_for_check(bank_files)
    )
    out: list[Verdict] = []
    for path in images:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"--image: cannot read {str(path)!r}: {exc.strerror}") from exc
        out.extend(scanner.scan_bytes(raw, path.name))
    return out
