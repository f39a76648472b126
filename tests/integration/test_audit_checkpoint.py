"""Signed checkpoints catch what the chain alone cannot: truncation and a recomputed chain.

Each test runs on SQLite and PostgreSQL (see ``conftest.py``), through the commands a
regulator's auditor would run: ``keygen``, ``checkpoint``, ``verify --checkpoint``.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from warden.audit.chain import AuditRecord, seal
from warden.audit.checkpoint import check_record, load_public_key, read_checkpoint, signature_holds
from warden.cli.audit import audit_app
from warden.errors import ConfigError, InputError
from warden.store import UnitOfWork

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _append(engine: Engine, count: int, start: int = 0) -> None:
    with UnitOfWork(engine) as uow:
        for i in range(start, start + count):
            at = T0 + timedelta(minutes=i)
            uow.audit.append("action", f"acc-{i}", {"type": "warn", "n": i}, actor="warden", at=at)
        uow.commit()


def _run(*args: str) -> Result:
    return CliRunner().invoke(audit_app, list(args))


@pytest.fixture
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A key made by ``warden audit keygen`` and configured as the signing key; its PEM
    public key is beside it as ``<name>.pub``."""
    key = tmp_path / "audit-key.pem"
    result = _run("keygen", "--out", str(key))
    assert result.exit_code == 0, result.output
    (tmp_path / "audit-key.pem.pub").write_text(result.stdout, encoding="utf-8")
    monkeypatch.setenv("WARDEN_AUDIT_SIGNING_KEY", str(key))
    return key


@pytest.fixture
def checkpoint(
    engine: Engine,
    database_url: str,
    signing_key: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A checkpoint of a five-record chain, at seq 5."""
    _append(engine, 5)
    monkeypatch.setenv("WARDEN_DATABASE_URL", database_url)
    out = tmp_path / "checkpoint.json"
    result = _run("checkpoint", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "checkpoint: seq 5" in result.stderr
    return out


def _verify(checkpoint: Path, pinned: Path | None = None) -> Result:
    args = ["verify", "--checkpoint", str(checkpoint)]
    if pinned is not None:
        args += ["--public-key", str(pinned)]
    return _run(*args)


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    result = _run("keygen", "--out", str(key))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert result.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    again = _run("keygen", "--out", str(key))
    assert isinstance(again.exception, InputError)
    assert "already exists" in str(again.exception)


def test_an_untouched_chain_holds_its_checkpoint_and_may_grow(
    checkpoint: Path, signing_key: Path, engine: Engine
) -> None:
    body = json.loads(checkpoint.read_text())
    assert body["checkpoint"]["seq"] == 5
    assert body["checkpoint"]["count"] == 5
    result = _verify(checkpoint, signing_key.with_name("audit-key.pem.pub"))
    assert result.exit_code == 0, result.output
    assert "OK: checkpoint seq 5" in result.stdout
    _append(engine, 2, start=5)  # records after a checkpoint are what a log is for
    later = _verify(checkpoint, signing_key.with_name("audit-key.pem.pub"))
    assert later.exit_code == 0, later.output
    assert "OK: 7 records verified" in later.stdout


def test_truncation_fails_naming_the_missing_seq(checkpoint: Path, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq > 3"))
    assert _run("verify").exit_code == 0  # the chain alone cannot tell
    result = _verify(checkpoint)
    assert result.exit_code == 1
    assert "seq 5 missing: the chain ends at seq 3" in result.stderr
    assert "truncated" in result.stderr


def test_an_emptied_table_fails(checkpoint: Path, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
    result = _verify(checkpoint)
    assert result.exit_code == 1
    assert "seq 5 missing: the chain is empty" in result.stderr


def test_a_recomputed_chain_fails_at_the_checkpoint_seq(checkpoint: Path, engine: Engine) -> None:
    """Alter record 2, then re-hash it and every record after it so the chain verifies."""
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT seq, at, actor, kind, subject, payload FROM audit_log ORDER BY seq")
        ).all()
        prev = connection.execute(text("SELECT hash FROM audit_log WHERE seq = 1")).scalar_one()
        for row in rows[1:]:
            actor = "mallory" if row.seq == 2 else row.actor
            payload = json.loads(row.payload) if isinstance(row.payload, str) else row.payload
            at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at)
            record = seal(
                row.seq, at.replace(tzinfo=UTC), actor, row.kind, row.subject, payload, prev
            )
            connection.execute(
                text(
                    "UPDATE audit_log SET actor = :actor, prev_hash = :prev, hash = :hash "
                    "WHERE seq = :seq"
                ),
                {"actor": actor, "prev": prev, "hash": record.hash, "seq": row.seq},
            )
            prev = record.hash
    plain = _run("verify")
    assert plain.exit_code == 0, plain.output  # a valid chain, with other hashes
    result = _verify(checkpoint)
    assert result.exit_code == 1
    assert "hash mismatch at seq 5" in result.stderr
    assert json.loads(checkpoint.read_text())["checkpoint"]["hash"] in result.stderr


def test_a_tampered_checkpoint_fails_its_signature(checkpoint: Path, engine: Engine) -> None:
    """Moving the checkpoint back to seq 3 (to hide a truncation) breaks the signature."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq > 3"))
        head = connection.execute(text("SELECT hash FROM audit_log WHERE seq = 3")).scalar_one()
    body = json.loads(checkpoint.read_text())
    body["checkpoint"].update(seq=3, count=3, hash=head)
    checkpoint.write_text(json.dumps(body))
    result = _verify(checkpoint)
    assert result.exit_code == 1
    assert "signature does not match" in result.stderr
    assert "OK" not in result.stdout


