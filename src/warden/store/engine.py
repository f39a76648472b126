"""Engines for Warden's two databases, and the one locking primitive the store needs.

:func:`make_engine` is the only place an engine is built, so both backends get the same
transaction semantics:

* **SQLite** — every transaction starts with ``BEGIN IMMEDIATE``: it takes the database's
  single write lock at the start instead of at the first write, so two writers cannot both
  read "the last audit record is 41" and then both write 42. SQLite has one writer at a time
  anyway; this only moves the wait to the start. Readers that say so (:func:`read_only`,
  used by audit verification and export) begin a plain deferred transaction instead.
  Foreign keys are switched on and file databases use WAL.
* **PostgreSQL** — ordinary ``READ COMMITTED`` transactions; code that must serialize on a
  key (the audit chain head, an account's outbox sequence) calls :func:`lock_key`, a
  transaction-scoped advisory lock, and reads the current value *after* taking it (in
  ``READ COMMITTED`` each statement sees what committed before it started).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from warden.store.schema import Base

#: Namespaces of :func:`lock_key` (first half of the two-key advisory lock).
AUDIT_LOCK = 0x5741_0001
OUTBOX_LOCK = 0x5741_0002
#: Execution option marking an engine whose transactions only read (see :func:`read_only`).
READ_ONLY = "warden_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        _make_sqlite_serializable(engine, in_memory=parsed.database in (None, "", ":memory:"))
    return engine


def _make_sqlite_serializable(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """``engine`` for transactions that only read: on SQLite they take no write lock (in WAL
    mode they read a snapshot while writers go on); elsewhere nothing changes."""
    return engine.execution_options(**{READ_ONLY: True})


def lock_key(session: Session, namespace: int, key: str | None = None) -> None:
    """Hold a lock on ``(namespace, key)`` until the session's transaction ends.

    On PostgreSQL an advisory transaction lock; on SQLite nothing is needed, because the
    transaction already holds the database's write lock (see the module docstring).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if key is None:
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), 0)"), {"ns": namespace}
        )
    else:
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), hashtext(:key))"),
            {"ns": namespace, "key": key},
        )


def insert_if_absent(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row unless its key already exists; ``True`` if this call inserted it.

    ``INSERT … ON CONFLICT DO NOTHING`` on both backends: never raises on a duplicate and
    never poisons the transaction, and on PostgreSQL a concurrent insert of the same key
    waits for the other transaction and then reports ``False`` (or ``True`` if it rolled
    back) — race-safe without a read first.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = inspect(model).primary_key[0]
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


def inserted_keys(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> set[Any]:
    """Insert ``rows`` with ``INSERT … ON CONFLICT DO NOTHING RETURNING key``; the keys
    inserted (not those that existed). One statement, compiled once and cached: SQLAlchemy
    sends the rows as multi-row batches ("insertmanyvalues"), where building a VALUES list
    of the batch's size made a new statement to compile for every batch."""
    if not rows:
        return set()
    statement = _INSERTED.get((session.get_bind().dialect.name, model))
    if statement is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        key = inspect(model).primary_key[0]
        statement = insert(model).on_conflict_do_nothing().returning(key)
        _INSERTED[(dialect, model)] = statement
    return set(session.scalars(statement, rows))


_INSERTED: dict[tuple[str, type[Base]], Any] = {}


def insert_many_if_absent(
    session: Session, model: type[Base], rows: list[dict[str, Any]], batch: int = 5000
) -> None:
    """Insert many rows, skipping keys that exist (``ON CONFLICT DO NOTHING``, in batches)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).on_conflict_do_nothing()
    for start in range(0, len(rows), batch):
        session.execute(statement, rows[start : start + batch])
