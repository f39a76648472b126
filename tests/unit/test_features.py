"""Hashed n-grams are stable, batch-independent and explainable."""

from __future__ import annotations

import numpy as np

from warden.detect.features import HashedNgrams, NgramConfig


def test_hashes_are_stable_across_processes() -> None:
    # Pinned values: a model trained on one machine must score the same on another, so a
    # change to the hash is a model-format change (bump FORMAT_VERSION), not a refactor.
    ngrams = HashedNgrams(NgramConfig(bits=16, char_min=1, char_max=2, word_max=1))
    assert sorted(ngrams.ngrams_of("ab").items()) == PINNED_AB


PINNED_AB = [(28599, "b"), (34110, "a"), (60174, "<ab>"), (65457, "ab")]


def test_rows_do_not_depend_on_the_batch() -> None:
    ngrams = HashedNgrams()
    texts = ["傻逼台独", "free entry win", "", "ok"] * 700  # crosses the internal chunk size
    together = ngrams.counts(texts)
    alone = ngrams.counts(["free entry win"])
    assert together.shape == (len(texts), ngrams.n_features)
    assert (together[1] != alone).nnz == 0
    assert together[2].nnz == 0  # the empty text has no features


def test_counts_count_repeats() -> None:
    matrix = HashedNgrams(NgramConfig(bits=18, char_min=1, char_max=1, word_max=0)).counts(
        ["aaa b"]
    )
    assert sorted(matrix.data.tolist()) == [1.0, 3.0]  # 'a' three times, 'b' once, no space


def test_word_ngrams_pair_only_within_a_text() -> None:
    ngrams = HashedNgrams(NgramConfig(bits=20, char_min=1, char_max=1, word_max=2))
    both = ngrams.counts(["alpha", "beta"])
    joined = ngrams.counts(["alpha beta"])
    separate = set(both[0].indices) | set(both[1].indices)
    extra = set(joined.indices) - separate
    assert len(extra) == 1  # the pair <alpha beta>, which two separate texts never form
    assert separate <= set(joined.indices)


def test_names_explain_the_same_columns_the_model_sees() -> None:
    ngrams = HashedNgrams()
    text = "win a free prize 包夜"
    names = ngrams.ngrams_of(text)
    assert set(names) == set(ngrams.counts([text]).indices.tolist())
    assert "<free prize>" in names.values()
    assert "包夜" in names.values()


def test_empty_batch() -> None:
    assert HashedNgrams().counts([]).shape == (0, 1 << 20)
    assert np.asarray(HashedNgrams().counts([""]).sum()) == 0
