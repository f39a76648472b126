"""``warden sweep``: a campaign over a platform's history — measured in shadow, then enforced."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from warden.errors import InputError

STAGES = {"screen_and_fold": "screen + fold", "plan": "plan"}


def sweep(
    events: Annotated[
        Path, typer.Option("--events", help="Folder (or file) of event files: Parquet or JSONL.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for verdicts, rings, actions, report.")
    ],
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy pack (YAML); default: the built-in default pack."),
    ] = None,
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Campaign overlay by name.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="First moment swept (ISO date or date-time).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Sweep events before this moment.")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local (processes on this machine) or spark.")
    ] = "local",
    shadow: Annotated[
        bool, typer.Option("--shadow", help="Act on nothing; write the impact report.")
    ] = False,
    enforce: Annotated[
        bool, typer.Option("--enforce", help="Apply the actions through the executor.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Shards (processes or Spark partitions).")
    ] = None,
    master: Annotated[
        str, typer.Option("--master", help="Spark master URL (with --engine spark).")
    ] = "local[*]",
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="Ground truth (truth.parquet of warden simulate)."),
    ] = None,
    sample: Annotated[
        int, typer.Option("--sample", help="Decisions drawn for spot-checking.")
    ] = 25,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the spot-check sample.")] = 0,
    json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Screen, fold, link rings, evaluate and plan over history; shadow or enforce."""
    from warden.cli.banks import stored_entries
    from warden.cli.enforcement import store
    from warden.media.limits import with_root
    from warden.policy import default_pack_path
    from warden.settings import get_settings
    from warden.sweep.impact import write_impact
    from warden.sweep.pipeline import SweepOptions, run_sweep

    if shadow == enforce:
        raise InputError("--shadow/--enforce: give exactly one (measure first, then enforce)")
    if engine not in ("local", "spark"):
        raise InputError(f"--engine: {engine!r} is not an engine; expected local or spark")
    if workers is not None and workers < 1:
        raise InputError(f"--workers: {workers} is not a number of shards; expected ≥ 1")
    if sample < 0:
        raise InputError(f"--sample: {sample} is negative; expected ≥ 0")
    if truth is not None and not truth.is_file():
        raise InputError(f"--truth: {str(truth)!r} is not a readable file")
    if policy is not None and not policy.is_file():
        raise InputError(f"--policy: {str(policy)!r} is not a readable file")
    options = SweepOptions(
        events=events,
        policy=policy or default_pack_path(),
        out=out,
        campaign=campaign,
        since=_moment("--since", since),
        until=_moment("--until", until),
        mode="enforce" if enforce else "shadow",
        workers=workers or os.cpu_count() or 1,
        truth=truth,
        sample=sample,
        seed=seed,
        media=with_root(get_settings().media_limits(), events),
        bank_entries=tuple(stored_entries()),
    )
    out.mkdir(parents=True, exist_ok=True)
    runner = _engine(engine, master)
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]sweep[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        result = run_sweep(options, runner, store=store(), progress=stage_reporter(progress))
    figures = write_impact(result)
    summary = _summary(figures)
    if json:
        sys.stdout.buffer.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        return
    _print(Console(), summary, out)


def stage_reporter(progress: Progress) -> Callable[[str, int, int | None], None]:
    """A sweep progress callback that shows one bar per step on ``progress``."""
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(STAGES.get(stage, stage), total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return report


def _engine(name: str, master: str) -> Any:
    if name == "local":
        from warden.sweep.local import LocalEngine

        return LocalEngine()
    try:
        from warden.sweep.spark import SparkEngine
    except ImportError as exc:
        raise InputError(
            f"--engine: spark needs PySpark ({exc}); install it with pip install 'warden[spark]'"
        ) from None
    return SparkEngine(master)


def _moment(option: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{option}: {text!r} is not an ISO-8601 date or date-time (e.g. 2026-06-09)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _summary(figures: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "sweep_id", "mode", "engine", "campaign", "policy_version", "counts", "active_accounts",
        "accounts_actioned", "accounts_closed", "share_actioned", "share_closed",
        "held_for_review", "actions_by_type", "timings_s",
    )  # fmt: skip
    summary = {k: figures.get(k) for k in keys}
    summary["rings"] = {k: figures["rings"][k] for k in ("found", "accounts_in_rings")}
    if "quality" in figures:
        summary["quality"] = figures["quality"]
    return summary


def _print(console: Console, s: dict[str, Any], out: Path) -> None:
    verb = "would action" if s["mode"] == "shadow" else "actioned"
    console.print(
        f"[bold]{s['mode']} sweep {s['sweep_id']}[/bold] ({s['engine']}): "
        f"{s['counts']['events']:,} events, {s['counts']['quarantined']:,} quarantined; "
        f"{verb} {s['accounts_actioned']:,} of {s['active_accounts']:,} active accounts "
        f"({(s['share_actioned'] or 0) * 100:.2f}%), closes {s['accounts_closed']:,} "
        f"({(s['share_closed'] or 0) * 100:.2f}%); {s['rings']['found']:,} rings "
        f"({s['rings']['accounts_in_rings']:,} accounts)"
    )
    actions = Table("action", "count")
    for kind, count in sorted(s["actions_by_type"].items()):
        actions.add_row(kind, f"{count:,}")
    console.print(actions)
    if "quality" in s:
        q = s["quality"]
        roles = Table("role", "accounts", "actioned", "share")
        for role, v in q["per_role"].items():
            roles.add_row(
                role,
                f"{v['accounts']:,}",
                f"{v['actioned']:,}",
                f"{(v['share_actioned'] or 0) * 100:.1f}%",
            )
        console.print(roles)
        console.print(
            f"precision {(q['precision'] or 0):.4f}, recall {(q['recall'] or 0):.4f} over abusive "
            f"roles; ordinary actioned {q['ordinary_actioned']:,} "
            f"({(q['ordinary_share_actioned'] or 0) * 100:.3f}%); ring members recovered "
            f"{(q['rings']['recovered'] or 0) * 100:.1f}%, purity {(q['rings']['purity'] or 0) * 100:.1f}%"
        )
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in s["timings_s"].items())
    console.print(f"timings: {timings}")
    console.print(f"report: {out / 'impact.html'} (numbers in impact.json)")
