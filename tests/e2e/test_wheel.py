"""An install that works anywhere: a wheel built from the checkout, run outside the checkout.

The wheel must carry the team's lexicons, the default policy pack with its campaigns and the
event schema (``warden/data/``), so ``warden check``, ``ingest`` and ``sweep`` work without
``--policy`` from any directory. The build runs on a copy of the sources (so it leaves no
``build/`` in the shared working tree); the fresh venv borrows the dev venv's site-packages
for the dependencies only — a path line in a ``.pth`` file does not run the ``.pth`` files in
that folder, so the dev venv's editable ``warden`` stays out — and installs the wheel itself
with ``--no-deps``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ESCORT_AD = "新到学生妹 包夜 加薇信：mm_love520"


def _run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args}: {result.stderr}"
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel of this checkout installed, not editable; its ``bin/``."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("src", "lexicons", "policies", "schemas"):
        shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", work / "dist",
         cwd=source)  # fmt: skip
    (wheel,) = (work / "dist").glob("warden-*.whl")

    target = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", target)
    python = target / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    dependencies = sysconfig.get_paths()["purelib"]  # the dev venv's site-packages
    (Path(purelib.stdout.strip()) / "dev_dependencies.pth").write_text(dependencies + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", wheel)  # fmt: skip
    return target / "bin"


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(venv: Path, tmp_path: Path, env: dict[str, str]) -> Run:
    """Run a program of the new venv in a directory that is not the checkout (``tmp_path``),
    with a database of the test's own."""
    clean = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return _run(venv / program, *args, cwd=tmp_path, env=clean)

    return run


def test_warden_and_its_data_come_from_the_new_venv(venv: Path, run: Run) -> None:
    where = run(
        "python",
        "-c",
        "import warden, warden.policy as p, warden.text.lexicon as l; "
        "print(warden.__file__); print(p.default_pack_path()); print(l.default_lexicon_dir())",
    )
    package, pack, lexicons = (Path(line) for line in where.stdout.splitlines())
    for path in (package, pack, lexicons):
        assert path.is_relative_to(venv.parent.resolve()), path
    assert not package.is_relative_to(ROOT)
    assert (pack.parent / "campaigns" / "thunder-strike.yaml").is_file()
    assert sorted(p.name for p in lexicons.glob("*.tsv")) == sorted(
        p.name for p in (ROOT / "lexicons").glob("*.tsv")
    )
    assert (lexicons / "catalogs" / "public.yaml").is_file()
    assert (package.parent / "data" / "schemas" / "events.schema.json").is_file()


def test_check_uses_the_installed_lexicons(run: Run) -> None:
    result = run("warden", "check", ESCORT_AD)
    assert "sexual_services" in result.stdout
    verdict = json.loads(run("warden", "check", "--json", ESCORT_AD).stdout)
    assert verdict["categories"]["sexual_services"] >= 0.9


def test_ingest_without_policy(run: Run, tmp_path: Path) -> None:
    rows = [
        {"kind": "message", "event_id": "m-1", "account_id": "u42",
         "ts": "2026-06-10T12:00:00Z", "recipient_id": "u7", "text": ESCORT_AD},
        {"kind": "message", "event_id": "m-2", "account_id": "u7",
         "ts": "2026-06-10T12:05:00Z", "recipient_id": "u42", "text": "生日快乐！晚上一起喝茶聊天吧"},
    ]  # fmt: skip
    (tmp_path / "events.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    result = run("warden", "ingest", "events.jsonl", "--campaign", "thunder-strike", "--json")
    (summary,) = json.loads(result.stdout).values()
    assert summary["processed"] == 2
    assert summary["quarantined"] == 0
    assert summary["decisions"] >= 1  # the escort ad, under the installed pack's rules


def test_sweep_without_policy(run: Run, tmp_path: Path) -> None:
    run("warden", "simulate", "--accounts", "200", "--days", "2", "--seed", "7", "--out", "sim")
    result = run("warden", "sweep", "--events", "sim/events", "--shadow", "--campaign",
                 "thunder-strike", "--out", "shadow", "--json")  # fmt: skip
    summary = json.loads(result.stdout)
    assert summary["mode"] == "shadow"
    assert summary["counts"]["events"] > 0
    assert summary["accounts_actioned"] > 0
    assert (tmp_path / "shadow" / "impact.html").is_file()
