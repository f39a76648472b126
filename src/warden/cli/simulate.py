"""``warden simulate``: write a synthetic platform — events plus the truth about every account.

What the roles do and what the files hold: ``docs/simulate.md``. With ``--texts`` the
messages are labelled real ones instead of the team's templates (one role per message).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from warden.errors import InputError

if TYPE_CHECKING:
    from warden.simulate.labelled import LabelledTexts
    from warden.simulate.labelled_platform import LabelledConfig
    from warden.simulate.writer import Format

MAX_ACCOUNTS = 2_000_000  # every ordinary account gets a /24 of its own; there are 2M to give
MAX_DAYS = 3660
MAX_BAD_RECORDS = 1_000_000
_PART = re.compile(r"part-[0-9]{5,}\.(parquet|jsonl)")


def simulate(
    accounts: Annotated[int, typer.Option("--accounts", help="How many accounts.")],
    days: Annotated[int, typer.Option("--days", help="How many days of activity.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same bytes.")],
    start: Annotated[
        str, typer.Option("--start", help="First day, YYYY-MM-DD (UTC midnight).")
    ] = "2026-06-01",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Event files: parquet or jsonl.")
    ] = "parquet",
    messages_per_account: Annotated[
        float,
        typer.Option(
            "--messages-per-account", help="Average messages per account over the whole run."
        ),
    ] = 50.0,
    evasion_rate: Annotated[
        float | None,
        typer.Option(
            "--evasion-rate", help="Share of an abuser's messages that are disguised (0.3)."
        ),
    ] = None,
    bad_records: Annotated[
        int,
        typer.Option("--bad-records", help="Append this many invalid records (JSONL only)."),
    ] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output of an earlier run in --out.")
    ] = False,
    texts: Annotated[
        list[Path] | None,
        typer.Option(
            "--texts", help="Labelled real messages (JSONL or role<TAB>text); repeatable."
        ),
    ] = None,
    abusive_accounts: Annotated[
        int | None,
        typer.Option(
            "--abusive-accounts", help="With --texts: how many accounts are abusive (5%)."
        ),
    ] = None,
    pictures: Annotated[
        bool,
        typer.Option(
            "--pictures",
            help="Rings post ad pictures with QR codes, ordinary people photos (docs/simulate.md).",
        ),
    ] = False,
) -> None:
    """Write a synthetic platform (events in time order, truth.parquet, manifest.json)."""
    from warden.simulate import Evasion, SimulationConfig, SimulationResult
    from warden.simulate import simulate as run

    if not 100 <= accounts <= MAX_ACCOUNTS:
        raise InputError(f"--accounts: {accounts} is out of range; expected 100 to {MAX_ACCOUNTS}")
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"--days: {days} is out of range; expected 1 to {MAX_DAYS}")
    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise InputError(f"--start: {start!r} is not a date; expected YYYY-MM-DD") from None
    chosen = _format(fmt)
    if not 0 < messages_per_account <= 100_000:
        raise InputError(
            f"--messages-per-account: {messages_per_account} is out of range; "
            "expected a number above 0 and at most 100000"
        )
    if evasion_rate is not None and not 0 <= evasion_rate <= 1:
        raise InputError(f"--evasion-rate: {evasion_rate} is out of range; expected 0 to 1")
    if not 0 <= bad_records <= MAX_BAD_RECORDS:
        raise InputError(
            f"--bad-records: {bad_records} is out of range; expected 0 to {MAX_BAD_RECORDS}"
        )
    if bad_records and fmt != "jsonl":
        raise InputError(
            f"--bad-records: {bad_records} needs --format jsonl (got {fmt}); "
            "a Parquet column cannot hold a malformed record"
        )
    if texts is None and abusive_accounts is not None:
        raise InputError(
            f"--abusive-accounts: {abusive_accounts} needs --texts; the built-in roles "
            "have their own shares (docs/simulate.md#roles)"
        )
    if texts is not None and pictures:
        raise InputError("--pictures cannot go with --texts; labelled messages have no pictures")
    if texts is not None and evasion_rate is not None:
        raise InputError(
            f"--evasion-rate: {evasion_rate} cannot go with --texts; labelled messages are "
            "used as written"
        )
    common: dict[str, Any] = {
        "accounts": accounts,
        "days": days,
        "seed": seed,
        "start": first,
        "format": chosen,
        "messages_per_account": messages_per_account,
        "bad_records": bad_records,
    }
    labelled: tuple[LabelledConfig, LabelledTexts] | None = None
    if texts is not None:
        from warden.simulate.labelled_platform import LabelledConfig

        labelled_config = LabelledConfig(
            **common, abusive_accounts=_abusive(accounts, abusive_accounts)
        )
        labelled = labelled_config, _labelled(texts, labelled_config)
    _prepare(out, force)
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]simulate[/bold] days"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[events]:,} events"), TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        task = progress.add_task("days", total=days, events=0)

        def advance(done: int, events: int) -> None:
            progress.update(task, completed=done, events=events)

        result: SimulationResult
        if labelled is not None:
            from warden.simulate.labelled_simulator import simulate_labelled

            result = simulate_labelled(*labelled, out, advance)
        else:
            config = SimulationConfig(
                **common,
                evasion=Evasion(rate=0.3 if evasion_rate is None else evasion_rate),
                pictures=pictures,
            )
            result = run(config, out, advance)
    table = Table(title=f"simulated platform in {out}", show_header=False)
    table.add_row("accounts", f"{accounts:,}")
    table.add_row("abusive accounts", f"{result.manifest['abusive_accounts']:,}")
    if labelled is not None:
        for role, count in sorted(result.roles.items()):
            table.add_row(f"role {role}", f"{count:,}")
    else:
        table.add_row("rings", f"{result.rings:,}")
    for kind, count in sorted(result.events.items()):
        table.add_row(f"{kind} events", f"{count:,}")
    table.add_row("files", f"{len(result.files)} × {fmt} in {out / 'events'}")
    if bad_records:
        table.add_row("bad records", f"{bad_records} at the end of {result.files[-1].name}")
    console.print(table)


def _abusive(accounts: int, given: int | None) -> int:
    """``--abusive-accounts``, or 5% of ``--accounts``; at most half of them."""
    from warden.simulate.labelled_platform import DEFAULT_ABUSIVE_SHARE

    count = round(accounts * DEFAULT_ABUSIVE_SHARE) if given is None else given
    if not 0 <= count <= accounts // 2:
        raise InputError(
            f"--abusive-accounts: {count} is out of range; expected 0 to {accounts // 2} "
            "(at most half of --accounts)"
        )
    return count


def _labelled(paths: list[Path], config: LabelledConfig) -> LabelledTexts:
    """The texts of ``--texts``, read and checked against ``config`` before anything is
    written (a bad line or an impossible mix of roles leaves ``--out`` untouched)."""
    from warden.simulate.labelled import read_texts
    from warden.simulate.labelled_platform import role_counts

    if not paths:
        raise InputError("--texts: no file given; expected one or more files")
    for path in paths:
        if not path.is_file():
            raise InputError(f"--texts: {str(path)!r} is not a readable file")
    texts = read_texts(paths)
    role_counts(config, texts)
    return texts


def _prepare(out: Path, force: bool) -> None:
    """Refuse to mix runs: an earlier run's files in ``out`` go only with ``--force``."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {str(out)!r} is a file; expected a folder")
    events = out / "events"
    earlier = [out / "truth.parquet", out / "manifest.json"]
    if any(p.exists() for p in earlier) or (events.is_dir() and any(events.iterdir())):
        if not force:
            raise InputError(
                f"--out: {str(out)!r} already holds a simulation; "
                "expected an empty folder (or pass --force to replace it)"
            )
        others = (
            [p for p in events.iterdir() if not _PART.fullmatch(p.name) and p.name != "media"]
            if events.is_dir()
            else []
        )
        if others:
            raise InputError(
                f"--out: {str(events)!r} holds files a simulation did not write "
                f"(e.g. {others[0].name!r}); expected only part-NNNNN files"
            )
        for path in earlier:
            path.unlink(missing_ok=True)
        for path in events.glob("part-*") if events.is_dir() else ():
            path.unlink()
        for folder in (events / "media", out / "banks"):  # an earlier run's pictures
            for path in folder.glob("*") if folder.is_dir() else ():
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _format(value: str) -> Format:
    from warden.simulate.writer import FORMATS

    for known in FORMATS:
        if value == known:
            return known
    raise InputError(f"--format: {value!r} is not one of {', '.join(FORMATS)}")
