"""The real-message benchmark (``bench/accounts.py --quick``) runs on the shared data and
reports every role with sane numbers — not particular detection figures, which move with
the detectors and the policy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.data, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ROLES = {
    "ordinary", "ordinary_mention", "victim", "phone_fraud", "bank_phishing", "en_smishing",
    "gambling", "fake_documents", "escort", "abusive_speech",
}  # fmt: skip


def test_quick_run_reports_every_role(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "accounts.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "accounts.py"), "--quick",
         "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("accounts (real messages, 40 abusive / 300 benign): recall ")
    report = json.loads(out.read_text(encoding="utf-8"))

    per_role = report["per_role"]
    assert set(per_role) == ROLES
    for role, figures in per_role.items():
        assert figures["accounts"] > 0, role
        assert 0 <= figures["actioned"] <= figures["accounts"], role
        assert figures["abusive"] == (role not in ("ordinary", "ordinary_mention", "victim"))
        if role != "victim":
            assert figures["data"]["held_out_rows"] > 0, role
            assert figures["data"]["texts_written"] >= figures["data"]["held_out_rows"], role
            assert figures["texts_in_platform"]["texts_dealt"] > 0, role
    assert sum(v["accounts"] for v in per_role.values() if v["abusive"]) == 40
    assert sum(v["accounts"] for v in per_role.values()) == 340

    f = report["figures"]
    for name in ("recall", "benign_share_actioned", "ordinary_share_actioned"):
        assert 0.0 <= f[name] <= 1.0, name
    assert f["precision"] is None or 0.0 <= f["precision"] <= 1.0
    assert f["worst_role"]["role"] in per_role
    assert f["true_positives"] == round(f["recall"] * f["abusive_accounts"])
    assert len(report["benign_actioned"]) == f["benign_actioned"]
    for hit in report["benign_actioned"]:
        assert hit["rules"], hit
        assert hit["text"], hit

    assert {d["path"] for d in report["data"]} >= {
        "cn_spam_finegrained/val.csv", "cn_offensive_cold/dev.csv", "sms_spam_uci/SMSSpamCollection",
    }  # fmt: skip
    assert all(len(d["sha256"]) == 64 for d in report["data"])
    assert "manifest" in report["models"]
    assert report["input"]["events"]["message"] > 1000
    assert report["timings"]["sweep_s"] > 0
