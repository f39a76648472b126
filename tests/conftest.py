"""Shared test fixtures: the data directory (skip when absent) and a built Screener."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from warden.text.catalog import data_dir


@pytest.fixture(scope="session", autouse=True)
def no_standard_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Tests screen without the standard detectors unless they ask for them: a developer's
    own built models (``~/.local/share/warden/models``) must not change what a test sees.
    Commands the tests run inherit the variable."""
    import os

    empty = tmp_path_factory.mktemp("no-models")
    before = os.environ.get("WARDEN_MODELS_DIR")
    os.environ["WARDEN_MODELS_DIR"] = str(empty)
    yield empty
    if before is None:
        os.environ.pop("WARDEN_MODELS_DIR", None)
    else:
        os.environ["WARDEN_MODELS_DIR"] = before


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``$WARDEN_DATA_DIR``; tests that need it skip with a reason when it is absent."""
    import os

    path = data_dir()
    if not (path / "README.md").is_file():
        message = f"shared datasets not found in {path} (set WARDEN_DATA_DIR)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI has them beside the checkout")
        pytest.skip(message)
    return path


def service_unavailable(name: str, reason: str) -> None:
    """Skip a test whose service is down — or fail it when ``WARDEN_REQUIRE_SERVICES=1`` (CI)."""
    import os

    message = f"{name} is not reachable: {reason}"
    if os.environ.get("WARDEN_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (WARDEN_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis (``WARDEN_REDIS_URL`` or 127.0.0.1:6379, database 15), flushed around the test."""
    import os

    import redis

    url = os.environ.get("WARDEN_REDIS_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable("Redis", str(exc))
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture(scope="session")
def standard_models(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard detectors built from the shared data on a stable subsample (fast enough
    for a test session; the figures are lower than a full ``warden models build``)."""
    from warden.detect.standard import build

    out = tmp_path_factory.mktemp("models")
    build(shared_data, out, max_rows=40_000)
    return out
