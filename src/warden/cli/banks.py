"""``warden banks``: hash banks of known-bad pictures — create, add, import, export, list.

Banks live in the database (``WARDEN_DATABASE_URL``); every change is written with its
audit record in one transaction. Import and export speak the formats other platforms use
(ThreatExchange's ``.te`` files, HMA's JSON lines, plain hash lists: docs/media.md), so a
bank can be exchanged rather than rebuilt.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from warden.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from warden.media.banks import BankEntry, BankMatcher

banks_app = typer.Typer(
    help="Hash banks of known-bad pictures: create, add, import, export, list.",
    no_args_is_help=True,
)
ActorOption = Annotated[str, typer.Option("--actor", help="Who makes the change (audit log).")]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="te, hma or txt (default: from the file name).")
]


def _store() -> Engine:
    from warden.cli.enforcement import store

    return store()


@banks_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The bank's name; rules read media.bank_match.NAME.")],
    description: Annotated[str, typer.Option("--description", help="What the bank holds.")] = "",
    actor: ActorOption = "operator",
) -> None:
    """Create an empty hash bank."""
    from warden.store.unit_of_work import UnitOfWork

    with UnitOfWork(_store()) as uow:
        if not uow.banks.create(name, description, datetime.now(UTC)):
            raise InputError(f"bank {name!r} exists already")
        uow.audit.append(
            "bank", name, {"change": "create", "description": description}, actor=actor
        )
        uow.commit()
    Console().print(f"created bank [bold]{name}[/bold]")


@banks_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The bank to add to.")],
    pictures: Annotated[
        list[Path] | None, typer.Argument(help="Pictures to hash (PDQ) and add.")
    ] = None,
    hash_: Annotated[
        list[str] | None, typer.Option("--hash", help="A PDQ hash (64 hex digits) to add.")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag for every entry.")] = None,
    actor: ActorOption = "operator",
) -> None:
    """Add pictures (hashed here) or PDQ hashes to a bank."""
    from warden.media.banks import BankEntry, check_hash

    tags = tuple(tag or ())
    entries = [
        BankEntry(name, h, check_hash(h, "--hash"), tags, "warden banks add") for h in hash_ or ()
    ]
    for path in pictures or ():
        digest, pdq = _hash_picture(path)
        entries.append(BankEntry(name, f"sha256:{digest}", pdq, tags, path.name))
    if not entries:
        raise InputError("warden banks add: give PICTURES or --hash")
    _store_entries(name, entries, actor, {"change": "add"})


def _hash_picture(path: Path) -> tuple[str, str]:
    from warden.media.images import decode_image
    from warden.media.pdq import MIN_QUALITY, pdq_hash
    from warden.settings import get_settings

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{str(path)!r}: cannot read: {exc.strerror}") from exc
    pdq, quality = pdq_hash(decode_image(raw, path.name, get_settings().media_limits()))
    if quality < MIN_QUALITY:
        raise InputError(
            f"{str(path)!r}: PDQ quality {quality} is under {MIN_QUALITY}: the picture is too "
            "flat to bank (it would match many unrelated pictures)"
        )
    return hashlib.sha256(raw).hexdigest(), pdq


def _store_entries(name: str, entries: list[BankEntry], actor: str, note: dict[str, str]) -> int:
    from warden.store.unit_of_work import UnitOfWork

    with UnitOfWork(_store()) as uow:
        added = uow.banks.add_entries(entries, datetime.now(UTC))
        uow.audit.append("bank", name, {**note, "given": len(entries), "added": added}, actor=actor)
        uow.commit()
    Console().print(f"bank [bold]{name}[/bold]: {added} added, {len(entries) - added} already in")
    return added


@banks_app.command("import")
def import_command(
    name: Annotated[str, typer.Argument(help="The bank to import into.")],
    file: Annotated[Path, typer.Argument(help="A te, hma or txt bank file (docs/media.md).")],
    fmt: FormatOption = None,
    create_bank: Annotated[
        bool, typer.Option("--create", help="Create the bank if it does not exist.")
    ] = False,
    actor: ActorOption = "operator",
) -> None:
    """Import a ThreatExchange (.te), HMA (JSON lines) or plain hash file into a bank."""
    from warden.media.banks import check_bank_name
    from warden.media.exchange import format_of, read_bank_file
    from warden.store.unit_of_work import UnitOfWork

    check_bank_name(name)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{str(file)!r}: cannot read as UTF-8 text: {exc}") from exc
    chosen = format_of(file, fmt)
    entries, rejected, skipped = read_bank_file(text, name, chosen, file.name)
    if create_bank:
        with UnitOfWork(_store()) as uow:
            if uow.banks.create(name, f"imported from {file.name}", datetime.now(UTC)):
                uow.audit.append("bank", name, {"change": "create"}, actor=actor)
                uow.commit()
    for item in rejected[:20]:  # plain lines, FILE:LINE: first, as compilers print them
        sys.stderr.write(f"{file}:{item.line}: {item.reason}\n")
    if len(rejected) > 20:
        sys.stderr.write(f"… and {len(rejected) - 20} more rejected lines\n")
    if skipped:
        sys.stderr.write(f"{skipped} entries of other signal types skipped (PDQ only)\n")
    digest = hashlib.sha256(text.encode()).hexdigest()
    _store_entries(
        name,
        entries,
        actor,
        {
            "change": "import",
            "file": file.name,
            "format": chosen,
            "sha256": digest,
            "rejected": str(len(rejected)),
        },
    )


@banks_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="The bank to export.")],
    file: Annotated[
        Path | None, typer.Argument(help="Where to write (standard output when absent).")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Write a bank as a ThreatExchange (.te), HMA (JSON lines) or plain hash file."""
    from warden.media.exchange import format_of, write_bank_file
    from warden.store.unit_of_work import UnitOfWork

    with UnitOfWork(_store()) as uow:
        if not uow.banks.exists(name):
            raise InputError(f"bank {name!r} does not exist")
        entries = uow.banks.entries([name])
    text = write_bank_file(entries, format_of(file or Path("-.txt"), fmt))
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        Console(stderr=True).print(f"wrote {len(entries)} entries of {name!r} to {file}")


