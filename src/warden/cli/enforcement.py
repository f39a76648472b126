"""``warden ingest``, ``accounts``, ``actions``, ``cases``, ``appeal``, ``outbox``.

Every command works on the database of ``WARDEN_DATABASE_URL`` (SQLite ``warden.db`` in the
current directory by default), migrated to the latest schema on first use.
"""

from __future__ import annotations

import sys
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
from sqlalchemy import Engine

from warden.domain.actions import ActionStatus, CaseKind, CaseStatus
from warden.errors import InputError
from warden.review.outcomes import Verdict

accounts_app = typer.Typer(
    help="Accounts: standing, strikes, actions with reasons and evidence.", no_args_is_help=True
)
actions_app = typer.Typer(help="Actions taken on accounts.", no_args_is_help=True)
cases_app = typer.Typer(
    help="Review cases: close reviews, cap reviews, appeals.", no_args_is_help=True
)
outbox_app = typer.Typer(help="Messages to the platform (webhooks).", no_args_is_help=True)

PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", "-p", help="Policy pack (YAML); default: the built-in default pack."),
]
Now = Annotated[
    str | None, typer.Option("--at", help="When (ISO-8601); default now. For replays and tests.")
]


def store() -> Engine:
    """The configured database, migrated to the latest schema."""
    from warden.settings import get_settings
    from warden.store import make_engine, migrate

    engine = make_engine(get_settings().database_url)
    migrate(engine)
    return engine


