"""Screening benchmark: messages/s on one core, ratio to a bare Aho-Corasick scan, check latency.

Draws ≥ 50,000 real messages from ``$WARDEN_DATA_DIR/cn_spam_sms`` and ``sms_spam_uci``,
screens them with the team's lexicons plus every public list (``lexicons/catalogs/public.yaml``),
and compares with the practical floor: one pyahocorasick automaton holding the same
normalized terms, scanning the same normalized texts (joined, as the Screener does) with no
guards, no mapping back and no entities.

Two rows: lexicons and entities only, and the same **with the standard detectors**
(``warden models build``) read from ``--models DIR`` (default: the settings' models path,
``WARDEN_MODELS_DIR``). When that directory holds no manifest the models row is skipped and
the summary says so — there is no silent fallback to lexicons only.

    python bench/screen.py [--messages 60000] [--repeat 5] [--models DIR] [--profile]
                           [--out bench/results/screen.json]

``--profile`` adds where the time goes when screening with models: the share of each stage
of a batch (fold, lexicon match, entities, model scores, verdicts; wall time, no profiler
overhead) and cProfile's top functions by own time.

Prints one line and writes JSON. The runs are interleaved in ``--repeat`` rounds (bare scan,
lexicons, lexicons + models), and figures are medians — ratios are medians of the ratios
within a round (the machine is shared; a round's runs share its load).
``cpu_messages_per_second`` divides by the process's CPU time instead of wall time.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ahocorasick

from provenance import commit
from warden.detect.screener import Screener
from warden.detect.standard import manifest_path, read_manifest, standard_files
from warden.settings import get_settings
from warden.text.catalog import data_dir

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"messages_per_second": 20_000, "ratio_to_bare": 5, "check_p99_ms": 5}


def load_messages(limit: int) -> list[str]:
    """Interleave Chinese and English SMS until ``limit`` messages (recycling the English set)."""
    base = data_dir()
    chinese = [
        line.split("\t", 1)[1]
        for line in (base / "cn_spam_sms" / "labeled.tsv").read_text(encoding="utf-8").splitlines()
        if "\t" in line
    ]
    english = [
        line.split("\t", 1)[1]
        for line in (base / "sms_spam_uci" / "SMSSpamCollection")
        .read_text(encoding="utf-8")
        .splitlines()
        if "\t" in line
    ]
    messages: list[str] = []
    for i in range(limit):
        messages.append(chinese[i % len(chinese)] if i % 4 else english[(i // 4) % len(english)])
    return messages


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def rounds(
    bare: Callable[[], object], screeners: dict[str, Screener], messages: list[str], repeat: int
) -> dict[str, dict[str, list[float]]]:
    """``repeat`` rounds of: the bare scan, then each screener over every message. Runs of a
    round are close in time, so the ratios of one round share the machine's mood."""
    for screener in screeners.values():
        screener.screen(messages[:2048])  # warm caches (lazy tables, first allocations)
    runs: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "cpu": []} for name in ("bare", *screeners)
    }
    for _ in range(repeat):
        for name, fn in [("bare", bare)] + [
            (name, functools.partial(screener.screen, messages))
            for name, screener in screeners.items()
        ]:
            wall, cpu = timed(fn, 1)
            runs[name]["wall"] += wall
            runs[name]["cpu"] += cpu
    return runs


