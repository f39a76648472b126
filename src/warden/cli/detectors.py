"""``warden models build|show``: the standard detector set, built from the shared data.

The recipes live in :mod:`warden.detect.standard`; this module only runs them with a progress
bar and prints the held-out figures the manifest records.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from warden.detect.corpora import Row
from warden.detect.standard import RECIPES, build, read_manifest
from warden.settings import get_settings
from warden.text.catalog import data_dir

models_app = typer.Typer(
    help="The standard detectors: build them from labelled data, show what was built.",
    no_args_is_help=True,
)


@models_app.command("build")
def build_command(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="The shared datasets (default: WARDEN_DATA_DIR)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Models directory (default: WARDEN_MODELS_DIR)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="Leave a dataset out of training and evaluation, e.g. to measure a detector "
            "on a collection it has never seen (repeatable).",
        ),
    ] = None,
    max_rows: Annotated[
        int | None,
        typer.Option("--max-rows", help="Train on a stable subsample of this many rows."),
    ] = None,
    feedback: Annotated[
        bool,
        typer.Option(
            "--feedback",
            help="Also train on the labelled spam and ham the platform sent back (Akismet's "
            "submit-spam/submit-ham), from WARDEN_DATABASE_URL.",
        ),
    ] = False,
) -> None:
    """Train the standard detectors (fraud, fake documents, gambling, sexual services, spam,
    harassment) and write them with a manifest of data files and held-out figures."""
    source = (data or data_dir()).resolve()
    target = (out or get_settings().models_path).resolve()
    rows: list[Row] = []
    if feedback:
        from warden.cli.enforcement import store
        from warden.detect.feedback import feedback_rows

        rows = feedback_rows(store())
    manifest = build_with_progress(
        source,
        target,
        Console(stderr=True),
        exclude=exclude or (),
        max_rows=max_rows,
        feedback=rows,
    )
    _render(manifest, target, _wide())


@models_app.command("show")
def show_command(
    models: Annotated[
        Path | None,
        typer.Option("--models", help="Models directory (default: WARDEN_MODELS_DIR)."),
    ] = None,
) -> None:
    """Show the standard detectors in a models directory and their held-out figures."""
    target = (models or get_settings().models_path).resolve()
    _render(read_manifest(target), target, _wide())


def build_with_progress(
    data: Path,
    out: Path,
    console: Console,
    *,
    exclude: Sequence[str] = (),
    max_rows: int | None = None,
    feedback: Sequence[Row] = (),
) -> dict[str, Any]:
    """:func:`~warden.detect.standard.build` with a progress bar (a step per detector)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("reading", total=len(RECIPES) + 2)

        def step(message: str) -> None:
            progress.update(task, description=message, advance=1)

        manifest = build(
            data,
            out,
            exclude_sources=exclude,
            max_rows=max_rows,
            progress=step,
            feedback=feedback,
        )
        progress.update(task, description="done", completed=len(RECIPES) + 2)
    return manifest


def _render(manifest: dict[str, Any], where: Path, console: Console) -> None:
    table = Table(title=f"standard detectors in {where} (built {manifest.get('created')})")
    table.add_column("detector", no_wrap=True)
    table.add_column("category", no_wrap=True)
    for header in ("trained on", "held out", "precision", "recall", "MCC", "FP rate"):
        table.add_column(header, justify="right")
    for detector in manifest["detectors"]:
        held = detector.get("held_out", {})
        table.add_row(
            detector["name"],
            detector["category"],
            f"{detector.get('training_rows', 0):,}",
            f"{held.get('rows', 0):,}",
            _fmt(held.get("precision")),
            _fmt(held.get("recall")),
            _fmt(held.get("mcc")),
            _fmt(held.get("false_positive_rate")),
        )
    console.print(table)
    excluded = manifest.get("excluded_datasets") or []
    if excluded:
        console.print(f"datasets left out: {', '.join(excluded)}")
    skipped = manifest.get("skipped_detectors") or []
    if skipped:
        console.print(f"detectors skipped (no positives left): {', '.join(skipped)}")


def _wide() -> Console:
    """A console wide enough for the figures table (a pipe would otherwise get 80 columns)."""
    return Console(width=max(Console().width, 112))


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}"