def _when(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--at: {text!r} is not an ISO-8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ingest(
    files: Annotated[list[Path], typer.Argument(help="Event files (.jsonl or .parquet).")],
    policy: PolicyOption = None,
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Campaign overlay by name.")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate, screen, fold, decide and act on every event; bad records are quarantined."""
    from warden.accounts.backends import counters_for
    from warden.enforce.ingest import Ingestor, screener_for
    from warden.io.events import read_events
    from warden.media.limits import with_root
    from warden.policy import default_pack_path, load_pack
    from warden.settings import get_settings

    for path in files:
        if not path.is_file():
            raise InputError(f"FILE: {str(path)!r} is not a readable file")
    pack = load_pack(policy or default_pack_path())
    overlay = pack.campaign(campaign) if campaign else None
    screener = screener_for(pack)
    settings = get_settings()
    engine = store()
    counters = counters_for(settings, engine)
    media = settings.media_limits()
    for path in files:  # pictures next to the event files are the operator's too
        media = with_root(media, path)
    ingestor = Ingestor(
        engine,
        screener,
        pack,
        counters=counters,
        campaign=overlay,
        media=media,
    )
    console = Console(stderr=True)
    totals: dict[str, Any] = {}
    with Progress(
        TextColumn("[bold]ingest[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        for path in files:
            lines = sum(1 for _ in path.open("rb")) if path.suffix == ".jsonl" else None
            task = progress.add_task(path.name, total=lines)

            def advance(done: int, task: TaskID = task) -> None:
                progress.advance(task, done)

            summary = ingestor.ingest(read_events(path), advance)
            totals[str(path)] = {
                "read": summary.read, "processed": summary.processed, "duplicates": summary.duplicates,
                "quarantined": summary.quarantined, "decisions": summary.decisions,
                "actions": dict(summary.actions), "held_for_review": summary.held_for_review,
                "adds_up": summary.adds_up,
            }  # fmt: skip
    if json:
        sys.stdout.buffer.write(orjson.dumps(totals, option=orjson.OPT_INDENT_2) + b"\n")
        return
    table = Table(
        "file", "read", "processed", "duplicates", "quarantined", "decisions", "actions", "held"
    )
    for name, t in totals.items():
        actions = ", ".join(f"{k} {v}" for k, v in sorted(t["actions"].items())) or "-"
        table.add_row(
            name,
            *(str(t[k]) for k in ("read", "processed", "duplicates", "quarantined", "decisions")),
            actions,
            str(t["held_for_review"]),
        )
    Console().print(table)


@accounts_app.command("show")
def accounts_show(
    account_id: Annotated[str, typer.Argument(help="Account id.")],
    json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """An account's state, active restrictions, strikes and actions with reasons and evidence."""
    from warden.service.views import account_view
    from warden.store import UnitOfWork

    with UnitOfWork(store()) as uow:
        view = account_view(uow, account_id)
        if view is None:
            raise InputError(f"ACCOUNT_ID: no account {account_id!r} is known")
        records = uow.actions.list(account_id=account_id)
    data: dict[str, Any] = view
    if json:
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        return
    console = Console()
    console.print(f"[bold]{account_id}[/bold]: {data['state']}"
                  + (f", restricted {', '.join(data['restricted_capabilities'])}" if data["restricted_capabilities"] else "")
                  + (f", locked until {data['locked_until']}" if data["locked_until"] else ""))  # fmt: skip
    console.print(
        f"strikes applied: {data['strikes'] or 'none'}; handles: {', '.join(data['contact_handles']) or 'none'}"
    )
    _print_actions(console, records)


@actions_app.command("list")
def actions_list(
    account: Annotated[str | None, typer.Option("--account", help="Only this account.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Actions, newest last."""
    from warden.service.views import action_view
    from warden.store import UnitOfWork

    wanted = _enum(ActionStatus, status, "--status") if status else None
    with UnitOfWork(store()) as uow:
        records = uow.actions.list(account_id=account, status=wanted)
    if json:
        sys.stdout.buffer.write(
            orjson.dumps([action_view(r) for r in records], option=orjson.OPT_INDENT_2) + b"\n"
        )
        return
    _print_actions(Console(), records, account=True)


@actions_app.command("reverse")
def actions_reverse(
    action_id: Annotated[int, typer.Argument(help="Action id.")],
    actor: Annotated[
        str, typer.Option("--actor", help="Who reverses it (recorded in the audit log).")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (recorded and sent to the platform).")
    ],
    at: Now = None,
) -> None:
    """Reverse an applied action: strike removed, standing recomputed, platform told."""
    from warden.review.service import reverse_action
    from warden.store import UnitOfWork

    with UnitOfWork(store()) as uow:
        reverse_action(uow, action_id, actor, reason, _when(at))
        uow.commit()
    Console().print(f"action {action_id} reversed")


@cases_app.command("list")
def cases_list(
    status: Annotated[
        str | None,
        typer.Option("--status", help="open, escalated, approved, rejected, overturned."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="close_review, cap_review, appeal.")
    ] = None,
) -> None:
    """Review cases, oldest first."""
    from warden.store import UnitOfWork

    with UnitOfWork(store()) as uow:
        cases = uow.cases.list(
            status=_enum(CaseStatus, status, "--status") if status else None,
            kind=_enum(CaseKind, kind, "--kind") if kind else None,
        )
    table = Table("case", "kind", "status", "account", "action", "opened", "reason")
    for c in cases:
        table.add_row(
            str(c.id),
            c.kind.value,
            c.status.value,
            c.account_id,
            str(c.action_id or "-"),
            c.opened_at.isoformat(timespec="minutes"),
            c.reason[:80],
        )
    Console().print(table)


@cases_app.command("show")
def cases_show(case_id: Annotated[int, typer.Argument(help="Case id.")]) -> None:
    """A case, its action with evidence, and the verdicts so far."""
    from warden.store import UnitOfWork

    with UnitOfWork(store()) as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise InputError(f"CASE_ID: no case {case_id}")
        reviews = uow.cases.reviews_for(case_id)
        action = uow.actions.get(case.action_id) if case.action_id else None
    console = Console()
    console.print(
        f"[bold]case {case.id}[/bold] {case.kind.value} — {case.status.value} — account {case.account_id}"
    )
    console.print(f"reason: {case.reason}")
    if action is not None:
        _print_actions(console, [action], evidence=True)
    for review in reviews:
        console.print(
            f"  {review.at.isoformat(timespec='minutes')} {review.reviewer}: {review.verdict.value} {review.note}"
        )


@cases_app.command("decide")
def cases_decide(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reviewer: Annotated[
        str,
        typer.Option("--reviewer", help="Who decides (two different reviewers close an account)."),
    ],
    verdict: Annotated[
        str,
        typer.Option(
            "--verdict",
            help="approve, reject, escalate (reviews); overturn, uphold, escalate (appeals).",
        ),
    ],
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    at: Now = None,
) -> None:
    """Give a verdict on a case; the case settles when the rules say so."""
    from warden.review.service import decide
    from warden.store import UnitOfWork

    with UnitOfWork(store()) as uow:
        case = decide(uow, case_id, reviewer, _enum(Verdict, verdict, "--verdict"), _when(at), note)
        uow.commit()
    Console().print(f"case {case.id}: {case.status.value}")


def appeal_command(
    action_id: Annotated[int, typer.Argument(help="The applied action being appealed.")],
    reason: Annotated[str, typer.Option("--reason", help="The account's reason.")],
    at: Now = None,
) -> None:
    """Appeal an applied action: opens an appeal case for a reviewer."""
    from warden.review.service import appeal
    from warden.store import UnitOfWork

    with UnitOfWork(store()) as uow:
        case = appeal(uow, action_id, reason, _when(at))
        uow.commit()
    Console().print(f"appeal opened: case {case.id}")


@outbox_app.command("deliver")
def outbox_deliver(
    url: Annotated[str, typer.Option("--url", help="The platform's webhook endpoint.")],
    at: Now = None,
) -> None:
    """POST the due messages, signed with WARDEN_WEBHOOK_SECRET; failures are retried later."""
    from warden.enforce.webhooks import WebhookClient, deliver_due
    from warden.settings import get_settings
    from warden.store import UnitOfWork

    secret = get_settings().webhook_secret
    with UnitOfWork(store()) as uow, WebhookClient(url) as post:
        report = deliver_due(uow.outbox, post, secret, now=_when(at))
        uow.commit()
    Console().print(
        f"delivered {len(report.delivered)}, failed {len(report.failed)}, dead {len(report.dead)}, "
        f"held back {len(report.held_back)}"
    )


def _enum(kind: Any, value: str, option: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(item.value for item in kind)
        raise InputError(f"{option}: {value!r} is not one of {allowed}") from None


def _print_actions(
    console: Console, records: Any, *, evidence: bool = False, account: bool = False
) -> None:
    """A table of actions; ``account`` adds whose each is (lists that span accounts)."""
    table = Table(
        "id", *(["account"] if account else []), "at", "action", "status", "category", "reason"
    )
    for r in records:
        table.add_row(
            str(r.id),
            *([r.action.account_id] if account else []),
            r.action.at.isoformat(timespec="minutes"),
            r.action.type.value,
            r.status.value,
            r.action.category,
            r.action.reason,
        )
    console.print(table)
    if evidence:
        for r in records:
            for e in r.action.evidence:
                console.print(f"  evidence {e.kind}: {e.ref} {e.detail}")
