"""``warden serve``, ``warden keys``, ``warden worker`` and ``warden publish``: Warden as a
running service (see :mod:`warden.service`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from warden.cli.enforcement import PolicyOption

keys_app = typer.Typer(
    help="API keys for the HTTP service: create, list, revoke.", no_args_is_help=True
)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    policy: PolicyOption = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign overlay by name.")] = None,
    rate: Annotated[float, typer.Option(help="Requests per second per API key.")] = 2000.0,
    burst: Annotated[float, typer.Option(help="Burst above the rate per API key.")] = 4000.0,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the HTTP API (/v1, Akismet's /1.1, health, metrics) and the console (/console).

    OpenAPI at /openapi.json and /docs; the configured database, Redis and models."""
    import uvicorn

    from warden.service.app import Service, create_app

    service = Service.build(policy=policy, campaign=campaign, rate=rate, burst=burst)
    app = create_app(service)
    print(f"warden serve: listening on http://{host}:{port}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who the key is for; the audit log's actor.")],
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope", help="screen, ingest, review or admin (repeat, or comma-separate)."
        ),
    ],
) -> None:
    """Create a key and print it — the only time it is shown; only its hash is kept."""
    from warden.cli.enforcement import store
    from warden.service.keys import create_key, parse_scopes

    secret, key = create_key(store(), name, parse_scopes(scope))
    print(secret)
    print(
        f"key {key.name!r} ({', '.join(sorted(key.scopes))}) created; it is not shown again",
        file=sys.stderr,
    )


@keys_app.command("list")
def keys_list(
    json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Keys with their scopes, when they were made, last used and revoked (never secrets)."""
    import orjson
    from rich.console import Console
    from rich.table import Table

    from warden.cli.enforcement import store
    from warden.service.keys import list_keys

    keys = list_keys(store())
    if json:
        out = [k.to_dict() for k in keys]
        sys.stdout.buffer.write(orjson.dumps(out, option=orjson.OPT_INDENT_2) + b"\n")
        return
    table = Table("name", "prefix", "scopes", "created", "last used", "revoked")
    for key in keys:
        row = key.to_dict()
        table.add_row(
            key.name,
            key.prefix,
            ", ".join(sorted(key.scopes)),
            str(row["created_at"])[:19],
            str(row["last_used_at"] or "-")[:19],
            str(row["revoked_at"] or "-")[:19],
        )
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: it stops working within seconds, and stays listed as revoked."""
    from warden.cli.enforcement import store
    from warden.service.keys import revoke_key

    key = revoke_key(store(), name)
    print(f"key {key.name!r} revoked at {key.revoked_at}", file=sys.stderr)


def worker(
    worker_index: Annotated[
        int, typer.Option("--worker", help="This worker's number, from 0.")
    ] = 0,
    workers: Annotated[int, typer.Option("--of", help="How many workers share the stream.")] = 1,
    partitions: Annotated[int, typer.Option(help="Partitions of the stream (as published).")] = 8,
    prefix: Annotated[
        str, typer.Option(help="Names on the NATS server: PREFIX.events.<n>.")
    ] = "warden",
    batch: Annotated[int, typer.Option(help="Events per fetch and per transaction.")] = 256,
    policy: PolicyOption = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign overlay by name.")] = None,
    ack_wait: Annotated[
        float, typer.Option(help="Seconds before a dead worker's batch is delivered again.")
    ] = 30.0,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on 127.0.0.1:PORT.")
    ] = None,
) -> None:
    """Consume events from NATS JetStream and decide them, each event's effect exactly once.

    At-least-once delivery from WARDEN_NATS_URL, idempotent by event_id; poison messages go to
    the dead-letter stream; SIGTERM drains. Several workers need WARDEN_REDIS_URL."""
    from warden.errors import ConfigError
    from warden.service.worker import StreamWorker, Topology, owned, run_until_signalled
    from warden.settings import get_settings

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        raise ConfigError(
            f"--of {workers}: several workers share counters through Redis; set WARDEN_REDIS_URL"
        )
    try:
        mine = owned(worker_index, workers, partitions)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    topology = Topology(prefix, partitions)
    stream_worker = StreamWorker.build(
        settings,
        mine,
        topology=topology,
        batch=batch,
        policy=policy,
        campaign=campaign,
        ack_wait=ack_wait,
    )
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="127.0.0.1", registry=stream_worker.metrics.registry)
    print(
        f"warden worker {worker_index}/{workers}: partitions {mine} of {partitions}",
        file=sys.stderr,
        flush=True,
    )
    stats = run_until_signalled(stream_worker.run)
    print(
        f"warden worker {worker_index}: processed {stats.processed}, duplicates {stats.duplicates}, "
        f"quarantined {stats.quarantined}, naks {stats.naks}, actions {sum(stats.actions.values())}",
        file=sys.stderr,
    )


def publish(
    files: Annotated[list[Path], typer.Argument(help="Event files (.jsonl or .parquet).")],
    partitions: Annotated[int, typer.Option(help="Partitions of the stream.")] = 8,
    prefix: Annotated[
        str, typer.Option(help="Names on the NATS server: PREFIX.events.<n>.")
    ] = "warden",
) -> None:
    """Send event files into the JetStream stream, each event to its account's partition.

    WARDEN_NATS_URL; Nats-Msg-Id = event_id, so a re-sent file is dropped as duplicate."""
    import asyncio

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from warden.errors import ConfigError, InputError
    from warden.service.worker import Topology, raw_records
    from warden.service.worker import publish as publish_records
    from warden.settings import get_settings

    url = get_settings().nats_url
    if not url:
        raise ConfigError("WARDEN_NATS_URL: not set; expected e.g. nats://127.0.0.1:4222")
    for path in files:
        if not path.is_file():
            raise InputError(f"FILE: {str(path)!r} is not a readable file")
    with Progress(
        TextColumn("[bold]publish[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True),
    ) as progress:  # fmt: skip
        for path in files:
            task = progress.add_task(path.name, total=None)

            def advance(done: int, task: TaskID = task) -> None:
                progress.advance(task, done)

            sent = asyncio.run(
                publish_records(
                    url, raw_records(path), topology=Topology(prefix, partitions), progress=advance
                )
            )
            progress.console.print(
                f"{path}: {sent.records} records sent, {sent.duplicates} dropped as duplicates, "
                f"{sent.unreadable} unreadable (the worker quarantines them)"
            )
