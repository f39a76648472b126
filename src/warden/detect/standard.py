"""The standard detectors: one calibrated classifier per harm, trained from the shared data.

``warden models build`` trains them (:func:`build`) into the models directory
(``WARDEN_MODELS_DIR``, default ``$WARDEN_HOME/models``) with a ``manifest.json`` that names
every data file (with its SHA-256), every detector's recipe and its figures on the held-out
rows (:mod:`warden.detect.split`). Models are never committed — the licences of the data
vary — the recipe below is, and setup builds the models.

A recipe says which ``(dataset, raw label)`` pairs are the detector's positives, which are
left out (neither positive nor negative: a mixed label such as unsorted "spam" would teach a
fraud detector that some fraud is clean), and treats every other training row as a
negative. All detectors share one featurization (hashed n-grams, one IDF over the training
rows), so training them together costs one pass over the text, and so does screening with
them (:class:`~warden.detect.screener.Screener` featurizes once per n-gram setting).

Reading a built set — the manifest, ``models: [standard]`` turned into files — is
:mod:`warden.detect.manifest` (re-exported here), which screening imports without the
training machinery.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from warden.detect.classifier import (
    CLEAN,
    F32,
    TextClassifier,
    featurize,
    fingerprint,
    fit_idf,
    platt,
    reweigh,
)
from warden.detect.corpora import READERS, Row, read
from warden.detect.features import NgramConfig
from warden.detect.manifest import BUILD_COMMAND as BUILD_COMMAND
from warden.detect.manifest import MANIFEST as MANIFEST
from warden.detect.manifest import MANIFEST_FORMAT as MANIFEST_FORMAT
from warden.detect.manifest import MANIFEST_VERSION as MANIFEST_VERSION
from warden.detect.manifest import STANDARD as STANDARD
from warden.detect.manifest import manifest_path as manifest_path
from warden.detect.manifest import read_manifest as read_manifest
from warden.detect.manifest import resolve_models as resolve_models
from warden.detect.manifest import standard_files as standard_files
from warden.errors import ModelError
from warden.text.normalize import Normalizer

#: The standard detectors' n-grams: the defaults, with digits read as 0 (see NgramConfig).
STANDARD_NGRAMS = NgramConfig(digits=1)
#: liblinear iterations: enough to converge on every recipe (the default 1,000 is not)
MAX_ITER = 5000

Pair = tuple[str, str]  # (dataset, raw label)


def _pairs(source: str, *labels: str) -> frozenset[Pair]:
    return frozenset((source, label) for label in labels)


FG = "cn_spam_finegrained"
FG_ADS = _pairs(FG, "AD_Retail", "AD_Network_service", "AD_Other", "AD_Real_estate", "AD_Loan")
FG_FRAUD = _pairs(FG, "FR_Phishing(Bank)", "FR_Phishing(Other)", "FR_Financial", "FR_Other")
FG_ILLEGAL = _pairs(
    FG, "IL_Gambling", "IL_Fake_ID_and_invoice", "IL_Escort_service", "IL_Political_propaganda"
)
CAT_FRAUD = _pairs("cn_spam_categories", "loan_fraud", "bank_impersonation")
CAT_ADS = _pairs(
    "cn_spam_categories", "ad_services", "ad_real_estate", "ad_recruiting", "ad_used_cars"
)
#: Labelled feedback from the platform (Akismet's submit-spam/submit-ham, the ``feedback``
#: table): spam is unsorted spam like the SMS corpora's; ham is clean for every detector.
FEEDBACK = "feedback"
UNSORTED_SPAM = (
    _pairs("cn_spam_sms", "1")
    | _pairs("sms_spam_uci", "spam")
    | _pairs(FG, "Other")
    | _pairs(FEEDBACK, "spam")
)


@dataclass(frozen=True, slots=True)
class Recipe:
    """How one standard detector is trained: its positives, what it leaves out, its ``C``.

    ``C`` was chosen by the MCC of 5-fold cross-validation on the training rows (never on
    held-out rows) when the recipe was written; ``balanced`` weighs the classes inversely to
    their size, for detectors with a few dozen positives."""

    name: str
    category: str
    description: str
    positives: frozenset[Pair]
    excluded: frozenset[Pair] = frozenset()
    c: float = 1.0
    balanced: bool = False

    def label_of(self, row: Row) -> str | None:
        """``category``, ``clean``, or None when the row is left out of this detector."""
        pair = (row.source, row.label)
        if pair in self.positives:
            return self.category
        if pair in self.excluded:
            return None
        return CLEAN


RECIPES: tuple[Recipe, ...] = (
    Recipe(
        "fraud",
        "fraud",
        "Scams: bank and other phishing, loan fraud (fees before the loan), bank and "
        "customer-service impersonation, transfers to named accounts, financial scams.",
        FG_FRAUD | CAT_FRAUD,
        excluded=UNSORTED_SPAM | _pairs(FG, "IL_Fake_ID_and_invoice"),
    ),
    Recipe(
        "fake_documents",
        "fraud",
        "Sellers of fake IDs, certificates and invoices (代开发票, 办证).",
        _pairs(FG, "IL_Fake_ID_and_invoice"),
        excluded=UNSORTED_SPAM,
        balanced=True,
    ),
    Recipe(
        "gambling",
        "gambling",
        "Gambling promotion: online casinos, betting sites, agents, sign-up bonuses.",
        _pairs(FG, "IL_Gambling"),
        excluded=UNSORTED_SPAM,
    ),
    Recipe(
        "sexual_services",
        "sexual_services",
        "Escort and sexual-service ads (few public examples: the team's lexicons carry most "
        "of this category; this detector adds what they miss).",
        _pairs(FG, "IL_Escort_service"),
        excluded=UNSORTED_SPAM,
        balanced=True,
    ),
    Recipe(
        "spam",
        "spam",
        "Unsolicited bulk messages in Chinese and English: ads, prize and subscription spam, "
        "smishing — every kind of spam row (ads, fraud, gambling …) against ordinary messages.",
        UNSORTED_SPAM | FG_ADS | FG_FRAUD | FG_ILLEGAL | CAT_FRAUD | CAT_ADS,
    ),
    Recipe(
        "harassment",
        "harassment",
        "Insults, hate and offensive language in Chinese (COLD) and English (Davidson et al.).",
        _pairs("cn_offensive_cold", "1") | _pairs("en_hate_davidson", "hate", "offensive"),
        c=0.3,
    ),
)


# -- building ------------------------------------------------------------------------------

Step = Callable[[str], None]


def build(
    data_dir: Path,
    out: Path,
    *,
    recipes: Sequence[Recipe] = RECIPES,
    exclude_sources: Iterable[str] = (),
    config: NgramConfig | None = None,
    folds: int = 3,
    max_rows: int | None = None,
    progress: Step | None = None,
    feedback: Sequence[Row] = (),
) -> dict[str, Any]:
    """Train ``recipes`` on the non-held-out rows of ``data_dir``; write models + manifest.

    ``feedback`` rows (:func:`warden.detect.feedback.feedback_rows`: the platform's own
    labelled spam and ham) join the training rows only — never the held-out figures, which
    stay comparable between builds; the manifest counts them and fingerprints their texts.

    ``exclude_sources`` leaves whole datasets out of training *and* evaluation (to measure
    a detector on a collection it has never seen; a detector whose positives all come from
    left-out datasets is skipped and named in the manifest); ``max_rows`` keeps a stable subsample
    of the training rows (for tests). Returns the manifest."""
    step = progress or (lambda _message: None)
    excluded = set(exclude_sources)
    unknown = excluded - set(READERS)
    if unknown:
        raise ModelError(f"--exclude: {sorted(unknown)} not among the datasets {sorted(READERS)}")
    sources = tuple(s for s in READERS if s not in excluded)
    step("reading the datasets")
    rows = read(data_dir, sources)
    training = [r for r in rows if not r.held_out] + [r for r in feedback if not r.held_out]
    held = [r for r in rows if r.held_out]
    if max_rows is not None and len(training) > max_rows:
        keep = sorted(
            range(len(training)),
            key=lambda i: hashlib.blake2b(training[i].text.encode(), digest_size=8).digest(),
        )[:max_rows]
        training = [training[i] for i in sorted(keep)]
    config = config or STANDARD_NGRAMS
    normalizer = Normalizer()
    step(f"featurizing {len(training):,} training and {len(held):,} held-out texts")
    raw = featurize(normalizer, config, [r.text for r in training], None)
    idf = fit_idf(raw)
    features = reweigh(raw, idf)
    held_features = reweigh(featurize(normalizer, config, [r.text for r in held], None), idf)
    out.mkdir(parents=True, exist_ok=True)
    files = sorted({(r.source, r.file) for r in rows})
    data_files = [
        {"dataset": source} | fingerprint(data_dir / relative) | {"path": relative}
        for source, relative in files
    ]
    detectors = []
    skipped = [r.name for r in recipes if {s for s, _ in r.positives} <= excluded]
    for recipe in recipes:
        if recipe.name in skipped:  # every positive is in a dataset left out
            continue
        step(f"training {recipe.name}")
        model, figures = _train_one(
            recipe, training, features, held, held_features, idf, config, folds, data_files
        )
        path = out / f"{recipe.name}.wdm"
        model.save(path)
        detectors.append(
            {
                "name": recipe.name,
                "category": recipe.category,
                "description": recipe.description,
                "file": path.name,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "positives": sorted(f"{s}:{label}" for s, label in recipe.positives),
                "excluded": sorted(f"{s}:{label}" for s, label in recipe.excluded),
                "C": recipe.c,
                "class_weight": "balanced" if recipe.balanced else None,
                "training_rows": model.meta["training_rows"],
                "label_counts": model.meta["label_counts"],
                "held_out": figures,
            }
        )
    manifest = {
        "format": MANIFEST_FORMAT,
        "format_version": MANIFEST_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir),
        "excluded_datasets": sorted(excluded),
        "skipped_detectors": skipped,
        "max_rows": max_rows,
        "ngrams": config.to_dict(),
        "data_files": data_files,
        "held_out_rule": "published val/dev split where one exists, else CRC-32(text) % 5 == 0",
        "feedback": feedback_summary(feedback),
        "detectors": detectors,
    }
    manifest_path(out).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def feedback_summary(rows: Sequence[Row]) -> dict[str, Any]:
    """How many feedback rows of each label trained the models, and a hash of their texts
    (which feedback went in, without copying it into the manifest)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(f"{row.label}\t{row.text}\n".encode())
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.label] = counts.get(row.label, 0) + 1
    return {"rows": len(rows), "labels": counts, "sha256": digest.hexdigest() if rows else None}


