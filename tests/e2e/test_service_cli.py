"""``warden keys`` and ``warden serve`` as an operator runs them: a real uvicorn process on
127.0.0.1, its own SQLite file, a key created on the command line."""

from __future__ import annotations

import json
import time

import httpx
from running import warden

AD = "新到学生妹 包夜 加薇信：mm_love520"


def test_keys_made_on_the_command_line_open_the_api(env: dict[str, str], served: str) -> None:
    made = warden(env, "keys", "create", "chat-app", "--scope", "screen,ingest")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("wk_")
    assert "not shown again" in made.stderr
    headers = {"Authorization": f"Bearer {secret}"}
    checked = httpx.post(f"{served}/v1/check", json={"texts": [AD]}, headers=headers, timeout=30)
    assert checked.status_code == 200
    assert checked.json()["verdicts"][0]["categories"]["sexual_services"] > 0.9
    listed = json.loads(warden(env, "keys", "list", "--json").stdout)
    assert [(k["name"], k["scopes"]) for k in listed] == [("chat-app", ["ingest", "screen"])]
    assert listed[0]["last_used_at"] is not None
    assert secret not in warden(env, "keys", "list").stdout
    assert warden(env, "keys", "revoke", "chat-app").returncode == 0
    time.sleep(2.1)
    refused = httpx.post(f"{served}/v1/check", json={"texts": [AD]}, headers=headers, timeout=30)
    assert refused.status_code == 401
    ready = httpx.get(f"{served}/readyz", timeout=10)
    assert ready.json()["checks"]["database"] == "ok"
    spec = httpx.get(f"{served}/openapi.json", timeout=10).json()
    assert "/v1/events" in spec["paths"]


def test_key_commands_reject_bad_input(env: dict[str, str]) -> None:
    unknown = warden(env, "keys", "create", "x", "--scope", "everything")
    assert unknown.returncode == 2
    assert "'everything' is not a scope" in unknown.stderr
    bad_name = warden(env, "keys", "create", "a b", "--scope", "screen")
    assert bad_name.returncode == 2
    assert "NAME" in bad_name.stderr
    assert warden(env, "keys", "create", "dup", "--scope", "screen").returncode == 0
    again = warden(env, "keys", "create", "dup", "--scope", "screen")
    assert again.returncode == 2
    assert "exists already" in again.stderr
    missing = warden(env, "keys", "revoke", "nobody")
    assert missing.returncode == 2
    assert "no key named 'nobody'" in missing.stderr