@banks_app.command("list")
def list_command(
    json: Annotated[bool, typer.Option("--json", help="One JSON object per bank.")] = False,
) -> None:
    """The banks, with how many entries each holds."""
    from warden.store.unit_of_work import UnitOfWork

    with UnitOfWork(_store()) as uow:
        banks = uow.banks.list()
    if json:
        for name, description, created, entries in banks:
            sys.stdout.write(
                orjson.dumps(
                    {
                        "name": name,
                        "description": description,
                        "created_at": created.isoformat(),
                        "entries": entries,
                    }
                ).decode()
                + "\n"
            )
        return
    table = Table("bank", "entries", "created", "description")
    for name, description, created, entries in banks:
        table.add_row(name, str(entries), created.isoformat(timespec="seconds"), description)
    Console().print(table)


def banks_for_check(files: list[Path]) -> BankMatcher:
    """The banks ``warden check --image`` matches against: the store's, when the database
    exists already (check never creates one), plus ``files``."""
    from warden.media.banks import BankMatcher
    from warden.media.exchange import format_of, read_bank_file

    entries: list[BankEntry] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"--bank-file: cannot read {str(path)!r}: {exc}") from exc
        entries += read_bank_file(
            text, path.stem.split(".")[0].lower() or "file", format_of(path, None), path.name
        )[0]
    entries += stored_entries()
    return BankMatcher(entries)


def stored_entries() -> list[BankEntry]:
    """Every bank entry of the store ``WARDEN_DATABASE_URL`` names, if it exists and has
    banks (an empty list otherwise: reading never creates a database)."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from warden.settings import get_settings
    from warden.store import make_engine

    url = get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (
        not parsed.database or not Path(parsed.database).is_file()
    ):
        return []
    from warden.store.unit_of_work import UnitOfWork

    try:
        engine = make_engine(url)
        if not inspect(engine).has_table("media_bank_entries"):
            return []
        with UnitOfWork(engine) as uow:
            return uow.banks.entries()
    except SQLAlchemyError:  # a database check cannot reach is not consulted
        return []
