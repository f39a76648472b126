"""``warden train`` and ``warden eval``: a classifier on your labelled data in two commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from warden.detect.classifier import TextClassifier, train
from warden.detect.datasets import DataSpec, LabelRules, ReadOptions, read_labelled
from warden.detect.evaluation import cross_validate, evaluate
from warden.detect.features import NgramConfig
from warden.errors import InputError
from warden.io.records import FORMATS, Format

DataOption = Annotated[
    list[str],
    typer.Option(
        "--data", "-d", help="Labelled FILE, or FILE=LABEL to label every row (repeatable)."
    ),
]
FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help=f"{'|'.join(FORMATS)}; default by extension.")
]
TextFieldOption = Annotated[
    str | None, typer.Option("--text-field", help="Text field: name or 1-based column.")
]
LabelFieldOption = Annotated[
    str | None,
    typer.Option(
        "--label-field",
        help="Label field: name or 1-based column (default 'label', or column 1 without a header).",
    ),
]
NoHeaderOption = Annotated[bool, typer.Option("--no-header", help="CSV/TSV without a header row.")]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="LABEL=CATEGORY (repeatable); unmapped labels stay sub-labels."),
]
MaxFprOption = Annotated[
    float, typer.Option("--max-fpr", help="False-positive budget for the operating threshold.")
]


def _options(
    fmt: str | None, text_field: str | None, label_field: str | None, no_header: bool
) -> ReadOptions:
    chosen: Format | None = None
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        chosen = next(f for f in FORMATS if f == fmt)
    return ReadOptions(chosen, text_field, label_field, header=not no_header)


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def train_command(
    data: DataOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model file to write (.wdm).")],
    fmt: FormatOption = None,
    text_field: TextFieldOption = None,
    label_field: LabelFieldOption = None,
    no_header: NoHeaderOption = False,
    mapping: MapOption = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Map every non-clean label to this category (binary)."),
    ] = None,
    c: Annotated[
        float | None,
        typer.Option("--c", help="SVM regularization (higher fits harder); default: chosen by CV."),
    ] = None,
    bits: Annotated[int, typer.Option("--bits", help="log2 of the hashed feature space.")] = 20,
    balanced: Annotated[
        bool, typer.Option("--balanced", help="Weight classes inversely to their size.")
    ] = False,
) -> None:
    """Train a text classifier on labelled data and write one self-describing model file."""
    console = Console(stderr=True)
    rules = LabelRules(LabelRules.parse_map(mapping or []), category)
    specs = [DataSpec.parse(spec) for spec in data]
    dataset, rejected = read_labelled(
        specs, _options(fmt, text_field, label_field, no_header), rules
    )
    for path, rejection in rejected[:5]:
        console.print(f"[yellow]skipped[/yellow] {path.name}:{rejection.line}: {rejection.reason}")
    with _progress(console) as progress:
        task = progress.add_task("training", total=3)

        def step(message: str) -> None:
            progress.update(task, description=message, advance=1)

        model = train(
            dataset,
            config=NgramConfig(bits=bits),
            c=c,
            class_weight="balanced" if balanced else None,
            name=out.stem,
            progress=step,
        )
        progress.update(task, description="done", completed=3)
    model.save(out)
    table = Table(title=f"trained {out}", show_header=False)
    table.add_row("rows", f"{len(dataset.texts)} used, {len(rejected)} skipped")
    for label, count in model.meta["label_counts"].items():
        table.add_row(f"label {label}", str(count))
    table.add_row("label map", ", ".join(f"{k}→{v}" for k, v in model.label_map.items()))
    table.add_row("size", f"{out.stat().st_size / 1e6:.1f} MB")
    console.print(table)


def eval_command(
    data: DataOption,
    model_path: Annotated[Path, typer.Option("--model", "-m", help="Model file (.wdm).")],
    fmt: FormatOption = None,
    text_field: TextFieldOption = None,
    label_field: LabelFieldOption = None,
    no_header: NoHeaderOption = False,
    mapping: MapOption = None,
    max_fpr: MaxFprOption = 0.01,
    cv: Annotated[
        int | None,
        typer.Option("--cv", help="K-fold cross-validation on the data with the model's settings."),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Evaluate a model on labelled data (or cross-validate its settings with --cv K)."""
    model = TextClassifier.load(model_path)
    label_map = model.label_map | LabelRules.parse_map(mapping or [])
    rules = LabelRules(label_map)
    specs = [DataSpec.parse(spec) for spec in data]
    dataset, rejected = read_labelled(
        specs, _options(fmt, text_field, label_field, no_header), rules
    )
    if cv:
        hyper = model.meta.get("hyperparameters", {})
        console = Console(stderr=True)
        with _progress(console) as progress:
            task = progress.add_task(f"{cv}-fold cross-validation", total=cv)
            result = cross_validate(
                dataset,
                cv,
                config=model.config,
                c=float(hyper.get("C", 1.0)),
                class_weight=hyper.get("class_weight"),
                max_fpr=max_fpr,
                progress=lambda done: progress.update(task, completed=done),
            )
    else:
        result = evaluate(model, dataset, max_fpr=max_fpr)
    result["skipped_rows"] = len(rejected)
    if json:
        sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
        return
    _render(result, Console())


def _fmt(value: Any) -> str:
    if isinstance(value, dict) and "mean" in value:
        return f"{value['mean']:.4f} ± {value['sd']:.4f}"
    return f"{value:.4f}"


def _render(result: dict[str, Any], console: Console) -> None:
    table = Table(title="per class")
    for column in ("label", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="right" if column != "label" else "left")
    for label, row in result["per_class"].items():
        table.add_row(
            label,
            _fmt(row["precision"]),
            _fmt(row["recall"]),
            _fmt(row["f1"]),
            str(row.get("support", "")),
        )
    macro = result["macro"]
    table.add_row(
        "macro",
        _fmt(macro["precision"]),
        _fmt(macro["recall"]),
        _fmt(macro["f1"]),
        "",
        style="bold",
    )
    console.print(table)
    summary = Table(show_header=False, title="summary")
    summary.add_row("accuracy", _fmt(result["accuracy"]))
    summary.add_row("MCC", _fmt(result["mcc"]))
    for key in ("roc_auc", "pr_auc"):
        if key in result:
            summary.add_row(key.replace("_", "-").upper(), _fmt(result[key]))
    if "at_max_fpr" in result:
        point = result["at_max_fpr"]
        summary.add_row(
            f"at FPR ≤ {point['max_fpr']}",
            f"threshold {point['threshold']:.3f}: recall {point['recall']:.4f} (FPR {point['fpr']:.4f})",
        )
    if "folds" in result:
        summary.add_row("folds", str(result["folds"]))
    console.print(summary)
    if "confusion" in result:
        labels = result["confusion"]["labels"]
        matrix = Table(title="confusion (rows: truth, columns: predicted)")
        matrix.add_column("")
        for label in labels:
            matrix.add_column(label[:12], justify="right")
        for label, row in zip(labels, result["confusion"]["matrix"], strict=True):
            matrix.add_row(label, *map(str, row))
        console.print(matrix)
