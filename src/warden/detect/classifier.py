"""Learned text classifiers: hashed n-grams, a linear SVM, calibrated probabilities.

Why this model: on every labelled set in ``$WARDEN_DATA_DIR`` a linear SVM over TF-IDF
weighted hashed character (1–4) and word (1–2) n-grams matched or beat logistic regression
and trained 10–100× faster (``bench/quality.py`` records the comparison). SVM margins are not
probabilities, so each class gets a sigmoid fitted on *cross-validated* margins (Platt
scaling): a score of 0.9 means what it says, which the policy's thresholds rely on.

Text goes through the same :class:`~warden.text.normalize.Normalizer` as the lexicons (its
``spaced`` form), so evasion that fools nothing else does not fool the model either.

The model file is a ``.npz`` archive of plain arrays plus one JSON header, read with
``allow_pickle=False``: a model file is untrusted input and loading one never runs code.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from warden.detect.features import HashedNgrams, NgramConfig
from warden.detect.signals import signal_tokens
from warden.errors import ModelError
from warden.text.normalize import FoldedBatch, Normalizer

FORMAT = "warden-text-classifier"
FORMAT_VERSION = 1
CLEAN = "clean"
F32 = npt.NDArray[np.float32]
_ARRAYS = ("idf", "coef", "intercept", "calibration")


_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


def model_inputs(batch: FoldedBatch, config: NgramConfig) -> list[str]:
    """What a model reads: each text's ``spaced`` form (digits as 0 when ``config.digits``),
    plus its surface-signal markers."""
    spaced = batch.spaced()
    if config.digits:  # one translate for the batch, not one per text
        spaced = "\x1e".join(spaced).translate(_DIGITS_AS_ZERO).split("\x1e")
    if not config.signals:
        return spaced
    markers = signal_tokens([folded.original for folded in batch.texts])
    return [text + marker for text, marker in zip(spaced, markers, strict=True)]


def ngram_counts(batch: FoldedBatch, config: NgramConfig) -> sp.csr_matrix:
    """Raw hashed n-gram counts of a folded batch, as a model with ``config`` reads it."""
    return HashedNgrams(config).counts(model_inputs(batch, config))


def featurize(
    normalizer: Normalizer, config: NgramConfig, texts: Sequence[str], idf: F32 | None
) -> sp.csr_matrix:
    """Sublinear TF × IDF, L2-normalized rows (the classic text-classification recipe)."""
    inputs: list[str] = []
    for start in range(0, len(texts), 2048):
        batch = normalizer.fold_batch(texts[start : start + 2048])
        inputs.extend(model_inputs(batch, config))
    return _weigh(HashedNgrams(config), inputs, idf)


def _weigh(ngrams: HashedNgrams, spaced: Sequence[str], idf: F32 | None) -> sp.csr_matrix:
    """Feature rows for texts already in the Normalizer's ``spaced`` form."""
    counts = ngrams.counts(spaced)
    data = np.log1p(counts.data)
    return _unit_rows(counts, data if idf is None else data * idf[counts.indices])


def reweigh(weighted: sp.csr_matrix, idf: F32) -> sp.csr_matrix:
    """Apply ``idf`` to rows featurized without it (saves folding the training set twice)."""
    return _unit_rows(weighted, weighted.data * idf[weighted.indices])


def _unit_rows(shape_of: sp.csr_matrix, data: npt.NDArray[np.floating[Any]]) -> sp.csr_matrix:
    """``shape_of``'s sparsity with values ``data``, each row scaled to unit L2 norm."""
    lengths = np.diff(shape_of.indptr)
    squares = np.add.reduceat(data * data, shape_of.indptr[:-1]) if len(data) else np.zeros(0)
    norms = np.sqrt(np.where(lengths > 0, squares, 1.0))
    norms[norms == 0] = 1.0
    scaled = (data / np.repeat(norms, lengths)).astype(np.float32)
    return sp.csr_matrix((scaled, shape_of.indices, shape_of.indptr), shape=shape_of.shape)


def weighed_rows(counts: sp.csr_matrix, idf: F32) -> sp.csr_matrix:
    """Raw counts as model input: sublinear TF × ``idf``, rows scaled to unit length."""
    return _unit_rows(counts, np.log1p(counts.data) * idf[counts.indices])


