"""``warden audit``: verify the stored audit chain, export it, and sign checkpoints of it.

Every command but ``keygen`` reads ``WARDEN_DATABASE_URL`` (see :mod:`warden.settings`).
``verify`` exits 0 and prints ``OK`` with the record count and the head hash, or names the
first bad record and exits 1. A hash you print yourself proves little to anyone else, so
``checkpoint`` signs the head with ``WARDEN_AUDIT_SIGNING_KEY`` (Ed25519, made by
``keygen``); whoever holds the file runs ``verify --checkpoint`` later, and truncation or a
recomputed chain fails there (see :mod:`warden.audit.checkpoint`).

SQLAlchemy and ``cryptography`` are imported inside the commands: ``warden --help`` lists
this group without loading either.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from warden.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from warden.audit.chain import VerifyResult

T = TypeVar("T")

audit_app = typer.Typer(
    name="audit",
    help="Verify, export or checkpoint the hash-chained audit log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@audit_app.command("verify")
def verify_command(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint from `warden audit checkpoint`: its signature must hold and "
            "the chain must still contain its record (catches truncation and recomputation).",
        ),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="PEM public key the checkpoint must be signed with (from `warden audit "
            "keygen`); without it only the key inside the checkpoint is used.",
        ),
    ] = None,
) -> None:
    """Walk the whole chain; print OK and the head hash, or the first bad record (exit 1)."""
    if checkpoint is None:
        if public_key is not None:
            raise typer.BadParameter("needs --checkpoint", param_hint="--public-key")
        from warden.audit.log import verify

        result: VerifyResult = _with_database(verify)
        _report_walk(result)
        if not result.ok:
            raise typer.Exit(1)
        return
    _verify_checkpoint(checkpoint, public_key)


@audit_app.command("checkpoint")
def checkpoint_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write the checkpoint to (default: stdout)."),
    ] = None,
) -> None:
    """Sign the head of a chain that verifies with WARDEN_AUDIT_SIGNING_KEY; hand the file on."""
    from warden.audit.checkpoint import load_private_key, sign, write_checkpoint
    from warden.audit.log import snapshot
    from warden.settings import get_settings

    settings = get_settings()
    if settings.audit_signing_key is None:
        raise ConfigError(
            "WARDEN_AUDIT_SIGNING_KEY: not set; expected the path of a PEM Ed25519 private "
            "key (create one with `warden audit keygen --out FILE`)"
        )
    key = load_private_key(settings.audit_signing_key.expanduser())
    state = _with_database(snapshot)
    if not state.verified.ok:
        _report_walk(state.verified)
        typer.echo("no checkpoint written: the chain does not verify", err=True)
        raise typer.Exit(1)
    if state.record is None:
        typer.echo("no checkpoint written: the audit log is empty", err=True)
        raise typer.Exit(1)
    signed = sign(state.record, state.verified.count, _database_label(), key)
    if out is None:
        import json

        typer.echo(json.dumps(signed.to_json(), indent=2, sort_keys=True))
    else:
        write_checkpoint(signed, out)
    typer.echo(
        f"checkpoint: seq {signed.seq}, hash {signed.hash}, signed by key "
        f"{signed.key_fingerprint}" + (f"; written to {out}" if out else ""),
        err=True,
    )


@audit_app.command("keygen")
def keygen_command(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="File for the new private key (PEM, mode 0600)."),
    ],
) -> None:
    """Create an Ed25519 signing key; print its public key (give that to your verifiers)."""
    from warden.audit.checkpoint import fingerprint, generate_key, public_pem, raw_public

    public = generate_key(out)
    typer.echo(public_pem(public), nl=False)
    typer.echo(
        f"private key written to {out} (mode 0600); key {fingerprint(raw_public(public))}. "
        f"Set WARDEN_AUDIT_SIGNING_KEY={out} and keep the public key above for "
        "`warden audit verify --public-key`.",
        err=True,
    )


@audit_app.command("export")
def export_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="JSONL file to write (one record per line).")
    ],
) -> None:
    """Write the chain as JSONL; check it anywhere with warden.audit.offline.verify_jsonl."""
    from warden.audit.log import ExportSummary, export

    summary: ExportSummary = _with_database(lambda engine: export(engine, out))
    typer.echo(
        f"exported {summary.count} records to {out}; head seq {summary.head_seq}, "
        f"head hash {summary.head_hash}"
    )


def _verify_checkpoint(path: Path, public_key: Path | None) -> None:
    """The signature first (a forged file proves nothing), then the walk and the record."""
    from warden.audit.checkpoint import (
        check_record,
        load_public_key,
        read_checkpoint,
        signature_holds,
    )
    from warden.audit.log import ChainSnapshot, snapshot

    checkpoint = read_checkpoint(path)
    trusted = load_public_key(public_key) if public_key is not None else None
    bad_signature = signature_holds(checkpoint, trusted)
    if bad_signature is not None:
        typer.echo(f"FAILED: checkpoint {path}: {bad_signature}", err=True)
        raise typer.Exit(1)
    state: ChainSnapshot = _with_database(lambda engine: snapshot(engine, checkpoint.seq))
    _report_walk(state.verified)
    missing = check_record(checkpoint, state.record, state.head_seq)
    if missing is not None:
        typer.echo(f"FAILED: checkpoint {path}: {missing}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"OK: checkpoint seq {checkpoint.seq} (signed {checkpoint.signed_at} by key "
        f"{checkpoint.key_fingerprint}) is in the chain"
    )
    if trusted is None:
        typer.echo(
            "note: the key was not pinned; pass --public-key to check who signed the checkpoint",
            err=True,
        )
    if not state.verified.ok:
        raise typer.Exit(1)


def _report_walk(result: VerifyResult) -> None:
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


def _database_label() -> str:
    """The database URL without its password: a label in the checkpoint, not a check."""
    from sqlalchemy.engine import make_url

    from warden.settings import get_settings

    return make_url(get_settings().database_url).render_as_string(hide_password=True)


def _with_database(work: Callable[[Engine], T]) -> T:
    """Run ``work`` on the configured database; a missing or unmigrated one is a ConfigError."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from warden.settings import get_settings
    from warden.store.engine import make_engine

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
