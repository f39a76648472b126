"""The Screener: text in, verdicts out — normalization, lexicons and entities in one pass.

Batch first: :meth:`Screener.screen` folds a whole batch into one string and runs every
detector over it once; :meth:`Screener.check` is the one-text special case. A Screener is
built once (building the automaton for 100k+ terms takes seconds) and then reused — it holds
no per-request state, so one instance serves many threads.

Category scores combine lexicon hits with a noisy-OR over *distinct* terms:
``score = 1 − Π(1 − weight)``; a term repeated ten times is still one piece of evidence,
two different strong terms make a near-certain call. Attached models add their calibrated
probability for each of their non-clean labels to the same noisy-OR:
``categories[c] = 1 − (1 − lexicon[c]) · Π_models (1 − p_model(c))``; each model's full
distribution is also kept in ``Verdict.models``. Scores under 0.01 are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import scipy.sparse as sp

from warden.detect.classifier import CLEAN, TextClassifier, ngram_counts
from warden.detect.features import NgramConfig
from warden.domain.verdicts import Entity, Match, Verdict
from warden.text.catalog import load_catalog
from warden.text.entities import EntityExtractor
from warden.text.intent import intent_of
from warden.text.lexicon import LexiconEntry, LexiconSource, default_sources, read_sources
from warden.text.matcher import Hit, LexiconIndex
from warden.text.normalize import FoldedBatch, Normalizer

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

    def _model_scores(self, batch: FoldedBatch) -> list[dict[str, dict[str, float]]]:
        """Each model's distribution per text. Models that read the same n-grams (the
        standard detectors all do) share one hashing pass over the batch."""
        per_text: list[dict[str, dict[str, float]]] = [{} for _ in batch.texts]
        if not self.models:
            return per_text
        counted: dict[NgramConfig, sp.csr_matrix] = {}
        for model in self.models:
            counts = counted.get(model.config)
            if counts is None:
                counts = counted[model.config] = ngram_counts(batch, model.config)
            proba = model.predict_proba_counts(counts)
            for number, row in enumerate(proba.tolist()):
                per_text[number][model.name] = {
                    label: round(p, 6) for label, p in zip(model.labels, row, strict=True)
                }
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
        models: dict[str, dict[str, float]],
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
        for distribution in models.values():
            for label, probability in distribution.items():
                if label != CLEAN:
                    clean[label] = clean.get(label, 1.0) * (1.0 - probability)
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
