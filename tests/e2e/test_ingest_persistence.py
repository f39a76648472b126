"""The embedded default remembers: ``warden ingest`` on Monday and again on Tuesday sees one
platform (feature counters persist in the database, committed with the events)."""

from __future__ import annotations

import json
from pathlib import Path

from running import POLICY, warden

from warden.cli.sample_day import scenario


def _write(path: Path, events: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def _actions(env: dict[str, str]) -> list[tuple[str, str, str]]:
    listed = warden(env, "actions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return sorted((a["account_id"], a["type"], a["at"]) for a in json.loads(listed.stdout))


def test_two_runs_see_what_one_run_sees(tmp_path: Path, env: dict[str, str]) -> None:
    events = sorted(scenario(), key=lambda e: str(e["ts"]))
    half = len(events) // 2
    monday = _write(tmp_path / "monday.jsonl", events[:half])
    tuesday = _write(tmp_path / "tuesday.jsonl", events[half:])
    whole = _write(tmp_path / "whole.jsonl", events)

    split_env = env | {"WARDEN_DATABASE_URL": f"sqlite:///{tmp_path / 'split.db'}"}
    split_env.pop("WARDEN_REDIS_URL", None)
    for part in (monday, tuesday):
        run = warden(split_env, "ingest", "--policy", POLICY, str(part))
        assert run.returncode == 0, run.stderr
    one_env = env | {"WARDEN_DATABASE_URL": f"sqlite:///{tmp_path / 'one.db'}"}
    one_env.pop("WARDEN_REDIS_URL", None)
    run = warden(one_env, "ingest", "--policy", POLICY, str(whole))
    assert run.returncode == 0, run.stderr

    split, one = _actions(split_env), _actions(one_env)
    assert one, "the sample day must lead to actions"
    assert split == one
    # the actions that needed both halves: an account acted on in the second run only
    # because of what the first run folded
    second_half_start = str(events[half]["ts"])
    assert any(at >= second_half_start for _, _, at in split)
