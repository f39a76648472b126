"""Shared test fixtures: the data directory (skip when absent) and a built Screener."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.text.catalog import data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``$WARDEN_DATA_DIR``; tests that need it skip with a reason when it is absent."""
    path = data_dir()
    if not (path / "README.md").is_file():
        pytest.skip(f"shared datasets not found in {path} (set WARDEN_DATA_DIR)")
    return path
