"""A Typer group that imports a command's module only when that command runs.

Each ``warden`` command module pulls in what its command needs — the screener (pypinyin,
OpenCC, an automaton), SQLAlchemy, scikit-learn, SciPy, DuckDB, PyArrow — and importing
them all costs seconds before ``warden --help`` can print a line. :class:`LazyGroup` holds
a table of :class:`Lazy` entries instead of commands: ``warden check`` imports
``warden.cli.check`` and nothing else, and ``warden --help`` lists every command from the
one-line help kept in the table, importing no command module at all.

The help in the table must say what the command's own docstring (or its Typer group's
``help``) says; ``tests/unit/test_cli_startup.py`` loads every entry and compares them.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.core
import typer.main


@dataclass(frozen=True, slots=True)
class Lazy:
    """Where a command lives — ``"module:attribute"``, a function or a ``typer.Typer``
    group — and the one line ``warden --help`` shows for it."""

    target: str
    help: str

    def load(self, name: str) -> typer.core.TyperCommand | typer.core.TyperGroup:
        """Import the module and build the command exactly as ``app.command(name)`` or
        ``app.add_typer(group, name=name)`` would have."""
        module, _, attribute = self.target.partition(":")
        found: Any = getattr(importlib.import_module(module), attribute)
        holder = typer.Typer()
        if isinstance(found, typer.Typer):
            holder.add_typer(found, name=name)
        else:
            holder.command(name)(found)
        command = typer.main.get_group(holder).commands[name]
        assert isinstance(command, typer.core.TyperCommand | typer.core.TyperGroup)
        return command


class LazyGroup(typer.core.TyperGroup):
    """A group over :attr:`table` (name → :class:`Lazy`); see the module docstring.

    Bind a table with :meth:`over` and pass the result as ``typer.Typer(cls=...)``.
    """

    table: ClassVar[Mapping[str, Lazy]] = {}

    @classmethod
    def over(cls, table: Mapping[str, Lazy]) -> type[LazyGroup]:
        """A subclass bound to ``table`` (Typer builds the group itself, from the class)."""
        return type(cls.__name__, (cls,), {"table": table})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._help_only = False

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        eager = [name for name in self.commands if name not in self.table]
        return [*self.table, *eager]

    def get_command(  # type: ignore[override]
        self, ctx: typer.Context, cmd_name: str
    ) -> typer.core.TyperCommand | typer.core.TyperGroup | None:
        loaded = self.commands.get(cmd_name)
        if loaded is not None:
            assert isinstance(loaded, typer.core.TyperCommand | typer.core.TyperGroup)
            return loaded
        entry = self.table.get(cmd_name)
        if entry is None:
            return None
        if self._help_only:
            return typer.core.TyperCommand(name=cmd_name, help=entry.help)
        command = entry.load(cmd_name)
        self.commands[cmd_name] = command
        return command

    def resolve_command(  # type: ignore[override]
        self, ctx: typer.Context, args: list[str]
    ) -> tuple[str | None, Any, list[str]]:
        """As Typer's, with its "did you mean" drawn from the table (Typer looks only at the
        commands already loaded)."""
        name = args[0] if args else ""
        known = name in self.table or name in self.commands
        if name and not known and not name.startswith("-") and not ctx.resilient_parsing:
            close = difflib.get_close_matches(name, self.list_commands(ctx))
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        """The group's own help lists commands from the table, importing none of them."""
        with self._listing():
            super().format_help(ctx, formatter)

    @contextmanager
    def _listing(self) -> Iterator[None]:
        self._help_only = True
        try:
            yield
        finally:
            self._help_only = False
