"""``warden report`` as an operator runs it: a real SQLite file, real processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from running import POLICY, warden

from warden.cli.sample_day import write_scenario


def ok(env: dict[str, str], *args: str) -> str:
    result = warden(env, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def read(out: Path) -> tuple[dict[str, Any], str]:
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data, (out / "report.html").read_text(encoding="utf-8")


def test_a_report_after_a_day_and_an_overturned_appeal(env: dict[str, str], tmp_path: Path) -> None:
    events = write_scenario(tmp_path / "day.jsonl", with_bad_records=True)
    ok(env, "ingest", str(events), "--policy", POLICY, "--json")

    out = tmp_path / "june"
    printed = ok(env, "report", "--out", str(out), "--title", "Warden — June 2026")
    assert f"wrote {out / 'report.html'} and {out / 'report.json'}" in printed
    assert "actions taken: 7; accounts closed: 0 (0.00% of 19 active accounts)" in printed
    data, page = read(out)
    assert data["title"] == "Warden — June 2026"
    assert data["actions"]["taken_by_type"] == {"warn": 2, "restrict": 3, "lock": 2, "close": 0}
    assert data["actions"]["pending_review"] == 2  # both closes wait for two reviewers
    assert data["cases"]["backlog"]["by_kind"]["close_review"] == 2
    assert "<title>Warden — June 2026</title>" in page
    head = ok(env, "audit", "verify").split("head hash ")[1].strip()
    assert data["audit"]["head_hash"] == head  # the report is tied to the log
    assert head in page

    blaster = json.loads(ok(env, "accounts", "show", "blaster", "--json"))
    warning = blaster["actions"][0]["id"]
    ok(env, "appeal", str(warning), "--reason", "customers opted in", "--at", "2026-06-11T10:00:00+00:00")  # fmt: skip
    case = json.loads(ok(env, "accounts", "show", "blaster", "--json"))["cases"][0]["id"]
    ok(env, "cases", "decide", str(case), "--reviewer", "carol", "--verdict", "overturn", "--at", "2026-06-11T11:00:00+00:00")  # fmt: skip

    day2 = tmp_path / "day2"
    ok(env, "report", "-o", str(day2), "--since", "2026-06-11", "--until", "2026-06-11")
    data, page = read(day2)
    assert data["period"]["since"] == data["period"]["until"] == "2026-06-11"
    assert data["actions"]["taken"] == 0
    assert data["actions"]["reversed"] == 1
    assert data["appeals"]["by_rule"]["spam_content"]["overturn_rate"] == 1.0
    assert data["headline"]["appeal_overturn_rate"] == 1.0
    assert "2026-06-11 to 2026-06-11 (UTC, both days included)" in page


def test_an_empty_database_gives_a_report_that_says_so(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "nested" / "report"
    printed = ok(env, "report", "--out", str(out))
    assert "nothing to report yet" in printed
    data, page = read(out)
    assert data["empty"] is True
    assert data["audit"]["records"] == 0
    assert "Nothing to report yet" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "error: --since: '2026-02-30' is not a date; expected YYYY-MM-DD"),
        (["--until", "June 11"], "error: --until: 'June 11' is not a date; expected YYYY-MM-DD"),
        (["--since", "20260611"], "error: --since: '20260611' is not a date; expected YYYY-MM-DD"),
        (
            ["--since", "2026-06-12", "--until", "2026-06-11"],
            "error: --until: '2026-06-11' is before --since '2026-06-12'; expected a day on or after it",
        ),
    ],
)  # fmt: skip
def test_bad_dates_are_refused_naming_option_and_value(
    env: dict[str, str], tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    result = warden(env, "report", "--out", str(out), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_out_must_be_a_directory(env: dict[str, str], tmp_path: Path) -> None:
    taken = tmp_path / "report.html"
    taken.write_text("keep me", encoding="utf-8")
    result = warden(env, "report", "--out", str(taken))
    assert result.returncode == 2
    assert f"error: --out: {str(taken)!r} is a file; expected a directory" in result.stderr
    assert taken.read_text(encoding="utf-8") == "keep me"
