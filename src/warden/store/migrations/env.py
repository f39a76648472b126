"""Alembic's entry point: run the migrations on the connection :func:`migrate` hands over.

SQLite gets ``render_as_batch`` so later revisions can alter tables (SQLite rebuilds them).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from warden.store.engine import make_engine
from warden.store.schema import Base

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    """Emit SQL for ``sqlalchemy.url`` instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on the given connection (or one made from ``sqlalchemy.url``)."""
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("migrations: no connection and no sqlalchemy.url given")
        with make_engine(url).begin() as own_connection:
            _run(own_connection)
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