def _train_one(
    recipe: Recipe,
    training: Sequence[Row],
    features: sp.csr_matrix,
    held: Sequence[Row],
    held_features: sp.csr_matrix,
    idf: F32,
    config: NgramConfig,
    folds: int,
    data_files: list[dict[str, Any]],
) -> tuple[TextClassifier, dict[str, Any]]:
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    labels = [recipe.label_of(r) for r in training]
    index = np.array([i for i, label in enumerate(labels) if label is not None])
    y = np.array([labels[i] == recipe.category for i in index], dtype=int)
    if y.sum() < folds or (len(y) - y.sum()) < folds:
        raise ModelError(
            f"detector {recipe.name!r}: {int(y.sum())} positive and {int(len(y) - y.sum())} "
            f"negative training rows; expected at least {folds} of each (is a dataset missing?)"
        )
    x = features[index]
    weight = "balanced" if recipe.balanced else None
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    margins = cross_val_predict(
        LinearSVC(C=recipe.c, class_weight=weight, max_iter=MAX_ITER),
        x,
        y,
        cv=cv,
        method="decision_function",
    )
    slope, offset = platt(np.asarray(margins, dtype=np.float64), y)
    svm = LinearSVC(C=recipe.c, class_weight=weight, max_iter=MAX_ITER).fit(x, y)
    counts = {CLEAN: int(len(y) - y.sum()), recipe.category: int(y.sum())}
    model = TextClassifier(
        (CLEAN, recipe.category),
        config,
        idf,
        np.asarray(svm.coef_, dtype=np.float32),
        np.asarray(svm.intercept_, dtype=np.float32),
        np.array([[slope, offset]], dtype=np.float32),
        {
            "name": recipe.name,
            "label_map": {},
            "training_data": data_files,
            "training_rows": len(y),
            "label_counts": counts,
            "hyperparameters": {
                "model": "linear_svm",
                "C": recipe.c,
                "class_weight": weight,
                "ngrams": config.to_dict(),
                "calibration_folds": folds,
            },
            "recipe": recipe.name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    return model, _held_out_figures(recipe, model, held, held_features)


def _held_out_figures(
    recipe: Recipe, model: TextClassifier, held: Sequence[Row], held_features: sp.csr_matrix
) -> dict[str, Any]:
    """Precision, recall, F1 and MCC at p ≥ 0.5, PR-AUC, overall and per dataset."""
    from sklearn.metrics import average_precision_score, matthews_corrcoef

    labels = [recipe.label_of(r) for r in held]
    index = np.array([i for i, label in enumerate(labels) if label is not None], dtype=int)
    if len(index) == 0:
        return {"rows": 0}
    y = np.array([labels[i] == recipe.category for i in index], dtype=int)
    p = model.proba_from_margins(model._margins_of(held_features[index]))[:, 1]

    def figures(mask: npt.NDArray[np.bool_]) -> dict[str, Any]:
        truth, score = y[mask], p[mask]
        predicted = score >= 0.5
        tp = int((predicted & (truth == 1)).sum())
        fp = int((predicted & (truth == 0)).sum())
        fn = int((~predicted & (truth == 1)).sum())
        out: dict[str, Any] = {
            "rows": int(mask.sum()),
            "positives": int(truth.sum()),
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "false_positive_rate": round(fp / int((truth == 0).sum()), 5)
            if (truth == 0).any()
            else None,
        }
        if 0 < truth.sum() < len(truth):
            out["f1"] = round(2 * tp / (2 * tp + fp + fn), 4)
            out["mcc"] = round(float(matthews_corrcoef(truth, predicted)), 4)
            out["pr_auc"] = round(float(average_precision_score(truth, score)), 4)
        return out

    sources = np.array([held[i].source for i in index])
    result = figures(np.ones(len(index), dtype=bool))
    result["per_dataset"] = {s: figures(sources == s) for s in sorted(set(sources.tolist()))}
    return result
