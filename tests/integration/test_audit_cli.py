"""``warden audit verify`` and ``warden audit export`` on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from warden.audit.offline import verify_jsonl
from warden.cli.audit import audit_app
from warden.errors import ConfigError
from warden.store import UnitOfWork

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def _fill(engine: Engine) -> str:
    with UnitOfWork(engine) as uow:
        for i in range(3):
            record = uow.audit.append("action", f"acc-{i}", {"type": "warn"}, actor="warden", at=T0)
        uow.commit()
    return record.hash


def test_verify_prints_ok_with_count_and_head(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = _fill(engine)
    monkeypatch.setenv("WARDEN_DATABASE_URL", database_url)
    result = CliRunner().invoke(audit_app, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 3 records verified")
    assert head in result.stdout


def test_verify_names_the_first_bad_record_and_exits_1(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    monkeypatch.setenv("WARDEN_DATABASE_URL", database_url)
    result = CliRunner().invoke(audit_app, ["verify"])
    assert result.exit_code == 1
    assert "FAILED at record 2: changed" in result.stderr
    assert "1 records before it verified" in result.stderr


def test_export_writes_a_verifiable_file(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    head = _fill(engine)
    monkeypatch.setenv("WARDEN_DATABASE_URL", database_url)
    out = tmp_path / "audit.jsonl"
    result = CliRunner().invoke(audit_app, ["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"exported 3 records to {out}" in result.stdout
    offline = verify_jsonl(out)
    assert offline.ok
    assert offline.head_hash == head


def test_a_missing_database_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_DATABASE_URL", f"sqlite:///{tmp_path / 'nope.db'}")
    result = CliRunner().invoke(audit_app, ["verify"])
    assert isinstance(result.exception, ConfigError)
    assert "no such database file" in str(result.exception)
    assert not (tmp_path / "nope.db").exists()
