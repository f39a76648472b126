"""``warden serve``, ``warden keys``, ``warden worker`` and ``warden publish``: Warden as a
running service (see :mod:`warden.service`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from warden.cli.options import PolicyOption

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
    """Serve the HTTP API (/v1, Akismet's /1.1, /healthz, /readyz, /metrics; OpenAPI at
    /openapi.json and /docs) on the configured database."""
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
