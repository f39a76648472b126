"""``warden users``: the people who sign in to the moderator console (:mod:`warden.console`).

Passwords are read from the terminal (asked twice) or, for scripts, from standard input with
``--password-stdin`` — never from the command line, where they would sit in the shell's
history and in ``ps``. Creating a user, changing a role and disabling are audit records.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

users_app = typer.Typer(
    help="People who sign in to the moderator console: create, list, set a role or password, disable.",
    no_args_is_help=True,
)

RoleOption = Annotated[str, typer.Option("--role", help="viewer, reviewer, senior or admin.")]
StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


def _role(value: str) -> object:
    from warden.console.people import Role
    from warden.errors import InputError

    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InputError(f"--role: {value!r}; expected one of {allowed}") from None


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="The name they sign in with; the audit actor.")],
    role: RoleOption = "reviewer",
    language: Annotated[str, typer.Option(help="Console language: en or zh.")] = "en",
    password_stdin: StdinOption = False,
) -> None:
    """Create a user with a role; the password is asked for (or read with --password-stdin)."""
    from warden.cli.enforcement import store
    from warden.console.people import People, Role, now_utc
    from warden.store.unit_of_work import UnitOfWork

    chosen = _role(role)
    assert isinstance(chosen, Role)
    password = _password(password_stdin)
    with UnitOfWork(store()) as uow:
        person = People(uow.session).create(name, chosen, password, now_utc(), language)
        uow.audit.append(
            "console_user", f"user:{name}", {"created": True, "role": chosen.value}, actor="cli"
        )
        uow.commit()
    print(f"user {person.name!r} ({person.role.value}) created", file=sys.stderr)


@users_app.command("list")
def users_list() -> None:
    """Users with their role, last sign-in and whether they are disabled."""
    from rich.console import Console
    from rich.table import Table

    from warden.cli.enforcement import store
    from warden.console.people import People
    from warden.store.unit_of_work import UnitOfWork

    with UnitOfWork(store()) as uow:
        people = People(uow.session).list()
    table = Table("name", "role", "language", "last sign-in", "disabled")
    for person, last, disabled in people:
        table.add_row(
            person.name,
            person.role.value,
            person.language,
            last.isoformat(timespec="minutes") if last else "",
            disabled.isoformat(timespec="minutes") if disabled else "",
        )
    Console().print(table)


@users_app.command("set-role")
def users_set_role(
    name: Annotated[str, typer.Argument(help="The user.")], role: RoleOption = "reviewer"
) -> None:
    """Change a user's role (takes effect at their next request)."""
    from warden.cli.enforcement import store
    from warden.console.people import People, Role
    from warden.store.unit_of_work import UnitOfWork

    chosen = _role(role)
    assert isinstance(chosen, Role)
    with UnitOfWork(store()) as uow:
        People(uow.session).set_role(name, chosen)
        uow.audit.append("console_user", f"user:{name}", {"role": chosen.value}, actor="cli")
        uow.commit()


@users_app.command("set-password")
def users_set_password(
    name: Annotated[str, typer.Argument(help="The user.")], password_stdin: StdinOption = False
) -> None:
    """Set a new password (and lift a lockout); their sessions are ended."""
    from warden.cli.enforcement import store
    from warden.console.people import People, now_utc
    from warden.store.unit_of_work import UnitOfWork

    password = _password(password_stdin)
    with UnitOfWork(store()) as uow:
        people = People(uow.session)
        people.set_password(name, password)
        people.end_all(name, now_utc())
        uow.commit()


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Disable a user: they can no longer sign in and their sessions end now."""
    from warden.cli.enforcement import store
    from warden.console.people import People, now_utc
    from warden.store.unit_of_work import UnitOfWork

    with UnitOfWork(store()) as uow:
        ended = People(uow.session).disable(name, now_utc())
        uow.audit.append("console_user", f"user:{name}", {"disabled": True}, actor="cli")
        uow.commit()
    print(f"user {name!r} disabled; {ended} session(s) ended", file=sys.stderr)
