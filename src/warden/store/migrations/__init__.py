"""Bring a database's schema up to date with the migrations shipped inside the package.

``migrate(url)`` runs Alembic programmatically — no ``alembic.ini`` at the repository root;
the scripts live beside this module (``env.py``, ``script.py.mako`` and ``versions/``) and
are installed with the package. It works the same for SQLite and PostgreSQL and is idempotent.

Several processes may start at once against an empty database (a deploy starts the API,
workers and jobs together, and each migrates on start). On PostgreSQL, two upgrades would
both see no ``alembic_version`` table and the second ``CREATE TABLE`` fails, so
:func:`migrate` holds a session-level advisory lock (:data:`MIGRATION_LOCK`) around the
upgrade: the others wait, then find the schema current and do nothing. SQLite needs no
lock: the upgrade's transaction begins with ``BEGIN IMMEDIATE`` (see
:mod:`warden.store.engine`), which takes the database's write lock before Alembic reads
the version.

To write a new migration after changing :mod:`warden.store.schema`::

    python -c "from warden.store.migrations import new_revision; new_revision('sqlite:///dev.db', 'add x')"

then review the generated file (autogenerate misses renames and CHECK constraints).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from warden.store.engine import make_engine

MIGRATIONS = Path(__file__).resolve().parent
#: Namespace of the PostgreSQL advisory lock held while migrating (key ``(namespace, 0)``;
#: apart from :data:`warden.store.engine.AUDIT_LOCK` and the engine's other namespaces).
MIGRATION_LOCK = 0x5741_4D00


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at the packaged scripts (and ``connection``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(database: str | Engine, revision: str = "head") -> None:
    """Upgrade the database at ``database`` (a URL or an engine) to ``revision``."""
    engine = make_engine(database) if isinstance(database, str) else database
    try:
        with engine.connect() as connection:
            locked = connection.dialect.name == "postgresql"
            if locked:
                _advisory(connection, "pg_advisory_lock")
            try:
                with connection.begin():
                    command.upgrade(alembic_config(connection), revision)
            finally:
                if locked:
                    _advisory(connection, "pg_advisory_unlock")
    finally:
        if isinstance(database, str):
            engine.dispose()


def _advisory(connection: Connection, function: str) -> None:
    """Take or release :data:`MIGRATION_LOCK` for the session; the statement's own
    transaction is committed at once so the upgrade begins a transaction of its own."""
    connection.execute(text(f"SELECT {function}(CAST(:ns AS integer), 0)"), {"ns": MIGRATION_LOCK})
    connection.commit()


def new_revision(database: str, message: str) -> None:
    """Autogenerate a migration from the difference between ``database`` and the schema."""
    engine = make_engine(database)
    try:
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
    finally:
        engine.dispose()