def test_a_checkpoint_re_signed_with_another_key_fails_the_pinned_key(
    checkpoint: Path, signing_key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.pem"
    assert _run("keygen", "--out", str(other)).exit_code == 0
    monkeypatch.setenv("WARDEN_AUDIT_SIGNING_KEY", str(other))
    forged = tmp_path / "forged.json"
    assert _run("checkpoint", "--out", str(forged)).exit_code == 0
    assert _verify(forged).exit_code == 0  # intact, but signed by whom?
    result = _verify(forged, signing_key.with_name("audit-key.pem.pub"))
    assert result.exit_code == 1
    assert "expected key SHA256:" in result.stderr


def test_checkpoint_refuses_a_chain_that_does_not_verify(
    engine: Engine,
    database_url: str,
    signing_key: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _append(engine, 3)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    monkeypatch.setenv("WARDEN_DATABASE_URL", database_url)
    out = tmp_path / "cp.json"
    result = _run("checkpoint", "--out", str(out))
    assert result.exit_code == 1
    assert "FAILED at record 2: changed" in result.stderr
    assert "the chain does not verify" in result.stderr
    assert not out.exists()


def test_checkpoint_needs_a_signing_key(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(engine, 1)
    monkeypatch.setenv("WARDEN_DATABASE_URL", database_url)
    monkeypatch.delenv("WARDEN_AUDIT_SIGNING_KEY", raising=False)
    result = _run("checkpoint")
    assert isinstance(result.exception, ConfigError)
    assert "WARDEN_AUDIT_SIGNING_KEY: not set" in str(result.exception)


def test_the_documented_checkpoint_holds_for_the_documented_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/audit.md's example checkpoint, public key and verifying code agree with the code
    and with the example export on the same page."""
    doc = (DOCS / "audit.md").read_text(encoding="utf-8")
    section = doc.split("### Checkpoint format", 1)[1]
    pem = "-----BEGIN PUBLIC KEY-----" + section.split("-----BEGIN PUBLIC KEY-----", 1)[1]
    pem = pem.split("-----END PUBLIC KEY-----", 1)[0] + "-----END PUBLIC KEY-----\n"
    example = section.split("```json\n", 1)[1].split("```", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    export_lines = doc.split("```jsonl\n", 1)[1].split("```", 1)[0].splitlines()
    (tmp_path / "key.pub").write_text(pem, encoding="utf-8")
    (tmp_path / "checkpoint.json").write_text(example, encoding="utf-8")

    checkpoint = read_checkpoint(tmp_path / "checkpoint.json")
    assert signature_holds(checkpoint, load_public_key(tmp_path / "key.pub")) is None
    head = AuditRecord.from_json(json.loads(export_lines[checkpoint.seq - 1]))
    assert check_record(checkpoint, head, head_seq=len(export_lines)) is None

    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/audit.md", "exec"), {})  # an outsider's check: raises if bad
    tampered = json.loads(example)
    tampered["checkpoint"]["count"] = 3
    (tmp_path / "checkpoint.json").write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(InvalidSignature):
        exec(compile(code, "docs/audit.md", "exec"), {})
