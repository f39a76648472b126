"""Several Warden processes starting at once against one empty database all migrate it.

A deploy starts the API, workers and command-line jobs together; each migrates on start.
Without a lock the second ``CREATE TABLE alembic_version`` on PostgreSQL fails and that
process dies. The processes here are real (``python -c``), released together from a
barrier after their imports, against a PostgreSQL database created for the test and
dropped after it — and against one SQLite file, where ``BEGIN IMMEDIATE`` serializes them.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from warden.store import make_engine
from warden.store.migrations import alembic_config

PROCESSES = 4
#: Imports first, then wait for "go" on stdin, then migrate: the barrier is the parent.
MIGRATE = """
import sys
from warden.store import migrate
print("ready", flush=True)
sys.stdin.readline()
migrate(sys.argv[1])
print("migrated", flush=True)
"""


def _migrate_at_once(url: str, count: int = PROCESSES) -> list[subprocess.CompletedProcess[str]]:
    """Start ``count`` processes, release them together, and collect how each ended."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.stderr
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _versions(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


@pytest.fixture
def empty_postgres(postgres_scratch: URL) -> Iterator[str]:
    """A PostgreSQL database of this test's own, created empty and dropped afterwards (on
    the server of the session's scratch database, which skips or fails when it is down)."""
    admin = create_engine(postgres_scratch, isolation_level="AUTOCOMMIT")
    name = f"warden_migrate_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_scratch.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_concurrent_first_starts_on_postgresql_all_migrate(empty_postgres: str) -> None:
    results = _migrate_at_once(empty_postgres)
    for result in results:
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "migrated"
    assert _versions(empty_postgres) == [_head()]


def test_concurrent_first_starts_on_sqlite_all_migrate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warden.db'}"
    results = _migrate_at_once(url)
    for result in results:
        assert result.returncode == 0, result.stderr
    assert _versions(url) == [_head()]
