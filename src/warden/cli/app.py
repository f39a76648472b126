"""The ``warden`` command: one Typer app, one module per command group.

Errors Warden raises on purpose (:class:`warden.errors.WardenError`) end the command with a
one-line message on stderr and exit status 2; anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import sys

import typer

from warden.cli import check, demo, enforcement, models, report, scan, simulate, sweep
from warden.cli.audit import audit_app
from warden.cli.detectors import models_app
from warden.errors import WardenError

app = typer.Typer(
    name="warden",
    help="Find and shut down abusive accounts: screen content, link rings, enforce, audit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("check")(check.check)
app.command("scan")(scan.scan)
app.command("train")(models.train_command)
app.command("eval")(models.eval_command)
app.add_typer(models_app, name="models")
app.command("ingest")(enforcement.ingest)
app.command("appeal")(enforcement.appeal_command)
app.add_typer(enforcement.accounts_app, name="accounts")
app.add_typer(enforcement.actions_app, name="actions")
app.add_typer(enforcement.cases_app, name="cases")
app.add_typer(enforcement.outbox_app, name="outbox")
app.add_typer(audit_app, name="audit")
app.command("report")(report.report)
app.command("sweep")(sweep.sweep)
app.command("simulate")(simulate.simulate)
app.command("demo")(demo.demo)


def main() -> None:
    """Entry point of the ``warden`` console script."""
    try:
        app()
    except WardenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