def fit_idf(counts: sp.csr_matrix) -> F32:
    """Smoothed inverse document frequency per column, as scikit-learn's TfidfTransformer."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf: F32 = (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)
    return idf


@dataclass
class TextClassifier:
    """A trained classifier: labels, n-gram config, IDF, weights, calibration and metadata.

    Binary models have one weight row (the positive label's); multi-class models one per
    label (one-vs-rest). ``label_map`` maps raw dataset labels to these labels.
    """

    labels: tuple[str, ...]
    config: NgramConfig
    idf: F32
    coef: F32
    intercept: F32
    calibration: F32  # (rows, 2): sigmoid slope and offset per weight row
    meta: dict[str, Any] = field(default_factory=dict)
    _normalizer: Normalizer | None = field(default=None, repr=False)
    _coef_t: F32 | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "model")

    @property
    def binary(self) -> bool:
        return bool(self.coef.shape[0] == 1)

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.meta.get("label_map", {}))

    def with_normalizer(self, normalizer: Normalizer) -> TextClassifier:
        """Share a Normalizer (the Screener's) instead of building another."""
        self._normalizer = normalizer
        return self

    def _features(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self._normalizer is None:
            self._normalizer = Normalizer()
        return featurize(self._normalizer, self.config, texts, self.idf)

    def margins(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Raw SVM margins, (texts, weight rows)."""
        return self._margins_of(self._features(texts))

    def _margins_of(self, features: sp.csr_matrix) -> npt.NDArray[np.float64]:
        if self._coef_t is None:  # contiguous once: a transposed view makes scipy copy per call
            self._coef_t = np.ascontiguousarray(self.coef.T)
        return np.asarray(features @ self._coef_t, dtype=np.float64) + self.intercept

    def predict_proba_batch(self, batch: FoldedBatch) -> npt.NDArray[np.float64]:
        """Probabilities for a batch the Screener has already folded (once, for every detector)."""
        return self.predict_proba_counts(ngram_counts(batch, self.config))

    def predict_proba_counts(self, counts: sp.csr_matrix) -> npt.NDArray[np.float64]:
        """Probabilities from raw n-gram counts (:func:`ngram_counts`), which models with the
        same n-gram setting can share."""
        return self.proba_from_margins(self._margins_of(weighed_rows(counts, self.idf)))

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Calibrated probabilities, (texts, labels); rows sum to 1."""
        return self.proba_from_margins(self.margins(texts))

    def proba_from_margins(self, margins: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        slope, offset = self.calibration[:, 0], self.calibration[:, 1]
        p = 1.0 / (1.0 + np.exp(-(margins * slope + offset)))
        if self.binary:
            return np.column_stack([1.0 - p[:, 0], p[:, 0]])
        total = p.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return np.asarray(p / total, dtype=np.float64)

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most probable label per text."""
        proba = self.predict_proba(texts)
        return [self.labels[i] for i in proba.argmax(axis=1)]

    def explain(self, text: str, label: str | None = None, top: int = 8) -> list[tuple[str, float]]:
        """The n-grams that pushed ``text`` towards ``label`` (default: the predicted one) most.

        Contribution = feature value × weight; negative ones pushed away from the label.
        """
        label = label or self.predict([text])[0]
        if label not in self.labels:
            raise ModelError(
                f"label {label!r} is not one of the model's labels {list(self.labels)}"
            )
        row = 0 if self.binary else self.labels.index(label)
        sign = -1.0 if self.binary and label == self.labels[0] else 1.0
        features = self._features([text])
        folded = (self._normalizer or Normalizer()).fold_batch([text])
        names = HashedNgrams(self.config).ngrams_of(model_inputs(folded, self.config)[0])
        contributions = [
            (names.get(int(col), f"#{col}"), sign * float(val) * float(self.coef[row, col]))
            for col, val in zip(features.indices, features.data, strict=True)
        ]
        contributions.sort(key=lambda item: abs(item[1]), reverse=True)
        return contributions[:top]

    # -- the model file -------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write one self-describing file (plain arrays + JSON header, no pickle)."""
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labels": list(self.labels),
            "ngrams": self.config.to_dict(),
        } | self.meta
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            calibration=self.calibration.astype(np.float32),
        )
        path.write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        """Read a model file; anything not a well-formed Warden model raises :class:`ModelError`."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"{path}: cannot read model: {exc.strerror or exc}") from None
        if not zipfile.is_zipfile(io.BytesIO(raw)):
            raise ModelError(f"{path}: not a Warden model file (expected an .npz archive)")
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in ("header", *_ARRAYS)}
        except KeyError as exc:
            raise ModelError(f"{path}: not a Warden model file (missing array {exc})") from None
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
            raise ModelError(f"{path}: corrupt model file ({exc})") from None
        return cls._from_arrays(path, arrays)

    @classmethod
    def _from_arrays(cls, path: Path, arrays: dict[str, Any]) -> TextClassifier:
        try:
            header = json.loads(arrays["header"].astype(np.uint8).tobytes().decode())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"{path}: corrupt model header ({exc})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ModelError(
                f"{path}: not a Warden model file (format is {header.get('format')!r})"
            )
        version = header.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelError(
                f"{path}: model format version {version!r} is not supported; this Warden reads "
                f"version {FORMAT_VERSION}"
            )
        try:
            config = NgramConfig(**{k: int(v) for k, v in header["ngrams"].items()})
            labels = tuple(str(label) for label in header["labels"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{path}: corrupt model header ({exc})") from None
        idf, coef = arrays["idf"], arrays["coef"]
        intercept, calibration = arrays["intercept"], arrays["calibration"]
        rows = 1 if len(labels) == 2 else len(labels)
        n_features = 1 << config.bits
        expected = {
            "idf": (n_features,),
            "coef": (rows, n_features),
            "intercept": (rows,),
            "calibration": (rows, 2),
        }
        for name, shape in expected.items():
            array = arrays[name]
            if array.shape != shape or array.dtype != np.float32:
                raise ModelError(
                    f"{path}: array {name!r} has shape {array.shape} and type {array.dtype}; "
                    f"expected {shape} float32"
                )
        meta = {
            k: v
            for k, v in header.items()
            if k not in ("format", "format_version", "labels", "ngrams")
        }
        return cls(labels, config, idf, coef, intercept, calibration, meta)


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Texts and their labels (already mapped to Warden categories or sub-labels)."""

    texts: list[str]
    labels: list[str]
    label_map: dict[str, str] = field(default_factory=dict)
    fingerprints: list[dict[str, Any]] = field(default_factory=list)


def fingerprint(path: Path) -> dict[str, Any]:
    """Name, size and SHA-256 of a training file: which data a model was trained on."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


C_GRID = (0.3, 1.0, 3.0)


def train(
    data: TrainingSet,
    *,
    config: NgramConfig | None = None,
    c: float | None = None,
    class_weight: str | None = None,
    name: str = "model",
    normalizer: Normalizer | None = None,
    progress: Callable[[str], None] | None = None,
) -> TextClassifier:
    """Train a calibrated linear SVM on ``data``; labels are sorted with ``clean`` first.

    Without ``c``, the regularization is chosen from ``C_GRID`` by the MCC of calibrated
    cross-validated predictions — the same folds then calibrate the chosen model, so no
    extra fits are spent and no test data is looked at.
    """
    from sklearn.metrics import matthews_corrcoef
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    config = config or NgramConfig()
    labels = sorted(set(data.labels), key=lambda label: (label != CLEAN, label))
    if len(labels) < 2:
        raise ModelError(f"training data has only the label {labels}; expected at least two")
    counts_per_label = {label: data.labels.count(label) for label in labels}
    rare = [label for label, count in counts_per_label.items() if count < 3]
    if rare:
        raise ModelError(
            f"label(s) {rare} have fewer than 3 examples ({counts_per_label}); "
            "expected at least 3 per label to train and calibrate"
        )
    step = progress or (lambda _msg: None)
    normalizer = normalizer or Normalizer()
    step("featurizing")
    raw = featurize(normalizer, config, data.texts, None)
    idf = fit_idf(raw)
    features = reweigh(raw, idf)
    y = np.array([labels.index(label) for label in data.labels])
    binary = len(labels) == 2
    folds = min(5, min(counts_per_label.values()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    candidates = (c,) if c is not None else C_GRID
    best: tuple[float, float, F32] | None = None
    scores: dict[str, float] = {}
    for candidate in candidates:
        step(f"calibrating C={candidate} ({folds}-fold)")
        svm = LinearSVC(C=candidate, class_weight=class_weight)
        margins = cross_val_predict(svm, features, y, cv=cv, method="decision_function")
        margins = margins.reshape(len(y), -1)
        calibration = np.array(
            [
                platt(margins[:, k], (y == (1 if binary else k)).astype(int))
                for k in range(margins.shape[1])
            ],
            dtype=np.float32,
        )
        probe = TextClassifier(
            tuple(labels),
            config,
            idf,
            np.zeros((1, 1), np.float32),
            np.zeros(1, np.float32),
            calibration,
        )
        predicted = probe.proba_from_margins(margins).argmax(axis=1)
        score = float(matthews_corrcoef(y, predicted))
        scores[str(candidate)] = round(score, 5)
        if best is None or score > best[1]:
            best = (candidate, score, calibration)
    assert best is not None
    chosen, _, calibration = best
    step(f"fitting C={chosen}")
    svm = LinearSVC(C=chosen, class_weight=class_weight)
    svm.fit(features, y)
    coef = np.asarray(svm.coef_, dtype=np.float32)
    meta = {
        "name": name,
        "label_map": data.label_map,
        "training_data": data.fingerprints,
        "training_rows": len(data.texts),
        "label_counts": counts_per_label,
        "hyperparameters": {"model": "linear_svm", "C": chosen, "class_weight": class_weight}
        | {"ngrams": config.to_dict(), "C_cv_mcc": scores, "folds": folds},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return TextClassifier(
        tuple(labels),
        config,
        idf,
        coef,
        np.asarray(svm.intercept_, dtype=np.float32),
        calibration,
        meta,
        normalizer,
    )


def platt(margins: npt.NDArray[np.float64], target: npt.NDArray[np.int_]) -> tuple[float, float]:
    """Sigmoid slope and offset mapping margins to probabilities (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    if target.min() == target.max():
        return 1.0, 0.0
    fit = LogisticRegression(C=1e4).fit(margins.reshape(-1, 1), target)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])
