"""Sweep benchmark: a simulated platform end to end, on the local engine and on Spark.

Simulates ``--accounts`` accounts over ``--days`` days (≈ 1 M messages at the defaults), then
runs ``warden sweep --shadow`` with the thunder-strike campaign and the simulator's ground
truth on each engine, as a user would (a separate process). Reports wall time, messages/s,
the peak memory of the whole process tree (workers, Spark's JVM and its Python workers
included; sampled every 0.2 s), the time of each step, and the account-level quality
against the truth.

    python bench/sweep.py [--accounts 20000] [--days 14] [--seed 7] [--engines local,spark]
                          [--repeat 1] [--models DIR] [--lexicons-baseline]
                          [--profile-shard] [--note TEXT]
                          [--workdir /tmp/warden-bench-sweep] [--out bench/results/sweep.json]

The default policy screens with the standard detectors (``models: [standard]``); they are
read from ``--models DIR`` (default: the settings' models path, passed on as
``WARDEN_MODELS_DIR``). When that directory holds no manifest the sweep screens with the
lexicons only — the summary line and the JSON say so.

``--profile-shard`` runs shard 0 of 2 of the local engine in this process under cProfile
(the same :func:`warden.sweep.shard.run_shard` a worker runs) and records where its time
goes: the share of the shard's main steps and the top functions by own time.

``--lexicons-baseline`` also sweeps on the local engine with the lexicons only (an empty
models directory), in the same rounds as the run with models, and reports the median ratio of
their times — what the detectors cost, with the machine's load shared by both.

With ``--repeat N`` the local engine runs N times (Spark, slow, once) and the median run is
reported (the lower one of an even count; all wall times are kept: the machine may be
shared). Prints one line and writes JSON. Targets
(issue 5): local ≤ 120 s for 1 M messages on two cores; precision ≥ 0.97 and recall ≥ 0.90
over abusive roles; < 0.2% of ordinary accounts actioned; ring members recovered ≥ 95% with
purity ≥ 95%.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from provenance import commit
from warden.detect.standard import manifest_path, read_manifest
from warden.settings import get_settings

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
    parser.add_argument(
        "--models", type=Path, default=None, help="standard detectors (default: settings)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per engine (the median is kept)"
    )
    parser.add_argument(
        "--lexicons-baseline",
        action="store_true",
        help="also sweep locally with lexicons only (no models), in the same rounds",
    )
    parser.add_argument("--profile-shard", action="store_true", help="cProfile shard 0 of 2")
    parser.add_argument("--note", default=None, help="stored in the JSON as is")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sweep.json")
    args = parser.parse_args()

    warden = [sys.executable, "-m", "warden"]
    sim = args.workdir / f"sim-{args.accounts}-{args.days}-{args.seed}"
    models_dir = (args.models or get_settings().models_path).expanduser().resolve()
    models: dict[str, Any] | None = None
    if manifest_path(models_dir).is_file():
        manifest_of = read_manifest(models_dir)
        detectors = [d["name"] for d in manifest_of["detectors"]]
        models = {"dir": str(models_dir), "detectors": detectors, "built": manifest_of["created"]}
    else:
        print(
            f"no standard detectors in {models_dir}: the sweep screens with lexicons only "
            "(build them with `warden models build`)",
            file=sys.stderr,
        )
    env = os.environ | {
        "WARDEN_DATABASE_URL": f"sqlite:///{args.workdir / 'bench.db'}",
        "WARDEN_MODELS_DIR": str(models_dir),
    }
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

    def sweep(engine: str, variant_env: dict[str, str]) -> tuple[float, int, dict[str, Any]]:
        (args.workdir / "bench.db").unlink(missing_ok=True)
        result, elapsed, peak = measured(
            [*warden, "sweep", "--events", str(sim / "events"), "--campaign", "thunder-strike",
             "--shadow", "--truth", str(sim / "truth.parquet"), "--engine", engine,
             "--out", str(args.workdir / f"sweep-{engine}"), "--json"],
            variant_env,
        )  # fmt: skip
        return elapsed, peak, json.loads(result.stdout)

    # local runs in rounds (with models, then lexicons only when asked), Spark once: slow
    engines = args.engines.split(",")
    attempts: dict[str, list[tuple[float, int, dict[str, Any]]]] = {}
    empty = args.workdir / "no-models"
    empty.mkdir(exist_ok=True)
    local_variants = [("local", env)] if "local" in engines else []
    if args.lexicons_baseline:
        local_variants.append(("local_lexicons_only", env | {"WARDEN_MODELS_DIR": str(empty)}))
    for _ in range(args.repeat):
        for name, variant_env in local_variants:
            attempts.setdefault(name, []).append(sweep("local", variant_env))
    for engine in engines:
        if engine != "local":
            attempts[engine] = [sweep(engine, env)]
    runs = {name: summarized(tries, messages, events) for name, tries in attempts.items()}
    if "local" in runs and "local_lexicons_only" in runs:
        runs["local"]["time_vs_lexicons_only"] = round(
            statistics.median(
                a[0] / b[0]
                for a, b in zip(attempts["local"], attempts["local_lexicons_only"], strict=True)
            ),
            2,
        )
    baseline = runs.pop("local_lexicons_only", None)
    same = len({json.dumps(r["per_role"], sort_keys=True) for r in runs.values()}) == 1
    report: dict[str, Any] = {
        "benchmark": "sweep",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "commit": commit(),
        "standard_detectors": models,
        "input": {
            "accounts": args.accounts,
            "days": args.days,
            "seed": args.seed,
            "messages": messages,
            "events": events,
        },
        "simulation": simulation,
        "engines": runs,
        "local_lexicons_only": baseline,
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
    if args.note:
        report["note"] = args.note
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")  # kept if profiling fails
    if args.profile_shard:
        os.environ["WARDEN_MODELS_DIR"] = str(models_dir)
        report["shard_profile"] = profile_shard(sim / "events")
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    parts = [
        f"{name}: {r['seconds']:.0f} s ({r['messages_per_s']:,} msg/s, peak {r['peak_rss_mb']:,} MB)"
        for name, r in runs.items()
    ]
    if baseline is not None:
        parts.append(
            f"local, lexicons only: {baseline['seconds']:.0f} s (with models "
            f"{runs['local']['time_vs_lexicons_only']}x that)"
        )
    if "shard_profile" in report:
        shard = report["shard_profile"]
        parts.append(f"shard 0/2 {shard['seconds']:.0f} s, screening {shard['screen_share']:.0%}")
    first = next(iter(runs.values()))
    print(
        f"sweep {messages:,} messages / {args.accounts:,} accounts, "
        + (f"{len(models['detectors'])} standard detectors" if models else "lexicons only")
        + " — "
        + "; ".join(parts)
        + f"; precision {first['precision']:.4f} recall {first['recall']:.4f} ordinary "
        f"{first['ordinary_share_actioned'] * 100:.3f}% rings recovered "
        f"{(first['ring_recovered'] or 0) * 100:.1f}% purity {(first['ring_purity'] or 0) * 100:.1f}%"
        f"; engines agree: {same} → {args.out}"
    )


def summarized(
    attempts: list[tuple[float, int, dict[str, Any]]], messages: int, events: int
) -> dict[str, Any]:
    """The median run (the lower one of an even count) with every run's wall time."""
    elapsed, peak, summary = sorted(attempts, key=lambda a: a[0])[(len(attempts) - 1) // 2]
    quality = summary.get("quality", {})
    return {
        "seconds": round(elapsed, 1),
        "runs_seconds": [round(a[0], 1) for a in attempts],
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


#: what a shard spends its time on (cumulative, so they overlap only where one calls another)
SHARD_STEPS = (
    ("screener.py", "screen", "screen (Screener.screen)"),
    ("features.py", "fold", "fold (FeatureFolder.fold)"),
    ("features.py", "features", "feature rows (FeatureFolder.features)"),
    ("gate.py", "may_fire", "gate (Gate.may_fire)"),
    ("shard.py", "_parsed", "parse events (_parsed)"),
    ("shard.py", "_author_output", "author output (_author_output)"),
)


def profile_shard(events: Path, shard: int = 0, shards: int = 2) -> dict[str, Any]:
    """Shard ``shard`` of ``shards`` of a thunder-strike sweep, as a local worker runs it,
    timed plainly and then under cProfile."""
    import pyarrow as pa

    from warden.enforce.ingest import screener_for
    from warden.policy import load_pack
    from warden.policy.default import default_pack_path
    from warden.sweep.pipeline import RING_NAMES, since_table
    from warden.sweep.shard import run_shard
    from warden.sweep.table import event_files, load_events, routed_to

    pack = load_pack(default_pack_path())
    campaign = pack.campaign("thunder-strike")
    table = load_events(event_files(events))
    since = since_table(table)
    gate = pack.gate(campaign, unknown=RING_NAMES)
    screener = screener_for(pack)
    rows = table.filter(pa.array(routed_to(table, shard, shards)))

    def run() -> None:
        run_shard(rows, shard, shards, screener, pack.categories, since, None, gate)

    screening = 0.0
    screen = screener.screen

    def timed_screen(texts: Any) -> Any:
        nonlocal screening
        t0 = time.perf_counter()
        try:
            return screen(texts)
        finally:
            screening += time.perf_counter() - t0

    screener.screen = timed_screen  # type: ignore[method-assign]
    started = time.perf_counter()
    run()
    plain = time.perf_counter() - started
    del screener.screen  # the class's method again
    profiler = cProfile.Profile()
    profiler.runcall(run)
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    overall = sum(row[2] for row in entries.values())
    steps: dict[str, float] = {}
    for (file, _line, name), row in entries.items():
        for suffix, function, label in SHARD_STEPS:
            if file.endswith(suffix) and name == function:
                steps[label] = round(steps.get(label, 0.0) + row[3] / overall, 3)
    top = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:25]
    return {
        "shard": f"{shard} of {shards}",
        "rows": rows.num_rows,
        "models": len(screener.models),
        "seconds": round(plain, 1),
        "screen_seconds": round(screening, 1),
        "screen_share": round(screening / plain, 3),
        "profiled_seconds": round(overall, 1),
        "step_share": steps,
        "top_own_time": [
            {
                "function": f"{Path(file).name}:{line}({name})" if line else name,
                "calls": row[1],
                "own_share": round(row[2] / overall, 3),
                "cumulative_share": round(row[3] / overall, 3),
            }
            for (file, line, name), row in top
        ],
    }


if __name__ == "__main__":
    main()
