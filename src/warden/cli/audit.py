"""``warden audit``: verify the stored audit chain, or export it for offline verification.

Both commands read ``WARDEN_DATABASE_URL`` (see :mod:`warden.settings`). ``verify`` exits 0
and prints ``OK`` with the record count and the head hash — publish that hash so a later
check proves nothing before it changed — or names the first bad record and exits 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from warden.audit.chain import VerifyResult
from warden.audit.log import ExportSummary, export, verify
from warden.errors import ConfigError
from warden.settings import get_settings
from warden.store.engine import make_engine

T = TypeVar("T")

audit_app = typer.Typer(
    name="audit",
    help="Verify or export the hash-chained audit log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@audit_app.command("verify")
def verify_command() -> None:
    """Walk the whole chain; print OK and the head hash, or the first bad record (exit 1)."""
    result: VerifyResult = _with_database(verify)
    if result.ok:
        typer.echo(
            f"OK: {result.count} records verified; head seq {result.head_seq}, "
            f"head hash {result.head_hash}"
        )
        return
    typer.echo(
        f"FAILED at record {result.bad_seq}: {result.problem} — {result.detail} "
        f"({result.count} records before it verified)",
        err=True,
    )
    raise typer.Exit(1)


@audit_app.command("export")
def export_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="JSONL file to write (one record per line).")
    ],
) -> None:
    """Write the chain as JSONL; check it anywhere with warden.audit.offline.verify_jsonl."""
    summary: ExportSummary = _with_database(lambda engine: export(engine, out))
    typer.echo(
        f"exported {summary.count} records to {out}; head seq {summary.head_seq}, "
        f"head hash {summary.head_hash}"
    )


def _with_database(work: Callable[[Engine], T]) -> T:
    """Run ``work`` on the configured database; a missing or unmigrated one is a ConfigError."""
    url = get_settings().database_url
    parsed = make_url(url)
    database = parsed.database or ""
    is_file_db = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file_db and not Path(database).is_file():
        raise ConfigError(
            f"WARDEN_DATABASE_URL: {parsed.render_as_string(hide_password=True)!r}: no such database file; expected Warden's database"
        )
    engine = make_engine(url)
    try:
        return work(engine)
    except DBAPIError as exc:
        first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(
            f"WARDEN_DATABASE_URL: {parsed.render_as_string(hide_password=True)!r}: "
            f"cannot read the audit log ({first_line}); expected a migrated Warden database"
        ) from None
    finally:
        engine.dispose()
