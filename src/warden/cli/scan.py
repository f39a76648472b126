"""``warden scan``: screen a whole file with a progress bar; one verdict per record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from warden.cli.options import (
    CatalogOption,
    LexiconOption,
    ModelOption,
    NoDefaultsOption,
    build_screener,
)
from warden.errors import InputError
from warden.io.records import FORMATS, Format, RecordReader, guess_format
from warden.io.scan import scan_file


def scan(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="File of texts to screen.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Verdicts file: .jsonl or .parquet.")
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help=f"Input format ({'|'.join(FORMATS)}); default: by extension."
        ),
    ] = None,
    text_field: Annotated[
        str | None,
        typer.Option(
            "--text-field",
            help="Field (JSONL key, CSV/TSV header name or 1-based column) holding the text.",
        ),
    ] = None,
    id_field: Annotated[
        str | None, typer.Option("--id-field", help="Field copied into each verdict as 'id'.")
    ] = None,
    no_header: Annotated[
        bool, typer.Option("--no-header", help="CSV/TSV without a header row.")
    ] = False,
    lexicon: LexiconOption = None,
    catalog: CatalogOption = None,
    no_defaults: NoDefaultsOption = False,
    model: ModelOption = None,
) -> None:
    """Screen every record of INPUT into --output; unreadable records go to OUTPUT.rejected.jsonl."""
    if not input_path.is_file():
        raise InputError(f"INPUT: {str(input_path)!r} is not a readable file")
    chosen: Format = guess_format(input_path) if fmt is None else _format(fmt)
    reader = RecordReader(input_path, chosen, text_field=text_field, header=not no_header)
    screener = build_screener(lexicon, catalog, no_defaults, model)
    console = Console(stderr=True)
    total = input_path.stat().st_size
    with Progress(
        TextColumn("[bold]scan[/bold] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(input_path.name, total=total)
        summary = scan_file(
            screener,
            reader,
            output,
            id_field=id_field,
            progress=lambda done: progress.update(task, completed=done),
        )
    table = Table(title="scan summary", show_header=False)
    table.add_row("read", str(summary.read))
    table.add_row("screened", str(summary.screened))
    table.add_row("flagged", str(summary.flagged))
    table.add_row("rejected", f"{summary.rejected} → {summary.rejected_path}")
    table.add_row("verdicts", str(summary.output))
    console.print(table)


def _format(value: str) -> Format:
    for known in FORMATS:
        if value == known:
            return known
    raise InputError(f"--format: {value!r} is not one of {', '.join(FORMATS)}")
