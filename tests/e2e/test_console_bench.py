"""The console benchmark (``bench/console.py --quick``) runs end to end on PostgreSQL — a
database of its own seeded with COPY, the case, queue and account pages served in process,
the profile — and reports sane figures, not particular ones (they move with the machine's
load). Skips when PostgreSQL is unreachable, unless ``WARDEN_REQUIRE_SERVICES=1``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres() -> str:
    """The server's URL; skip (or fail under WARDEN_REQUIRE_SERVICES=1) when it is down."""
    url = os.environ.get("WARDEN_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    parsed = make_url(url)
    try:
        psycopg.connect(
            host=parsed.host or "127.0.0.1", port=parsed.port or 5432,
            user=parsed.username or "postgres", password=parsed.password,
            dbname=parsed.database or "postgres", connect_timeout=3,
        ).close()  # fmt: skip
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable: {str(exc).strip().splitlines()[0]}"
        if os.environ.get("WARDEN_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{message} (WARDEN_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return url


def database_exists(url: str, name: str) -> bool:
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host or "127.0.0.1", port=parsed.port or 5432,
        user=parsed.username or "postgres", password=parsed.password,
        dbname=parsed.database or "postgres",
    ) as connection:  # fmt: skip
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def test_quick_run_measures_the_pages(tmp_path: Path) -> None:
    url = postgres()
    out = tmp_path / "console.json"
    database = f"warden_bench_console_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "console.py"), "--quick", "--postgres", url,
         "--database", database, "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("console: case page p95 "), result.stdout
    assert "2,000 accounts / 20,000 events" in result.stdout
    assert not database_exists(url, database)  # dropped at the end
    report = json.loads(out.read_text(encoding="utf-8"))

    sizes = report["sizes"]
    assert sizes["accounts"] == 2000
    assert sizes["events_seen"] == 20_000
    for table in ("event_content", "content_entities", "decisions", "actions", "strikes",
                  "cases", "case_reviews", "rings", "ring_members", "audit_log"):  # fmt: skip
        assert sizes[table] > 0, table
    assert sizes["events_per_account"]["max"] > sizes["events_per_account"]["median"]

    for page, requests in (("case", 50), ("queue", 5), ("account", 8)):
        figures = report[page]
        assert figures["requests"] == requests, page
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
        assert len(figures["rounds"]) == figures["round_reported"] == 1, page
        assert figures["process_cpu_p50_ms"] > 0, page
    assert report["queue"]["items"] > 0
    assert report["case"]["busiest_accounts"]["requests"] == report["sample"]["of_busiest_accounts"]
    assert report["target"]["case_page_p95_ms"] == 100
    assert report["target_met"] == (report["case"]["p95_ms"] <= 100)
    assert report["case_p95_share_of_target"] > 0

    profile = report["profile"]
    steps = profile["case"]["steps"]
    for step in ("session check", "case file (all)", "timeline", "render (Jinja)", "(SQL)"):
        assert steps[step]["mean_ms"] > 0, step
    assert profile["case"]["statements"]
    assert profile["queue"]["statements"]
    explained = profile["busiest_case"]["explain"]
    assert explained
    assert all(e["execution"].startswith("Execution Time") for e in explained)

    seed = report["seed"]
    assert seed["seconds"] > 0
    assert seed["ads_screened"] > 0
    assert seed["rows_per_second_copied"] > 0
    assert report["indexes_tried"] == []
    assert report["commit"]
    assert report["machine"]["cpus"]
