"""How good a classifier is, in the numbers trust-and-safety teams report.

Never bare accuracy (calling every SMS ham already scores 87%): precision, recall, F1 and
MCC per class and macro, ROC-AUC and PR-AUC for binary models, the confusion matrix, and the
operating point a policy needs — the threshold that keeps the false-positive rate under a
budget (``--max-fpr``) and the recall left at that threshold.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from warden.detect.classifier import CLEAN, TextClassifier, TrainingSet, train
from warden.detect.features import NgramConfig
from warden.errors import ModelError


def metrics(
    labels: Sequence[str],
    truth: Sequence[str],
    proba: npt.NDArray[np.float64],
    *,
    max_fpr: float = 0.01,
) -> dict[str, Any]:
    """Every figure for predictions ``proba`` (texts × labels) against ``truth``."""
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        confusion_matrix,
        matthews_corrcoef,
        precision_recall_fscore_support,
        roc_auc_score,
        roc_curve,
    )

    label_list = list(labels)
    y = np.array([label_list.index(t) for t in truth])
    predicted = proba.argmax(axis=1)
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=range(len(label_list)), zero_division=0
    )
    macro = precision_recall_fscore_support(
        y, predicted, labels=range(len(label_list)), average="macro", zero_division=0
    )
    result: dict[str, Any] = {
        "rows": len(y),
        "accuracy": float(accuracy_score(y, predicted)),
        "mcc": float(matthews_corrcoef(y, predicted)),
        "macro": {"precision": float(macro[0]), "recall": float(macro[1]), "f1": float(macro[2])},
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(label_list)
        },
        "confusion": {
            "labels": label_list,
            "matrix": confusion_matrix(y, predicted, labels=range(len(label_list))).tolist(),
        },
    }
    if len(label_list) == 2 and 0 < y.sum() < len(y):
        score = proba[:, 1]
        fpr, tpr, thresholds = roc_curve(y, score)
        within = np.flatnonzero(fpr <= max_fpr)
        best = within[np.argmax(tpr[within])]
        result |= {
            "positive": label_list[1],
            "roc_auc": float(roc_auc_score(y, score)),
            "pr_auc": float(average_precision_score(y, score)),
            "at_max_fpr": {
                "max_fpr": max_fpr,
                "threshold": float(min(thresholds[best], 1.0)),
                "recall": float(tpr[best]),
                "fpr": float(fpr[best]),
            },
        }
    return result


def evaluate(model: TextClassifier, data: TrainingSet, *, max_fpr: float = 0.01) -> dict[str, Any]:
    """Score ``model`` on ``data``; labels the model does not know are an error, not a guess."""
    unknown = sorted(set(data.labels) - set(model.labels))
    if unknown:
        raise ModelError(
            f"evaluation labels {unknown} are not among the model's labels {list(model.labels)}; "
            "map them with --map LABEL=CATEGORY"
        )
    proba = model.predict_proba(data.texts)
    return metrics(model.labels, data.labels, proba, max_fpr=max_fpr)


def cross_validate(
    data: TrainingSet,
    folds: int,
    *,
    config: NgramConfig | None = None,
    c: float | None = None,
    class_weight: str | None = None,
    max_fpr: float = 0.01,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Stratified K-fold: train on K−1 folds, score the held-out one; mean ± sd of each figure."""
    from sklearn.model_selection import StratifiedKFold

    if folds < 2:
        raise ModelError(f"--cv: {folds} folds; expected at least 2")
    y = np.array(data.labels)
    runs: list[dict[str, Any]] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for number, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(y)), y)):
        part = TrainingSet([data.texts[i] for i in train_idx], [data.labels[i] for i in train_idx])
        model = train(part, config=config, c=c, class_weight=class_weight)
        held = TrainingSet([data.texts[i] for i in test_idx], [data.labels[i] for i in test_idx])
        runs.append(evaluate(model, held, max_fpr=max_fpr))
        if progress is not None:
            progress(number + 1)
    return summarize(runs)


def summarize(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean and standard deviation of each headline figure over cross-validation runs."""

    def spread(values: Sequence[float]) -> dict[str, float]:
        return {
            "mean": statistics.fmean(values),
            "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        }

    labels = list(runs[0]["per_class"])
    out: dict[str, Any] = {
        "folds": len(runs),
        "accuracy": spread([r["accuracy"] for r in runs]),
        "mcc": spread([r["mcc"] for r in runs]),
        "macro": {k: spread([r["macro"][k] for r in runs]) for k in ("precision", "recall", "f1")},
        "per_class": {
            label: {
                k: spread([r["per_class"][label][k] for r in runs])
                for k in ("precision", "recall", "f1")
            }
            for label in labels
        },
    }
    if all("roc_auc" in r for r in runs):
        out["roc_auc"] = spread([r["roc_auc"] for r in runs])
        out["pr_auc"] = spread([r["pr_auc"] for r in runs])
    return out


def positive_f1(result: dict[str, Any]) -> float:
    """F1 of the positive (non-clean) class of a binary evaluation."""
    labels = [label for label in result["per_class"] if label != CLEAN]
    return float(result["per_class"][labels[0]]["f1"])
