"""Startup benchmark: how long ``warden --help`` and ``warden check TEXT`` take, end to end.

Each case is a fresh process of the ``warden`` console script beside this interpreter (or
``python -m warden``), run ``--runs`` times in interleaved rounds (the machine is shared; a
round's runs share its load); figures are medians, with the fastest run and the children's
CPU time beside them. ``check`` screens one text with the lexicons only (``WARDEN_MODELS_DIR``
points at an empty directory), the path a fresh install takes before ``warden models
build``. For each case the result also lists which heavy libraries the process imported,
and for ``check`` the slowest imports (``python -X importtime``), so a regression names its
cause.

    python bench/startup.py [--runs 10] [--out bench/results/startup.json]

Prints one line and writes JSON. Target (issue 10): each command ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from provenance import commit

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.5
TEXT = "新到学生妹 包夜 加薇信：mm_love520"
CASES: dict[str, list[str]] = {
    "help": ["--help"],
    "check_help": ["check", "--help"],
    "check": ["check", TEXT],
}
#: Libraries worth naming when a case imports them.
HEAVY = (
    "sklearn",
    "scipy",
    "sqlalchemy",
    "alembic",
    "duckdb",
    "pyarrow",
    "pyspark",
    "numpy",
    "pypinyin",
    "opencc",
    "tldextract",
    "ahocorasick",
    "pydantic",
    "rich",
)


def warden_command() -> list[str]:
    """The console script an operator runs, else ``python -m warden``."""
    script = Path(sys.executable).with_name("warden")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "warden"]


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    """Which of :data:`HEAVY` a ``warden ARGS`` process has imported when it ends."""
    probe = (
        "import sys\n"
        f"sys.argv = ['warden', *{args!r}]\n"
        "from warden.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stdout.flush()\n"
        f"print('\\nLOADED', *sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    line = next(x for x in reversed(done.stderr.splitlines()) if x.startswith("LOADED"))
    return line.split()[1:]


def slowest_imports(args: list[str], env: dict[str, str], top: int = 8) -> list[dict[str, Any]]:
    """The packages (names without a dot) that take longest to import, cumulative, from
    ``-X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "warden", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows: list[dict[str, Any]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        if cumulative.isdigit() and "." not in name:  # packages, wherever first imported
            rows.append({"module": name, "ms": round(int(cumulative) / 1000, 1)})
    return sorted(rows, key=lambda r: r["ms"], reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "startup.json")
    args = parser.parse_args()

    command = warden_command()
    with tempfile.TemporaryDirectory() as empty:
        env = os.environ | {"WARDEN_MODELS_DIR": empty, "COLUMNS": "100"}
        for case in CASES.values():  # warm the page cache and .pyc files once
            run_once(command + case, env)
        wall: dict[str, list[float]] = {name: [] for name in CASES}
        cpu: dict[str, list[float]] = {name: [] for name in CASES}
        for _ in range(args.runs):
            for name, case in CASES.items():
                w, c = run_once(command + case, env)
                wall[name].append(w)
                cpu[name].append(c)
        loaded = {name: heavy_imports(case, env) for name, case in CASES.items()}
        slowest = slowest_imports(CASES["check"], env)

    cases = {
        name: {
            "args": ["warden", *CASES[name]],
            "median_seconds": round(statistics.median(wall[name]), 3),
            "fastest_seconds": round(min(wall[name]), 3),
            "cpu_median_seconds": round(statistics.median(cpu[name]), 3),
            "runs_seconds": [round(s, 3) for s in wall[name]],
            "heavy_imports": loaded[name],
            "target_met": statistics.median(wall[name]) <= TARGET_SECONDS,
        }
        for name in CASES
    }
    cases["check"]["slowest_imports"] = slowest
    result = {
        "benchmark": "startup",
        "command": command,
        "runs": args.runs,
        "target_seconds": TARGET_SECONDS,
        "cases": cases,
        "commit": commit(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    parts = ", ".join(
        f"warden {' '.join(CASES[n][:1]) if n != 'check_help' else 'check --help'} "
        f"{c['median_seconds']:.2f} s ({'met' if c['target_met'] else 'over'})"
        for n, c in cases.items()
    )
    print(
        f"startup, median of {args.runs} (load {os.getloadavg()[0]:.1f}): {parts}; "
        f"target ≤ {TARGET_SECONDS} s; check imports {', '.join(loaded['check']) or 'nothing heavy'}"
        f" → {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
