"""``warden sweep`` as an operator runs it: shadow first, then enforce, then the same again."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from running import POLICY, warden

from warden.cli.sample_day import scenario


@pytest.fixture
def events(tmp_path: Path) -> Path:
    folder = tmp_path / "events"
    folder.mkdir()
    rows = scenario()
    half = len(rows) // 2
    for index, part in enumerate((rows[:half], rows[half:])):
        (folder / f"part-{index}.jsonl").write_text(
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in part)
        )
    return folder


def test_shadow_then_enforce_then_again(env: dict[str, str], events: Path, tmp_path: Path) -> None:
    common = ["--events", str(events), "--policy", POLICY, "--campaign", "thunder-strike"]
    shadow = warden(env, "sweep", *common, "--shadow", "--out", str(tmp_path / "s"), "--json")
    assert shadow.returncode == 0, shadow.stderr
    planned = json.loads(shadow.stdout)
    assert planned["mode"] == "shadow"
    assert planned["counts"]["events"] == len(scenario())
    assert planned["accounts_closed"] >= 2  # the escort and the deposit-first scammer
    html = (tmp_path / "s" / "impact.html").read_text()
    assert "Sweep impact report" in html
    assert "<svg" in html
    impact = json.loads((tmp_path / "s" / "impact.json").read_text())
    assert impact["accounts_actioned"] == planned["accounts_actioned"]
    assert impact["sample"], "a sample of decisions to spot-check"
    assert all(s["evidence"] for s in impact["sample"])

    listed = warden(env, "actions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []  # shadow acted on nothing

    enforce = warden(env, "sweep", *common, "--enforce", "--out", str(tmp_path / "e"), "--json")
    assert enforce.returncode == 0, enforce.stderr
    done = json.loads(enforce.stdout)
    assert done["actions_by_type"] == planned["actions_by_type"]
    stored = json.loads(warden(env, "actions", "list", "--json").stdout)
    assert len(stored) == sum(planned["actions_by_type"].values())
    table = pq.read_table(tmp_path / "e" / "actions.parquet")
    assert table.num_rows == len(stored)
    assert warden(env, "audit", "verify").returncode == 0

    again = warden(env, "sweep", *common, "--enforce", "--out", str(tmp_path / "a"), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["counts"]["actions"] == 0
    assert len(json.loads(warden(env, "actions", "list", "--json").stdout)) == len(stored)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shadow", "--enforce"], "--shadow/--enforce"),
        ([], "--shadow/--enforce"),
        (["--shadow", "--engine", "hadoop"], "--engine: 'hadoop'"),
        (["--shadow", "--since", "last tuesday"], "--since: 'last tuesday'"),
        (["--shadow", "--workers", "0"], "--workers: 0"),
        (["--shadow", "--truth", "nowhere.parquet"], "--truth: 'nowhere.parquet'"),
    ],
)
def test_bad_options_are_named(
    env: dict[str, str], events: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = warden(
        env, "sweep", "--events", str(events), "--policy", POLICY, "--out", str(tmp_path), *args
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_no_event_files(env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = warden(
        env,
        "sweep",
        "--events",
        str(empty),
        "--policy",
        POLICY,
        "--shadow",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.returncode == 2
    assert "--events: no event files" in result.stderr
