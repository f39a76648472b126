"""The `warden` command end to end, as a user runs it (a real subprocess each time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest


def warden(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warden", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_check_json_reports_spans_in_the_original_text() -> None:
    texts = ["新到学生妹 包夜 加薇信：mm_love520", "生日快乐！晚上一起喝茶聊天吧"]
    result = warden("check", "--json", *texts)
    assert result.returncode == 0, result.stderr
    escort, benign = (json.loads(line) for line in result.stdout.splitlines())
    assert escort["categories"]["sexual_services"] >= 0.9
    for match in escort["matches"]:
        assert texts[0][match["start"] : match["end"]] == match["matched"]
        assert set(match) >= {"term", "category", "start", "end", "matched"}
    handles = [e for e in escort["entities"] if e["kind"] == "chat_handle"]
    assert handles == [
        {
            "kind": "chat_handle",
            "value": "mm_love520",
            "platform": "wechat",
            "start": handles[0]["start"],
            "end": handles[0]["end"],
            "matched": texts[0][handles[0]["start"] : handles[0]["end"]],
        }
    ]
    assert "mm_love520" in handles[0]["matched"]
    assert benign["categories"] == {}
    assert benign["matches"] == []


def test_check_reads_stdin_and_renders_for_people() -> None:
    result = warden("check", stdin="你个傻🤔逼\n")
    assert result.returncode == 0, result.stderr
    assert "harassment" in result.stdout


def test_check_with_a_plain_list_needs_its_category(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("zorblax\n", encoding="utf-8")
    missing = warden("check", "--no-defaults", "--lexicon", str(words), "x")
    assert missing.returncode == 2
    assert "words.txt:1: term 'zorblax' has no category" in missing.stderr
    ok = warden(
        "check", "--json", "--no-defaults", "--lexicon", f"{words}:spam:0.7", "Z O R B L A X!"
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["categories"] == {"spam": 0.7}


def test_scan_quarantines_bad_records_and_keeps_the_good(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "m1", "text": "包夜 加V: xiaomei888"}, ensure_ascii=False).encode(),
        b'{"id": "m2", "text": ',  # malformed JSON
        json.dumps({"id": "m3", "body": "no text field"}).encode(),
        json.dumps({"id": "m4", "text": 42}).encode(),
        b'{"id": "m5", "text": "\xff\xfe bad bytes"}',  # not UTF-8
        json.dumps({"id": "m6", "text": "see you at 13:45"}).encode(),
    ]
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    result = warden("scan", str(source), "--output", str(out), "--id-field", "id")
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(v["line"], v["id"]) for v in verdicts] == [(1, "m1"), (6, "m6")]
    assert verdicts[0]["categories"]["sexual_services"] > 0
    rejected = [
        json.loads(line)
        for line in (tmp_path / "out.jsonl.rejected.jsonl").read_text().splitlines()
    ]
    assert [r["line"] for r in rejected] == [2, 3, 4, 5]
    reasons = " | ".join(r["reason"] for r in rejected)
    assert "malformed JSON" in reasons
    assert "field 'text' is missing" in reasons
    assert "field 'text' is int 42; expected a string" in reasons
    assert "not UTF-8" in reasons
    summary = summary_rows(result.stderr)
    assert summary["read"] == "6"
    assert summary["screened"] == "2"
    assert summary["rejected"].startswith("4 ")


def summary_rows(output: str) -> dict[str, str]:
    """The cells of the Rich summary table: label → value."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


def test_scan_headerless_tsv_to_parquet(tmp_path: Path) -> None:
    source = tmp_path / "sms.tsv"
    source.write_text(
        "spam\tWIN a FREE prize! text CLAIM to 87121\nham\tok see you\tlater\nham\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.parquet"
    result = warden("scan", str(source), "-o", str(out), "--no-header", "--text-field", "2")
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out).to_pylist()
    assert [row["text"] for row in table] == [
        "WIN a FREE prize! text CLAIM to 87121",
        "ok see you\tlater",
    ]
    rejected = (tmp_path / "out.parquet.rejected.jsonl").read_text(encoding="utf-8")
    assert "row has 1 field(s)" in rejected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format: 'xml' is not one of"),
        (["--text-field", "body"], "has no column 'body'"),
    ],
)
def test_scan_bad_options_are_explained(tmp_path: Path, args: list[str], message: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,hello\n", encoding="utf-8")
    result = warden("scan", str(source), "-o", str(tmp_path / "o.jsonl"), *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_scan_missing_input_is_explained(tmp_path: Path) -> None:
    result = warden("scan", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2
    assert "is not a readable file" in result.stderr


@pytest.mark.slow
def test_demo_runs_the_main_job_and_keeps_it_in_warden_demo(
    tmp_path: Path, standard_models: Path
) -> None:
    workdir = tmp_path.resolve() / "warden-demo"
    (workdir / "platform").mkdir(parents=True)
    (workdir / ".warden-demo").write_text("")  # an earlier run's folder, with a file of it
    (workdir / "platform" / "stale.jsonl").write_text("{}\n")
    result = subprocess.run(
        [sys.executable, "-m", "warden", "demo", "--accounts", "800", "--days", "3"],
        cwd=tmp_path,
        env=os.environ | {"WARDEN_MODELS_DIR": str(standard_models)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "standard detectors:" in out  # built earlier: the fixture's
    assert "messages screened" in out
    assert "sexual_services" in out
    assert "Sweep with the thunder-strike campaign: shadow" in out
    assert "enforcement applied what the shadow sweep measured: yes" in out
    assert "precision" in out
    assert "recall" in out
    assert "escort" in out  # the per-role table
    assert "intact" in out
    assert not (workdir / "platform" / "stale.jsonl").exists(), "a new run replaces the old"
    for name in ("sweep-shadow/impact.html", "report/report.html", "platform/truth.parquet"):
        assert (workdir / name).is_file(), name
    for name in ("report/report.html", "sweep-shadow/impact.html", "sweep-enforce/impact.html"):
        assert str(workdir / name) in out, f"the demo does not say where {name} is"


def test_demo_leaves_a_folder_it_did_not_make_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = warden("demo", "--accounts", "200", "--days", "1", "--workdir", str(tmp_path))
    assert result.returncode == 2
    assert "holds files that warden demo did not write (e.g. 'notes.txt')" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"
