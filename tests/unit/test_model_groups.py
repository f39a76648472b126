"""Models scored together give exactly what each gives alone."""

from __future__ import annotations

import numpy as np

from warden.detect.classifier import CLEAN, TextClassifier, ngram_counts
from warden.detect.features import NgramConfig
from warden.detect.groups import group_models
from warden.text.normalize import Normalizer

CONFIG = NgramConfig(bits=12)


def _model(name: str, label: str, idf: np.ndarray, seed: int) -> TextClassifier:
    rng = np.random.default_rng(seed)
    return TextClassifier(
        (CLEAN, label),
        CONFIG,
        idf,
        rng.normal(size=(1, 1 << CONFIG.bits)).astype(np.float32),
        np.array([rng.normal()], dtype=np.float32),
        np.array([[1.5, -0.2]], dtype=np.float32),
        {"name": name},
    )


def test_a_group_scores_like_its_members() -> None:
    shared = np.random.default_rng(0).uniform(1, 5, 1 << CONFIG.bits).astype(np.float32)
    other = np.random.default_rng(1).uniform(1, 5, 1 << CONFIG.bits).astype(np.float32)
    models = [
        _model("fraud", "fraud", shared, 1),
        _model("spam", "spam", shared.copy(), 2),  # equal IDF, another array: same group
        _model("odd", "spam", other, 3),
    ]
    groups = group_models(models)
    assert [len(g.models) for g in groups] == [2, 1]
    batch = Normalizer().fold_batch(["加微信 abc123 包夜", "hello there", "WIN £100 now!"])
    counts = ngram_counts(batch, CONFIG)
    for group in groups:
        for model, proba in zip(group.models, group.proba(counts), strict=True):
            np.testing.assert_allclose(proba, model.predict_proba_counts(counts), rtol=1e-5)
