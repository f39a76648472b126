"""The service benchmark (``bench/service.py --quick``) runs end to end — ``warden serve``
under load, two ``warden worker`` processes on NATS, PostgreSQL and Redis, ``warden ingest``
— and reports sane figures, not particular ones (they move with the machine's load)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.data, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_measures_every_target(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "service.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "service.py"), "--quick",
         "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("service: check 1 text at "), result.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert not any((tmp_path / "work").iterdir())  # its databases and files are gone

    single = report["check"]["single"]
    assert single["requests"] == 1000
    assert single["errors"] == {}  # no HTTP error; a loaded machine may leave some unanswered
    assert 0 < single["ok"] == single["requests"] - single["not_answered"]
    assert 0 < single["p50_ms"] <= single["p95_ms"] <= single["p99_ms"] <= single["max_ms"]
    assert single["server_cpu_ms_per_request"] > 0
    batched = report["check"]["batched"]
    assert batched["texts"] == 2000
    assert batched["http_texts_per_second"] > 0
    assert batched["share_of_in_process"] > 0

    worker = report["worker"]
    if "skipped" in worker:  # PostgreSQL, Redis or NATS is down: the benchmark says which
        assert worker["skipped"].startswith("not reachable: ")
        assert os.environ.get("WARDEN_REQUIRE_SERVICES") != "1", worker["skipped"]
    else:
        assert worker["events"] == 3000
        assert worker["events_per_second"] > 0
        latency = worker["latency"]
        assert latency["observed"] == latency["events"] > 0
        assert 0 < latency["p50_ms"] <= latency["p99_ms"] <= latency["p99_bucket_le_ms"]
        assert len(worker["worker_logs"]) == 2  # both workers drained and reported
        # every event decided once; a redelivered one (ack_wait passed) counts as a duplicate
        assert worker["processed"] == worker["events"] + latency["events"]

    ingest = report["ingest"]
    assert ingest["events"] == ingest["processed"] == 3000
    assert ingest["events_per_second"] >= ingest["events_per_second_wall"] > 0

    wechat = report["cores_for_wechat_2018"]
    for path in ("ingest_sqlite", "screening_only_http_batched"):
        need = wechat[path]
        assert need["cores_needed"] >= 500_000 / (need["per_core_per_second"] + 1), path
    assert set(report["targets_met"]) == {
        "check_p99_ms_at_rate", "batched_share_of_in_process", "worker_events_per_second",
        "worker_decision_p99_ms", "ingest_events_per_second",
    }  # fmt: skip
    assert report["models"]["loaded"] is False  # the tests' empty WARDEN_MODELS_DIR
    assert report["commit"]
    assert report["machine"]["cpus"]
