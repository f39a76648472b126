"""Storage: interfaces the pure code depends on, and their SQLAlchemy implementation.

* :mod:`warden.store.interfaces` — record types and one ``Protocol`` per repository;
* :mod:`warden.store.schema` — the tables (SQLite and PostgreSQL);
* :mod:`warden.store.engine` — :func:`make_engine`, locking, race-safe inserts;
* :mod:`warden.store.unit_of_work` — :class:`UnitOfWork`, which owns every commit;
* :mod:`warden.store.accounts`, ``enforcement``, ``cases``, ``outbox`` — the repositories;
* :mod:`warden.store.migrations` — :func:`migrate`, Alembic migrations shipped in the package.

``from warden.store import UnitOfWork, make_engine, migrate`` works; the names are imported
on first use so that importing one store module does not pull in the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["UnitOfWork", "make_engine", "migrate"]

if TYPE_CHECKING:
    from warden.store.engine import make_engine
    from warden.store.migrations import migrate
    from warden.store.unit_of_work import UnitOfWork


def __getattr__(name: str) -> Any:
    if name == "UnitOfWork":
        from warden.store.unit_of_work import UnitOfWork

        return UnitOfWork
    if name == "make_engine":
        from warden.store.engine import make_engine

        return make_engine
    if name == "migrate":
        from warden.store.migrations import migrate

        return migrate
    raise AttributeError(f"module 'warden.store' has no attribute {name!r}")
