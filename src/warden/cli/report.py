"""``warden report``: the transparency report, as ``report.html`` and ``report.json``.

Reads the database of ``WARDEN_DATABASE_URL`` (SQLite ``warden.db`` in the current directory
by default), like every other command. Both files come from one set of figures
(:mod:`warden.report.transparency`), so they always agree; each is written to a temporary
name first and then moved into place, so a reader never sees half a report.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from warden.errors import InputError

if TYPE_CHECKING:
    from warden.report.transparency import TransparencyFigures

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def report(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Directory to write report.html and report.json into (created if missing).",
        ),
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="First day covered, YYYY-MM-DD (UTC); default: the first record."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="Last day covered, YYYY-MM-DD (UTC); default: the last record."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The report's title (HTML and JSON).")
    ] = None,
) -> None:
    """Write the transparency report: actions, accounts, rings, appeals, backlog, audit head."""
    from warden.cli.enforcement import store
    from warden.report.transparency import DEFAULT_TITLE, transparency_figures

    first, last = _day(since, "--since"), _day(until, "--until")
    if first is not None and last is not None and last < first:
        raise InputError(
            f"--until: {until!r} is before --since {since!r}; expected a day on or after it"
        )
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {str(out)!r} is a file; expected a directory")
    figures = transparency_figures(store(), first, last, title=title or DEFAULT_TITLE)
    html_path, json_path = write_report(figures, out)
    typer.echo(f"wrote {html_path} and {json_path}")
    typer.echo(summary(figures))


def write_report(figures: TransparencyFigures, out: Path) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.json`` for ``figures`` into ``out``."""
    import orjson

    from warden.report.transparency_page import render

    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    _write(json_path, orjson.dumps(figures.to_json(), option=orjson.OPT_INDENT_2) + b"\n")
    _write(html_path, render(figures).encode("utf-8"))
    return html_path, json_path


def summary(figures: TransparencyFigures) -> str:
    """One line for the terminal: the headline and the audit chain's state."""
    from warden.report.html import number, share

    audit = figures.audit
    chain = (
        f"audit chain verified, head seq {audit.head_seq} hash {audit.head_hash[:16]}…"
        if audit.ok
        else f"audit chain FAILED at record {audit.bad_seq} ({audit.problem})"
    )
    if figures.empty:
        return f"nothing to report yet for this period; {chain}"
    closed = figures.accounts_closed
    return (
        f"actions taken: {number(figures.actions_taken)}; accounts closed: {number(closed)} "
        f"({share(figures.share_of_active(closed))} of {number(figures.active_accounts)} "
        f"active accounts); {chain}"
    )


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        if not DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{option}: {text!r} is not a date; expected YYYY-MM-DD (a UTC day, e.g. 2026-06-10)"
        ) from None


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
