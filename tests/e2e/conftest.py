"""Fixtures of the command-line tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a ``warden`` process with a database of the test's own."""
    return os.environ | {
        "WARDEN_DATABASE_URL": f"sqlite:///{tmp_path / 'warden.db'}",
        "WARDEN_ENV": "test",
    }