def row(
    screener: Screener,
    messages: list[str],
    runs: dict[str, list[float]],
    bare: list[float],
    samples: int,
) -> dict[str, Any]:
    """Batch throughput (medians), single-message latency, what was found."""
    verdicts = screener.screen(messages)
    latencies = []
    for text in messages[:samples]:
        t0 = time.perf_counter()
        screener.check(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    return {
        "messages_per_second": round(len(messages) / statistics.median(runs["wall"])),
        "cpu_messages_per_second": round(len(messages) / statistics.median(runs["cpu"])),
        "ratio_to_bare": round(paired(runs["wall"], bare), 2),
        "check_p50_ms": round(latencies[len(latencies) // 2], 3),
        "check_p99_ms": round(latencies[int(len(latencies) * 0.99)], 3),
        "flagged": sum(v.flagged for v in verdicts),
        "entities": sum(len(v.entities) for v in verdicts),
        "with_model_scores": sum(bool(v.models) for v in verdicts),
        "runs_seconds": [round(s, 3) for s in runs["wall"]],
        "cpu_runs_seconds": [round(s, 3) for s in runs["cpu"]],
    }


def paired(numerators: list[float], denominators: list[float]) -> float:
    """The median of per-round ratios."""
    return statistics.median(a / b for a, b in zip(numerators, denominators, strict=True))


def bare_scanner(screener: Screener, messages: list[str]) -> Callable[[], int]:
    """The floor: one automaton of the same normalized keys over the same normalized texts."""
    normalized = screener.normalizer.normalize_batch(messages)
    bare = ahocorasick.Automaton()
    for key in screener.index.pattern_keys():
        bare.add_word(key, len(key))
    bare.make_automaton()
    joined = ["\x1e".join(normalized[i : i + 1024]) for i in range(0, len(normalized), 1024)]

    def scan() -> int:
        hits = 0
        for chunk in joined:
            for _ in bare.iter(chunk):
                hits += 1
        return hits

    return scan


#: the stages of one batch, as the Screener names them (wrapped only under --profile)
STAGES = (
    ("normalizer", "fold_batch", "fold"),
    ("index", "match_batch", "lexicon match"),
    ("", "_entities", "entities"),
    ("", "_model_scores", "model scores"),
    ("", "_verdict", "verdicts (incl. intent)"),
)


def profile(screener: Screener, messages: list[str], repeat: int) -> dict[str, Any]:
    """Where screening with models spends its time: stage shares, then cProfile's top."""
    spent: Counter[str] = Counter()
    for owner_name, method, label in STAGES:
        owner = getattr(screener, owner_name) if owner_name else screener
        inner = getattr(owner, method)

        def wrapped(*args: Any, _inner: Any = inner, _label: str = label, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return _inner(*args, **kw)
            finally:
                spent[_label] += time.perf_counter() - t0

        setattr(owner, method, wrapped)
    try:
        wall, _ = timed(lambda: screener.screen(messages), repeat)
    finally:
        for owner_name, method, _label in STAGES:
            owner = getattr(screener, owner_name) if owner_name else screener
            delattr(owner, method)
    total = sum(wall)
    stages = {label: round(spent[label] / total, 3) for _, _, label in STAGES}
    stages["rest (batching, lists)"] = round(1 - sum(stages.values()), 3)

    profiler = cProfile.Profile()
    profiler.enable()
    screener.screen(messages)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    overall = sum(row[2] for row in entries.values())
    top = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:20]
    functions = [
        {
            "function": f"{Path(file).name}:{line}({name})" if line else name,
            "calls": row[1],
            "own_share": round(row[2] / overall, 3),
            "cumulative_share": round(row[3] / overall, 3),
        }
        for (file, line, name), row in top
    ]
    return {"stage_share": stages, "stage_seconds_per_run": round(total / repeat, 3),
            "top_own_time": functions}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency-samples", type=int, default=5_000)
    parser.add_argument(
        "--models", type=Path, default=None, help="standard detectors (default: settings)"
    )
    parser.add_argument("--profile", action="store_true", help="profile screening with models")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "screen.json")
    args = parser.parse_args()
    if not (data_dir() / "cn_spam_sms").is_dir():
        print(f"skip: no datasets in {data_dir()} (set WARDEN_DATA_DIR)", file=sys.stderr)
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, honestly
    models_dir = (args.models or get_settings().models_path).expanduser().resolve()

    messages = load_messages(args.messages)
    catalogs = [ROOT / "lexicons" / "catalogs" / "public.yaml"]
    start = time.perf_counter()
    screener = Screener.from_lexicons(catalogs=catalogs)
    build_s = time.perf_counter() - start
    stats = screener.index.stats
    screeners = {"lexicons": screener}
    with_models: dict[str, Any]
    if manifest_path(models_dir).is_file():
        files = standard_files(models_dir)
        start = time.perf_counter()
        screeners["models"] = Screener.from_lexicons(catalogs=catalogs, models=files)
        with_models = {
            "models_dir": str(models_dir),
            "models_built": read_manifest(models_dir)["created"],
            "detectors": [f.stem for f in files],
            "build_seconds": round(time.perf_counter() - start, 2),
        }
    else:
        with_models = {
            "skipped": f"no standard detectors in {models_dir} (no {manifest_path(models_dir).name}); "
            "build them with `warden models build` or pass --models DIR"
        }
        print(f"models row skipped: {with_models['skipped']}", file=sys.stderr)

    runs = rounds(bare_scanner(screener, messages), screeners, messages, args.repeat)
    bare_runs = runs["bare"]["wall"]
    lexicons = row(screener, messages, runs["lexicons"], bare_runs, args.latency_samples)
    if "models" in screeners:
        modelled = screeners["models"]
        with_models |= row(modelled, messages, runs["models"], bare_runs, args.latency_samples)
        with_models["cost_vs_lexicons"] = round(
            paired(runs["models"]["wall"], runs["lexicons"]["wall"]), 2
        )
        with_models["targets_met"] = _met(with_models)
        if args.profile:
            with_models["profile"] = profile(modelled, messages, max(1, args.repeat // 2))

    result = {
        "benchmark": "screen",
        "messages": len(messages),
        "lexicon_entries": stats.entries,
        "patterns": stats.patterns,
        "build_seconds": round(build_s, 2),
        **lexicons,
        "bare_ahocorasick_messages_per_second": round(len(messages) / statistics.median(bare_runs)),
        "bare_runs_seconds": [round(s, 3) for s in bare_runs],
        "targets_met": _met(lexicons),
        "with_models": with_models,
        "commit": commit(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
        "targets": TARGETS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if "skipped" in with_models:
        modelled_part = "models row skipped (no standard detectors)"
    else:
        modelled_part = (
            f"with models {with_models['messages_per_second']:,} msg/s "
            f"({with_models['ratio_to_bare']}x bare, {with_models['cost_vs_lexicons']}x the "
            f"time without, p99 {with_models['check_p99_ms']:.2f} ms)"
        )
    print(
        f"screen: {lexicons['messages_per_second']:,} msg/s on one core "
        f"({stats.entries:,} entries, {stats.patterns:,} patterns), "
        f"{lexicons['ratio_to_bare']}x bare Aho-Corasick, check p50 {lexicons['check_p50_ms']:.2f} ms "
        f"p99 {lexicons['check_p99_ms']:.2f} ms, {lexicons['flagged']:,}/{len(messages):,} flagged; "
        f"{modelled_part} -> {args.out}"
    )
    return 0


def _met(row: dict[str, Any]) -> dict[str, bool]:
    return {
        "messages_per_second": row["messages_per_second"] >= TARGETS["messages_per_second"],
        "ratio_to_bare": row["ratio_to_bare"] <= TARGETS["ratio_to_bare"],
        "check_p99_ms": row["check_p99_ms"] <= TARGETS["check_p99_ms"],
    }


if __name__ == "__main__":
    raise SystemExit(main())
