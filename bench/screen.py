"""Screening benchmark: messages/s on one core, ratio to a bare Aho-Corasick scan, check latency.

Draws ≥ 50,000 real messages from ``$WARDEN_DATA_DIR/cn_spam_sms`` and ``sms_spam_uci``,
screens them with the team's lexicons plus every public list (``lexicons/catalogs/public.yaml``),
and compares with the practical floor: one pyahocorasick automaton holding the same
normalized terms, scanning the same normalized texts (joined, as the Screener does) with no
guards, no mapping back and no entities.

    python bench/screen.py [--messages 60000] [--repeat 3] [--out bench/results/screen.json]

Prints one line and writes JSON. Figures are medians over ``--repeat`` runs (the machine is
shared; medians are what to compare).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import ahocorasick

from warden.detect.screener import Screener
from warden.text.catalog import data_dir

ROOT = Path(__file__).resolve().parent.parent


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


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-samples", type=int, default=5_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "screen.json")
    args = parser.parse_args()
    if not (data_dir() / "cn_spam_sms").is_dir():
        print(f"skip: no datasets in {data_dir()} (set WARDEN_DATA_DIR)", file=sys.stderr)
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, honestly

    messages = load_messages(args.messages)
    start = time.perf_counter()
    screener = Screener.from_lexicons(catalogs=[ROOT / "lexicons" / "catalogs" / "public.yaml"])
    build_s = time.perf_counter() - start
    stats = screener.index.stats

    screen_runs = timed(lambda: screener.screen(messages), args.repeat)
    verdicts = screener.screen(messages)
    flagged = sum(v.flagged for v in verdicts)
    entities = sum(len(v.entities) for v in verdicts)

    normalized = screener.normalizer.normalize_batch(messages)
    bare = ahocorasick.Automaton()
    for key in screener.index.pattern_keys():
        bare.add_word(key, len(key))
    bare.make_automaton()
    joined = ["\x1e".join(normalized[i : i + 1024]) for i in range(0, len(normalized), 1024)]

    def bare_scan() -> int:
        hits = 0
        for chunk in joined:
            for _ in bare.iter(chunk):
                hits += 1
        return hits

    bare_runs = timed(bare_scan, args.repeat)

    latencies = []
    for text in messages[: args.latency_samples]:
        t0 = time.perf_counter()
        screener.check(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[int(len(latencies) * 0.99)]

    screen_s = statistics.median(screen_runs)
    bare_s = statistics.median(bare_runs)
    result = {
        "benchmark": "screen",
        "messages": len(messages),
        "lexicon_entries": stats.entries,
        "patterns": stats.patterns,
        "build_seconds": round(build_s, 2),
        "messages_per_second": round(len(messages) / screen_s),
        "bare_ahocorasick_messages_per_second": round(len(messages) / bare_s),
        "ratio_to_bare": round(screen_s / bare_s, 2),
        "check_p50_ms": round(p50, 3),
        "check_p99_ms": round(p99, 3),
        "flagged": flagged,
        "entities": entities,
        "runs_seconds": [round(s, 3) for s in screen_runs],
        "bare_runs_seconds": [round(s, 3) for s in bare_runs],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
        "targets": {"messages_per_second": 20_000, "ratio_to_bare": 5, "check_p99_ms": 5},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"screen: {result['messages_per_second']:,} msg/s on one core "
        f"({stats.entries:,} entries, {stats.patterns:,} patterns), "
        f"{result['ratio_to_bare']}x bare Aho-Corasick, check p50 {p50:.2f} ms p99 {p99:.2f} ms, "
        f"{flagged:,}/{len(messages):,} flagged -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
