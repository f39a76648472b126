"""`warden simulate` end to end, as a user runs it: files, manifest, bad options, ingestion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]


def warden(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warden", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def test_simulate_writes_parts_truth_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "platform"
    result = warden(
        "simulate", "--accounts", "500", "--days", "2", "--seed", "4", "--out", str(out),
        "--start", "2026-07-01", "--messages-per-account", "5",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "simulated platform" in result.stderr
    parts = sorted((out / "events").iterdir())
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["seed"], manifest["accounts"], manifest["days"]) == (4, 500, 2)
    assert (manifest["start"], manifest["format"]) == ("2026-07-01", "parquet")
    assert manifest["events_total"] == sum(manifest["events"].values())
    assert sum(manifest["accounts_per_role"].values()) == 500
    truth = pq.read_table(out / "truth.parquet")
    assert truth.column_names == [
        "account_id", "role", "abusive", "ring_id", "careful", "region", "segment",
    ]  # fmt: skip
    assert truth.num_rows == 500
    first = pq.read_table(parts[1]).column("ts").to_pylist()[0]
    assert first.isoformat().startswith("2026-07-02")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accounts", "5"], "--accounts: 5 is out of range; expected 100 to"),
        (["--days", "0"], "--days: 0 is out of range"),
        (["--start", "2026-13-01"], "--start: '2026-13-01' is not a date; expected YYYY-MM-DD"),
        (["--format", "csv"], "--format: 'csv' is not one of parquet, jsonl"),
        (["--messages-per-account", "0"], "--messages-per-account: 0.0 is out of range"),
        (["--evasion-rate", "1.5"], "--evasion-rate: 1.5 is out of range; expected 0 to 1"),
        (["--bad-records", "3"], "--bad-records: 3 needs --format jsonl (got parquet)"),
    ],
)
def test_bad_options_name_the_option_value_and_expectation(
    tmp_path: Path, args: list[str], message: str
) -> None:
    base = {"--accounts": "200", "--days": "1", "--seed": "1", "--out": str(tmp_path / "o")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = warden("simulate", *(x for pair in base.items() for x in pair))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_an_earlier_run_is_replaced_only_with_force(tmp_path: Path) -> None:
    def run(days: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return warden(
            "simulate", "--accounts", "200", "--days", days, "--seed", "1",
            "--messages-per-account", "2", "--out", str(tmp_path), *extra,
        )  # fmt: skip

    assert run("2").returncode == 0
    again = run("1")
    assert again.returncode == 2
    assert again.stderr.startswith("error: --out:")
    assert "--force" in again.stderr
    forced = run("1", "--force")
    assert forced.returncode == 0, forced.stderr
    assert [p.name for p in (tmp_path / "events").iterdir()] == ["part-00000.parquet"]


def test_warden_ingest_accepts_a_simulated_run_and_quarantines_only_the_bad_records(
    tmp_path: Path,
) -> None:
    out = tmp_path / "platform"
    made = warden(
        "simulate", "--accounts", "100", "--days", "1", "--seed", "9", "--out", str(out),
        "--format", "jsonl", "--messages-per-account", "2", "--bad-records", "5",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    part = out / "events" / "part-00000.jsonl"
    ingested = warden(
        "ingest", str(part), "--policy", str(ROOT / "policies" / "default.yaml"), "--json",
        cwd=tmp_path,
        env={"WARDEN_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"},
    )  # fmt: skip
    assert ingested.returncode == 0, ingested.stderr
    summary = json.loads(ingested.stdout)[str(part)]
    assert summary["adds_up"]
    assert summary["quarantined"] == 5
    assert summary["processed"] == summary["read"] - 5
