"""Bring a database's schema up to date with the migrations shipped inside the package.

``migrate(url)`` runs Alembic programmatically — no ``alembic.ini`` at the repository root;
the scripts live beside this module (``env.py``, ``script.py.mako`` and ``versions/``) and
are installed with the package. It works the same for SQLite and PostgreSQL and is idempotent.

To write a new migration after changing :mod:`warden.store.schema`::

    python -c "from warden.store.migrations import new_revision; new_revision('sqlite:///dev.db', 'add x')"

then review the generated file (autogenerate misses renames and CHECK constraints).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from warden.store.engine import make_engine

MIGRATIONS = Path(__file__).resolve().parent


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
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        if isinstance(database, str):
            engine.dispose()


def new_revision(database: str, message: str) -> None:
    """Autogenerate a migration from the difference between ``database`` and the schema."""
    engine = make_engine(database)
    try:
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
    finally:
        engine.dispose()
