"""The ``warden`` command: one Typer app, one module per command group, imported on demand.

:data:`COMMANDS` is the whole command line: each entry names where a command (a function)
or a command group (a ``typer.Typer``) lives and the line ``warden --help`` shows for it.
A command's module is imported only when that command runs (:mod:`warden.cli.lazy`), so
``warden --help`` imports no command module and ``warden check`` only the screener — not
SQLAlchemy, scikit-learn or the sweep. Adding a command is one line::

    "serve": Lazy("warden.cli.service:serve", "Run the HTTP API ..."),
    "keys": Lazy("warden.cli.service:keys_app", "API keys: create, list, revoke."),

with the help text the command's docstring (or its group's ``help=``) starts with;
``tests/unit/test_cli_startup.py`` fails when the two differ, and ``tests/test_docs.py``
when the command has no section in ``docs/cli.md``. Keep heavy imports out of a command
module's top level too (``warden models --help`` imports the ``models`` module).

Errors Warden raises on purpose (:class:`warden.errors.WardenError`) end the command with a
one-line message on stderr and exit status 2; anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import sys

import typer

from warden.cli.lazy import Lazy, LazyGroup
from warden.errors import WardenError

COMMANDS: dict[str, Lazy] = {
    "check": Lazy(
        "warden.cli.check:check",
        "Screen TEXT... and print each verdict: categories, matches, entities.",
    ),
    "banks": Lazy(
        "warden.cli.banks:banks_app",
        "Hash banks of known-bad pictures: create, add, import, export, list.",
    ),
    "scan": Lazy(
        "warden.cli.scan:scan",
        "Screen every record of INPUT into --output; unreadable records go to "
        "OUTPUT.rejected.jsonl.",
    ),
    "train": Lazy(
        "warden.cli.models:train_command",
        "Train a text classifier on labelled data and write one self-describing model file.",
    ),
    "eval": Lazy(
        "warden.cli.models:eval_command",
        "Evaluate a model on labelled data (or cross-validate its settings with --cv K).",
    ),
    "models": Lazy(
        "warden.cli.detectors:models_app",
        "The standard detectors: build them from labelled data, show what was built.",
    ),
    "ingest": Lazy(
        "warden.cli.enforcement:ingest",
        "Validate, screen, fold, decide and act on every event; bad records are quarantined.",
    ),
    "appeal": Lazy(
        "warden.cli.enforcement:appeal_command",
        "Appeal an applied action: opens an appeal case for a reviewer.",
    ),
    "accounts": Lazy(
        "warden.cli.enforcement:accounts_app",
        "Accounts: standing, strikes, actions with reasons and evidence.",
    ),
    "actions": Lazy("warden.cli.enforcement:actions_app", "Actions taken on accounts."),
    "cases": Lazy(
        "warden.cli.enforcement:cases_app", "Review cases: close reviews, cap reviews, appeals."
    ),
    "outbox": Lazy("warden.cli.enforcement:outbox_app", "Messages to the platform (webhooks)."),
    "audit": Lazy(
        "warden.cli.audit:audit_app", "Verify, export or checkpoint the hash-chained audit log."
    ),
    "report": Lazy(
        "warden.cli.report:report",
        "Write the transparency report: actions, accounts, rings, appeals, backlog, audit head.",
    ),
    "sweep": Lazy(
        "warden.cli.sweep:sweep",
        "Screen, fold, link rings, evaluate and plan over history; shadow or enforce.",
    ),
    "simulate": Lazy(
        "warden.cli.simulate:simulate",
        "Write a synthetic platform (events in time order, truth.parquet, manifest.json).",
    ),
    "serve": Lazy(
        "warden.cli.service:serve",
        "Serve the HTTP API (/v1, Akismet's /1.1, health, metrics) and the console (/console).",
    ),
    "users": Lazy(
        "warden.cli.users:users_app",
        "People who sign in to the moderator console: create, list, set a role or password, disable.",
    ),
    "keys": Lazy(
        "warden.cli.service:keys_app", "API keys for the HTTP service: create, list, revoke."
    ),
    "worker": Lazy(
        "warden.cli.service:worker",
        "Consume events from NATS JetStream and decide them, each event's effect exactly once.",
    ),
    "publish": Lazy(
        "warden.cli.service:publish",
        "Send event files into the JetStream stream, each event to its account's partition.",
    ),
    "demo": Lazy(
        "warden.cli.demo:demo",
        "Screen a sample, then simulate a platform, sweep it (shadow, then enforce), report.",
    ),
}

app = typer.Typer(
    name="warden",
    cls=LazyGroup.over(COMMANDS),
    help="Find and shut down abusive accounts: screen content, link rings, enforce, audit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Makes ``app`` a group whose commands all come from :data:`COMMANDS`."""


def main() -> None:
    """Entry point of the ``warden`` console script."""
    try:
        app()
    except WardenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
