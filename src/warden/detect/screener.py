"""The Screener: text in, verdicts out — normalization, lexicons and entities in one pass.

Batch first: :meth:`Screener.screen` folds a whole batch into one string and runs every
detector over it once; :meth:`Screener.check` is the one-text special case. A Screener is
built once (building the automaton for 100k+ terms takes seconds) and then reused — it holds
no per-request state, so one instance serves many threads.

Category scores combine lexicon hits with a noisy-OR over *distinct* terms:
``score = 1 − Π(1 − weight)``; a term repeated ten times is still one piece of evidence,
two different strong terms make a near-certain call. Attached models add their calibrated
probability for each of their non-clean labels to the same noisy-OR:
``categories[c] = 1 − (1 − lexicon[c]) · Π_models (1 − p_model(c))``; the full distribution
of every model that found something (a non-clean label ≥ 0.01) is also kept in
``Verdict.models``. Scores under 0.01 are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from warden.detect.classifier import CLEAN, TextClassifier, ngram_counts
from warden.detect.features import NgramConfig
from warden.detect.groups import group_models
from warden.domain.verdicts import Entity, Match, Verdict
from warden.text.catalog import load_catalog
from warden.text.entities import EntityExtractor
from warden.text.intent import intent_of
from warden.text.lexicon import LexiconEntry, LexiconSource, default_sources, read_sources
from warden.text.matcher import Hit, LexiconIndex
from warden.text.normalize import FoldedBatch, Normalizer

#: model name → label → probability, for the models that found something in one text
ModelView = dict[str, dict[str, float]]
BATCH = 1024  # texts folded together: big enough to amortize, small enough to stay in cache
REPORTED = 0.01  # combined scores below this are noise, not evidence


class Screener:
    """Screens texts against lexicons and extracts contact entities."""

    def __init__(
        self,
        entries: Sequence[LexiconEntry],
        *,
        normalizer: Normalizer | None = None,
        extractor: EntityExtractor | None = None,
        models: Sequence[TextClassifier] = (),
    ) -> None:
        self.normalizer = normalizer or Normalizer()
        self.index = LexiconIndex(entries, self.normalizer)
        self.extractor = extractor or EntityExtractor()
        self.models = [model.with_normalizer(self.normalizer) for model in models]
        self._groups = group_models(self.models)

    @classmethod
    def from_lexicons(
        cls,
        paths: Iterable[str | Path | LexiconSource] = (),
        *,
        defaults: bool = True,
        catalogs: Iterable[str | Path] = (),
        models: Iterable[str | Path | TextClassifier] = (),
    ) -> Screener:
        """A Screener over the team's default lexicons (unless ``defaults=False``) plus ``paths``.

        A path may be ``FILE``, ``FILE:CATEGORY`` or ``FILE:CATEGORY:WEIGHT`` (the category is
        needed for plain one-term-per-line lists); ``catalogs`` are YAML catalog files;
        ``models`` are classifier files (``warden train``) or loaded classifiers.
        """
        sources: list[LexiconSource] = default_sources() if defaults else []
        for catalog in catalogs:
            sources.extend(load_catalog(Path(catalog)))
        for path in paths:
            sources.append(
                path if isinstance(path, LexiconSource) else LexiconSource.parse(str(path))
            )
        loaded = [
            model if isinstance(model, TextClassifier) else TextClassifier.load(Path(model))
            for model in models
        ]
        return cls(read_sources(sources), models=loaded)

    @property
    def categories(self) -> list[str]:
        """Every category some loaded entry can report."""
        lexicon = {e.category for e in self.index.entries if e.category and not e.allow}
        learned = {label for model in self.models for label in model.labels if label != CLEAN}
        return sorted(lexicon | learned)

    def check(self, text: str) -> Verdict:
        """Screen one text."""
        return self.screen([text])[0]

    def screen(self, texts: Sequence[str]) -> list[Verdict]:
        """Screen a batch of texts; one verdict per text, in order."""
        verdicts: list[Verdict] = []
        for start in range(0, len(texts), BATCH):
            verdicts.extend(self._screen_batch(texts[start : start + BATCH]))
        return verdicts

    def _screen_batch(self, texts: Sequence[str]) -> list[Verdict]:
        batch = self.normalizer.fold_batch(texts)
        hits = self.index.match_batch(batch)
        entities = self._entities(batch)
        scores = self._model_scores(batch)
        return [
            self._verdict(batch, number, text_hits, entities[number], scores[number])
            for number, text_hits in enumerate(hits)
        ]

    def _model_scores(self, batch: FoldedBatch) -> list[tuple[ModelView, dict[str, float]]]:
        """Per text: the distributions of the models that found something (a non-clean
        label ≥ 0.01), and per category the product of ``1 − p`` over every model — the
        learned half of the noisy-OR. Models that read the same n-grams (the standard
        detectors all do) share one hashing pass and one matrix product; the per-category
        products are taken over whole columns, so a clean text costs no Python work."""
        per_text: list[tuple[ModelView, dict[str, float]]] = [({}, {}) for _ in batch.texts]
        if not self.models:
            return per_text
        counted: dict[NgramConfig, sp.csr_matrix] = {}
        clean: dict[str, npt.NDArray[np.float64]] = {}
        for group in self._groups:
            counts = counted.get(group.config)
            if counts is None:
                counts = counted[group.config] = ngram_counts(batch, group.config)
            for model, proba in zip(group.models, group.proba(counts), strict=True):
                rounded = np.round(proba, 6)
                found = np.zeros(len(rounded), dtype=bool)
                for column, label in enumerate(model.labels):
                    if label == CLEAN:
                        continue
                    found |= rounded[:, column] >= REPORTED
                    remaining = clean.get(label)
                    factor = 1.0 - rounded[:, column]
                    clean[label] = factor if remaining is None else remaining * factor
                for number in np.flatnonzero(found).tolist():
                    per_text[number][0][model.name] = dict(
                        zip(model.labels, rounded[number].tolist(), strict=True)
                    )
        for label, remaining in clean.items():
            for number in np.flatnonzero(remaining < 1.0).tolist():
                per_text[number][1][label] = float(remaining[number])
        return per_text

    def _entities(self, batch: FoldedBatch) -> list[list[Entity]]:
        per_text: list[list[Entity]] = [[] for _ in batch.texts]
        for found in self.extractor.extract(batch.entity_view):
            number, start = batch.locate(found.start, batch.base_starts)
            folded = batch.texts[number]
            begin, end = folded.original_span(start, start + (found.end - found.start))
            per_text[number].append(
                Entity(
                    kind=found.kind,
                    value=found.value,
                    start=begin,
                    end=end,
                    matched=folded.original[begin:end],
                    platform=found.platform,
                )
            )
        return per_text

    def _verdict(
        self,
        batch: FoldedBatch,
        number: int,
        hits: list[Hit],
        entities: list[Entity],
        learned: tuple[ModelView, dict[str, float]],
    ) -> Verdict:
        folded = batch.texts[number]
        matches: list[Match] = []
        strongest: dict[tuple[str, str], float] = {}
        for hit in sorted(hits, key=lambda h: (h.start, h.end, h.entry)):
            entry = self.index.entries[hit.entry]
            category = entry.category or ""
            begin, end = folded.original_span_of_normalized(hit.start, hit.end)
            matches.append(
                Match(
                    term=entry.term,
                    category=category,
                    weight=entry.weight,
                    start=begin,
                    end=end,
                    matched=folded.original[begin:end],
                    norm_start=hit.start,
                    norm_end=hit.end,
                    source=entry.source,
                    variant=hit.variant,
                )
            )
            key = (category, entry.term)
            strongest[key] = max(strongest.get(key, 0.0), entry.weight)
        clean: dict[str, float] = {}
        for (category, _term), weight in strongest.items():
            clean[category] = clean.get(category, 1.0) * (1.0 - weight)
        models, learned_clean = learned
        for label, remaining in learned_clean.items():
            clean[label] = clean.get(label, 1.0) * remaining
        scores = {
            category: round(1.0 - remaining, 6)
            for category, remaining in clean.items()
            if 1.0 - remaining >= REPORTED
        }
        intent = intent_of(folded.original, folded.normalized, entities) if scores else None
        return Verdict(
            text=folded.original,
            categories=scores,
            matches=tuple(matches),
            entities=tuple(entities),
            normalized=folded.normalized,
            models=models,
            intent=intent.weight if intent else 1.0,
            intent_cues=intent.cues if intent else (),
        )
