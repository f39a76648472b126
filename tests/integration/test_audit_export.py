"""Exports verify offline with no database, tampered exports are caught, and the documented
canonical form is the one the code hashes (an outside re-implementation agrees)."""

from __future__ import annotations

import doctest
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

import warden.audit.chain
from warden.audit.chain import Problem
from warden.audit.log import export, verify
from warden.audit.offline import verify_jsonl
from warden.store import UnitOfWork

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _fill(engine: Engine, n: int = 5) -> None:
    with UnitOfWork(engine) as uow:
        for i in range(n):
            uow.audit.append(
                "decision",
                f"acc-{i}",
                {"rule_id": "ss.escort_ad", "confidence": 0.75, "evidence": ["加微信 mm_love520"]},
                actor="warden",
                at=T0 + timedelta(minutes=i),
            )
        uow.commit()


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_export_verifies_offline_with_the_same_head(engine: Engine, tmp_path: Path) -> None:
    _fill(engine)
    out = tmp_path / "audit.jsonl"
    summary = export(engine, out)
    online, offline = verify(engine), verify_jsonl(out)
    assert offline.ok, offline.describe()
    assert (summary.count, summary.head_hash) == (5, online.head_hash)
    assert (offline.count, offline.head_hash) == (online.count, online.head_hash)
    assert len(_lines(out)) == 5


def test_a_tampered_export_line_is_caught(engine: Engine, tmp_path: Path) -> None:
    _fill(engine)
    out = tmp_path / "audit.jsonl"
    export(engine, out)
    lines = _lines(out)
    record = json.loads(lines[2])
    record["payload"]["confidence"] = 0.2
    changed = [*lines[:2], json.dumps(record, ensure_ascii=False), *lines[3:]]
    (tmp_path / "changed.jsonl").write_text("\n".join(changed) + "\n", encoding="utf-8")
    result = verify_jsonl(tmp_path / "changed.jsonl")
    assert (result.ok, result.problem, result.bad_seq, result.count) == (
        False,
        Problem.CHANGED,
        3,
        2,
    )

    (tmp_path / "dropped.jsonl").write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    dropped = verify_jsonl(tmp_path / "dropped.jsonl")
    assert (dropped.problem, dropped.bad_seq) == (Problem.DELETED, 2)

    swapped = [lines[0], lines[2], lines[1], *lines[3:]]
    (tmp_path / "swapped.jsonl").write_text("\n".join(swapped) + "\n")
    moved = verify_jsonl(tmp_path / "swapped.jsonl")
    assert (moved.problem, moved.bad_seq) == (Problem.REORDERED, 2)

    (tmp_path / "broken.jsonl").write_text("\n".join([*lines[:3], "{not json", *lines[4:]]))
    broken = verify_jsonl(tmp_path / "broken.jsonl")
    assert (broken.problem, broken.bad_seq, broken.count) == (Problem.MALFORMED, 4, 3)
    assert "line 4" in broken.detail


def _outside_verifier(path: Path) -> bool:
    """What docs/audit.md tells a regulator to do, written from the docs alone."""
    prev = "0" * 64
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line)
        claimed = record.pop("hash")
        body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if record["seq"] != n or record["prev_hash"] != prev:
            return False
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != claimed:
            return False
        prev = claimed
    return True


def test_an_outside_reimplementation_agrees(engine: Engine, tmp_path: Path) -> None:
    _fill(engine)
    out = tmp_path / "audit.jsonl"
    export(engine, out)
    assert _outside_verifier(out)
    lines = _lines(out)
    lines[1] = lines[1].replace('"acc-1"', '"acc-7"')
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not _outside_verifier(out)


def test_the_documented_example_record_verifies(tmp_path: Path) -> None:
    doc = (DOCS / "audit.md").read_text(encoding="utf-8")
    example = doc.split("```jsonl\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.jsonl"
    path.write_text(example, encoding="utf-8")
    result = verify_jsonl(path)
    assert result.ok, result.describe()
    assert result.count == 2
    assert _outside_verifier(path)
    assert result.head_hash in doc  # the doc quotes the head hash it shows


def test_the_chain_module_examples_hold() -> None:
    failures, tried = doctest.testmod(warden.audit.chain, optionflags=doctest.ELLIPSIS)
    assert tried >= 1
    assert failures == 0
