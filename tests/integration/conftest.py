"""Real databases for the store and audit tests: every test runs on SQLite *and* PostgreSQL.

* ``database_url`` — an empty database of its own for each test: a SQLite file in the
  test's temporary directory, or a fresh PostgreSQL schema (``search_path`` set in the URL)
  inside one scratch database created for the session (``warden_test_<random>``) and
  dropped at the end. No test sees another's rows.
* ``engine`` — an engine on ``database_url`` with the migrations applied.

PostgreSQL is ``WARDEN_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``,
used only to create and drop the scratch database). When it is unreachable the PostgreSQL
half skips with the reason — or fails when ``WARDEN_REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from privateservers import PrivatePostgres
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from warden.store import make_engine, migrate

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _unavailable(name: str, reason: str) -> None:
    message = f"{name} is not reachable: {reason}"
    if os.environ.get("WARDEN_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (WARDEN_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_scratch() -> Iterator[URL]:
    """A scratch PostgreSQL database for this test session, dropped afterwards."""
    admin_url = make_url(os.environ.get("WARDEN_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"warden_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        _unavailable("PostgreSQL", str(exc.orig).strip().splitlines()[0])
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own (see the module docstring)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warden.db'}"
        return
    scratch: URL = request.getfixturevalue("postgres_scratch")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    owner = create_engine(scratch, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = scratch.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with owner.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        owner.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database, migrated to the latest schema."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def nats_url() -> str:
    """A real NATS server with JetStream (``WARDEN_TEST_NATS_URL`` or 127.0.0.1:4222)."""
    import socket
    from urllib.parse import urlparse

    url = os.environ.get("WARDEN_TEST_NATS_URL", "nats://127.0.0.1:4222")
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 4222), timeout=1):
            pass
    except OSError as exc:
        _unavailable("NATS", str(exc))
    return url


@pytest.fixture
def redis_server(tmp_path: Path) -> tuple[str, int]:
    """A ``redis-server`` binary and a free port, for a Redis of the test's own that it can
    stop and start (the shared one must stay up for the other tests)."""
    import shutil
    import socket

    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server", "not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    assert binary is not None
    return binary, port


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    import contextlib
    import glob
    import shutil
    import socket
    import subprocess
    import tempfile

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        _unavailable("initdb", "PostgreSQL server binaries are not installed")
    bin_dir = Path(found[-1]).parent
    # not under pytest's tmp_path: that is private to root, and the server runs as postgres
    folder = Path(tempfile.mkdtemp(prefix="warden-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = PrivatePostgres(folder, port, bin_dir)
    try:
        server._run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres")
    except subprocess.CalledProcessError as exc:
        _unavailable("initdb", f"exit status {exc.returncode}")
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):  # the test stopped it already
        server.stop()
    shutil.rmtree(folder, ignore_errors=True)
