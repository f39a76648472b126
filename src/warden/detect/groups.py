"""Models scored together: one weighing and one matrix product for models that share features.

The standard detectors are trained together (:mod:`warden.detect.standard`): one n-gram
setting, one IDF. Scoring six of them one at a time weighs the same counts six times and runs
six sparse products; a :class:`ModelGroup` stacks their weight rows into one matrix, so six
detectors cost little more than one. Models with another setting or another IDF form groups
of their own — the answer is the same either way (a test compares it with each model's own
:meth:`~warden.detect.classifier.TextClassifier.predict_proba_counts`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from warden.detect.classifier import TextClassifier, weighed_rows
from warden.detect.features import NgramConfig


class ModelGroup:
    """Models with one n-gram setting and one IDF, scored with one product."""

    def __init__(self, models: Sequence[TextClassifier]) -> None:
        self.models = tuple(models)
        self.config: NgramConfig = models[0].config
        self.idf = models[0].idf
        self.weights = np.ascontiguousarray(np.vstack([m.coef for m in models]).T)
        self.intercepts = np.concatenate([m.intercept for m in models]).astype(np.float64)
        ends = np.cumsum([m.coef.shape[0] for m in models])
        self.rows = [
            (int(end - m.coef.shape[0]), int(end)) for m, end in zip(models, ends, strict=True)
        ]

    def proba(self, counts: sp.csr_matrix) -> list[npt.NDArray[np.float64]]:
        """Each model's probabilities (texts × labels) for raw n-gram ``counts``."""
        margins = np.asarray(weighed_rows(counts, self.idf) @ self.weights, dtype=np.float64)
        margins += self.intercepts
        return [
            model.proba_from_margins(margins[:, start:end])
            for model, (start, end) in zip(self.models, self.rows, strict=True)
        ]


def group_models(models: Sequence[TextClassifier]) -> list[ModelGroup]:
    """``models`` grouped by n-gram setting and IDF (in first-seen order)."""
    groups: dict[tuple[NgramConfig, bytes], list[TextClassifier]] = {}
    for model in models:
        key = (model.config, hashlib.blake2b(model.idf.tobytes(), digest_size=16).digest())
        groups.setdefault(key, []).append(model)
    return [ModelGroup(members) for members in groups.values()]
