"""Sweep benchmark: a simulated platform end to end, on the local engine and on Spark.

Simulates ``--accounts`` accounts over ``--days`` days (≈ 1 M messages at the defaults), then
runs ``warden sweep --shadow`` with the thunder-strike campaign and the simulator's ground
truth on each engine, as a user would (a separate process). Reports wall time, messages/s,
the peak memory of the whole process tree (workers, Spark's JVM and its Python workers
included; sampled every 0.2 s), the time of each step, and the account-level quality
against the truth.

    python bench/sweep.py [--accounts 20000] [--days 14] [--seed 7] [--engines local,spark]
                          [--workdir /tmp/warden-bench-sweep] [--out bench/results/sweep.json]

Prints one line and writes JSON. Targets (issue 5): local ≤ 120 s for 1 M messages on two
cores; precision ≥ 0.97 and recall ≥ 0.90 over abusive roles; < 0.2% of ordinary accounts
actioned; ring members recovered ≥ 95% with purity ≥ 95%.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as statm:
                pages = int(statm.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = pages * PAGE
    total, stack = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def measured(
    command: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run ``command``; its wall time and the peak RSS of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    return result, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/warden-bench-sweep"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sweep.json")
    args = parser.parse_args()

    warden = [sys.executable, "-m", "warden"]
    sim = args.workdir / f"sim-{args.accounts}-{args.days}-{args.seed}"
    env = os.environ | {"WARDEN_DATABASE_URL": f"sqlite:///{args.workdir / 'bench.db'}"}
    args.workdir.mkdir(parents=True, exist_ok=True)
    simulation: dict[str, Any] = {}
    if not (sim / "manifest.json").exists():
        _, elapsed, peak = measured(
            [*warden, "simulate", "--accounts", str(args.accounts), "--days", str(args.days),
             "--seed", str(args.seed), "--out", str(sim)],
            env,
        )  # fmt: skip
        simulation = {"seconds": round(elapsed, 1), "peak_rss_mb": round(peak / 2**20)}
    manifest = json.loads((sim / "manifest.json").read_text())
    messages = int(manifest["events"].get("message", 0))
    events = int(sum(manifest["events"].values()))

    runs: dict[str, Any] = {}
    for engine in args.engines.split(","):
        (args.workdir / "bench.db").unlink(missing_ok=True)
        result, elapsed, peak = measured(
            [*warden, "sweep", "--events", str(sim / "events"), "--campaign", "thunder-strike",
             "--shadow", "--truth", str(sim / "truth.parquet"), "--engine", engine,
             "--out", str(args.workdir / f"sweep-{engine}"), "--json"],
            env,
        )  # fmt: skip
        summary = json.loads(result.stdout)
        quality = summary.get("quality", {})
        runs[engine] = {
            "seconds": round(elapsed, 1),
            "messages_per_s": round(messages / elapsed),
            "events_per_s": round(events / elapsed),
            "peak_rss_mb": round(peak / 2**20),
            "steps_s": summary["timings_s"],
            "accounts_actioned": summary["accounts_actioned"],
            "actions": summary["counts"]["actions"],
            "rings": summary["rings"]["found"],
            "precision": quality.get("precision"),
            "recall": quality.get("recall"),
            "ordinary_share_actioned": quality.get("ordinary_share_actioned"),
            "ring_recovered": quality.get("rings", {}).get("recovered"),
            "ring_purity": quality.get("rings", {}).get("purity"),
            "per_role": quality.get("per_role"),
        }
    same = len({json.dumps(r["per_role"], sort_keys=True) for r in runs.values()}) == 1
    report = {
        "benchmark": "sweep",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "input": {
            "accounts": args.accounts,
            "days": args.days,
            "seed": args.seed,
            "messages": messages,
            "events": events,
        },
        "simulation": simulation,
        "engines": runs,
        "engines_agree_per_role": same,
        "targets": {
            "local_seconds": 120,
            "precision": 0.97,
            "recall": 0.90,
            "ordinary_share_actioned": 0.002,
            "ring_recovered": 0.95,
            "ring_purity": 0.95,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    parts = [
        f"{name}: {r['seconds']:.0f} s ({r['messages_per_s']:,} msg/s, peak {r['peak_rss_mb']:,} MB)"
        for name, r in runs.items()
    ]
    first = next(iter(runs.values()))
    print(
        f"sweep {messages:,} messages / {args.accounts:,} accounts — "
        + "; ".join(parts)
        + f"; precision {first['precision']:.4f} recall {first['recall']:.4f} ordinary "
        f"{first['ordinary_share_actioned'] * 100:.3f}% rings recovered "
        f"{(first['ring_recovered'] or 0) * 100:.1f}% purity {(first['ring_purity'] or 0) * 100:.1f}%"
        f"; engines agree: {same} → {args.out}"
    )


if __name__ == "__main__":
    main()
