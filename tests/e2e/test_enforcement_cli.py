"""The decision core from the command line, as an operator runs it (SQLite file, real processes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from running import POLICY, warden

from warden.cli.sample_day import scenario, write_scenario


def ingest(env: dict[str, str], path: Path, *extra: str) -> dict[str, object]:
    result = warden(env, "ingest", str(path), "--policy", POLICY, "--json", *extra)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)[str(path)]
    assert isinstance(summary, dict)
    return summary


def test_operator_flow(env: dict[str, str], tmp_path: Path) -> None:
    events = write_scenario(tmp_path / "day.jsonl", with_bad_records=True)
    first = ingest(env, events)
    assert first["adds_up"] is True
    assert first["quarantined"] == 3
    assert first["held_for_review"] == 2
    again = ingest(env, events)
    assert (again["processed"], again["duplicates"]) == (0, 99)

    shown = warden(env, "accounts", "show", "escort", "--json")
    assert shown.returncode == 0, shown.stderr
    escort = json.loads(shown.stdout)
    assert escort["state"] == "locked"
    assert [a["type"] for a in escort["actions"]] == ["restrict", "lock", "close"]
    assert escort["actions"][0]["evidence"], "actions carry their evidence"
    assert any(e["kind"] == "match" for e in escort["actions"][0]["evidence"])
    assert escort["actions"][0]["policy_version"].startswith("2026.12-2+")

    listed = warden(env, "cases", "list", "--kind", "close_review")
    assert "escort" in listed.stdout
    case_id = next(c["id"] for c in escort["cases"] if c["kind"] == "close_review")
    one = warden(env, "cases", "decide", str(case_id), "--reviewer", "ana", "--verdict", "approve")
    assert "open" in one.stdout
    twice = warden(
        env, "cases", "decide", str(case_id), "--reviewer", "ana", "--verdict", "approve"
    )
    assert twice.returncode == 2
    assert "already given a verdict" in twice.stderr
    two = warden(env, "cases", "decide", str(case_id), "--reviewer", "ben", "--verdict", "approve")
    assert "approved" in two.stdout
    assert (
        json.loads(warden(env, "accounts", "show", "escort", "--json").stdout)["state"] == "closed"
    )

    troll = json.loads(warden(env, "accounts", "show", "troll", "--json").stdout)
    warn_id = troll["actions"][0]["id"]
    opened = warden(env, "appeal", str(warn_id), "--reason", "they were joking too")
    assert opened.returncode == 0, opened.stderr
    appeal_case = opened.stdout.split("case")[-1].strip()
    overturned = warden(
        env, "cases", "decide", appeal_case, "--reviewer", "cy", "--verdict", "overturn"
    )
    assert "overturned" in overturned.stdout
    actions = json.loads(warden(env, "actions", "list", "--account", "troll", "--json").stdout)
    assert actions[0]["status"] == "reversed"
    assert {a["account_id"] for a in actions} == {"troll"}
    everyone = json.loads(warden(env, "actions", "list", "--json").stdout)
    assert {"escort", "troll"} <= {a["account_id"] for a in everyone}  # whose action each is
    by_id = {a["id"]: a["account_id"] for a in everyone}
    assert all(by_id[a["id"]] == "escort" for a in escort["actions"])
    table = warden(env, "actions", "list").stdout
    assert "account" in table.splitlines()[1]  # the header row, under the top border
    escort_rows = [row for row in table.splitlines() if " escort " in row]
    assert len(escort_rows) == len(escort["actions"])

    verified = warden(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    exported = warden(env, "audit", "export", "--out", str(tmp_path / "audit.jsonl"))
    assert exported.returncode == 0, exported.stderr
    assert len((tmp_path / "audit.jsonl").read_text().splitlines()) > 20


def test_parquet_and_campaign(env: dict[str, str], tmp_path: Path) -> None:
    rows = scenario()
    columns = sorted({key for row in rows for key in row})
    table = pa.table({c: [r.get(c) for r in rows] for c in columns})  # missing fields are nulls
    path = tmp_path / "day.parquet"
    pq.write_table(table, path)
    summary = ingest(env, path, "--campaign", "thunder-strike")
    assert (summary["processed"], summary["quarantined"]) == (len(rows), 0)
    escort = json.loads(warden(env, "accounts", "show", "escort", "--json").stdout)
    assert escort["actions"][0]["campaign"] == "thunder-strike"
    assert escort["actions"][0]["type"] in ("lock", "close")  # the campaign shifts the ladder up


def test_bad_options_are_explained(env: dict[str, str], tmp_path: Path) -> None:
    missing = warden(env, "ingest", str(tmp_path / "none.jsonl"), "--policy", POLICY)
    assert missing.returncode == 2
    assert "is not a readable file" in missing.stderr
    unknown = warden(env, "cases", "list", "--status", "pending")
    assert unknown.returncode == 2
    assert "--status: 'pending' is not one of" in unknown.stderr


def test_a_condition_nested_thousands_deep_is_a_one_line_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Not a RecursionError traceback: the file, the line and the limit, exit status 2."""
    from warden.policy.expressions import MAX_NESTING

    text = Path(POLICY).read_text(encoding="utf-8")
    shutil.copytree(Path(POLICY).parent / "campaigns", tmp_path / "campaigns")
    deep = "not (" * 5_000 + "score.fraud >= 0.5" + ")" * 5_000
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith("when:"))
    rows = text.splitlines()
    rows[line - 1] = f"    when: {deep}"
    pack = tmp_path / "deep.yaml"
    pack.write_text("\n".join(rows) + "\n", encoding="utf-8")
    events = write_scenario(tmp_path / "day.jsonl")
    result = warden(env, "ingest", str(events), "--policy", str(pack))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {pack}:{line}: rule ")
    assert f"more than {MAX_NESTING} levels deep" in result.stderr
