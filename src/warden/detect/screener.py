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

The model machinery (:mod:`warden.detect.classifier`, :mod:`warden.detect.groups`, SciPy)
is imported only when models are attached: a lexicon-only Screener — ``warden check``
before ``warden models build`` — starts without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from warden.domain.verdicts import Entity, Match, Verdict
from warden.text.catalog import load_catalog
from warden.text.entities import EntityExtractor
from warden.text.intent import intent_of
from warden.text.lexicon import LexiconEntry, LexiconSource, default_sources, read_sources
from warden.text.matcher import Hit, LexiconIndex
from warden.text.normalize import FoldedBatch, Normalizer

if TYPE_CHECKING:
    import scipy.sparse as sp

    from warden.detect.classifier import TextClassifier
    from warden.detect.features import NgramConfig
    from warden.detect.groups import ModelGroup

#: model name → label → probability, for the models that found something in one text
ModelView = dict[str, dict[str, float]]
BATCH = 1024  # texts folded together: big enough to amortize, small enough to stay in cache
REPORTED = 0.01  # combined scores below this are noise, not evidence


class LearnedScores:
    """What the models say about one batch, kept as columns until a verdict asks.

    ``remaining[label]`` is Π over models of ``1 − p(label)`` for every text. Almost every
    text has some tiny learned probability for every label, so a per-text dict of factors
    would cost a Python write per text and label; instead :meth:`settle` lists per text only
    the labels the models alone would report (``1 − remaining ≥ 0.01``), and :meth:`factors`
    adds the few a text's lexicon hits also need — the noisy-OR comes out exactly as if
    every factor had been kept."""

    def __init__(self) -> None:
        self.remaining: dict[str, npt.NDArray[np.float64]] = {}
        self.views: dict[int, ModelView] = {}
        self._reported: dict[int, dict[str, float]] = {}

    def multiply(self, label: str, factor: npt.NDArray[np.float64]) -> None:
        before = self.remaining.get(label)
        self.remaining[label] = factor if before is None else before * factor

    def settle(self) -> None:
        for label, remaining in self.remaining.items():
            for number in np.flatnonzero(1.0 - remaining >= REPORTED).tolist():
                self._reported.setdefault(number, {})[label] = float(remaining[number])

    def factors(self, number: int, lexicon: Mapping[str, float]) -> dict[str, float]:
        """Text ``number``'s learned factors for the labels that can change its scores:
        the ones the models report, and those the lexicons already score."""
        out = dict(self._reported.get(number, ()))
        for label in lexicon:
            remaining = self.remaining.get(label)
            if remaining is not None and label not in out and remaining[number] < 1.0:
                out[label] = float(remaining[number])
        return out


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
        self._groups: list[ModelGroup] = []
        if self.models:
            from warden.detect.groups import group_models

            self._groups = list(group_models(self.models))

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
        return cls(read_sources(sources), models=_load_models(models))

    @property
    def categories(self) -> list[str]:
        """Every category some loaded entry can report."""
        lexicon = {e.category for e in self.index.entries if e.category and not e.allow}
        if not self.models:
            return sorted(lexicon)
        from warden.detect.classifier import CLEAN

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
            self._verdict(batch, number, text_hits, entities[number], scores)
            for number, text_hits in enumerate(hits)
        ]

    def _model_scores(self, batch: FoldedBatch) -> LearnedScores:
        """The learned half of the noisy-OR for a batch: per category the product of
        ``1 − p`` over every model, as columns, and the distributions of the models that found
        something (a non-clean label ≥ 0.01). Models that read the same n-grams (the standard
        detectors all do) share one hashing pass and one matrix product; a clean text costs
        no Python work (see :class:`LearnedScores`)."""
        learned = LearnedScores()
        if not self._groups:
            return learned
        from warden.detect.classifier import CLEAN, ngram_counts

        counted: dict[NgramConfig, sp.csr_matrix] = {}
        for group in self._groups:
            counts = counted.get(group.config)
            if counts is None:
                counts = counted[group.config] = ngram_counts(batch, group.config)
            for model, proba in zip(group.models, group.proba(counts), strict=True):
                rounded = np.round(proba, 6)
                found = np.zeros(len(rounded), dtype=bool)
                for column, label in enumerate(model.labels):
                    if label != CLEAN:
                        found |= rounded[:, column] >= REPORTED
                        learned.multiply(label, 1.0 - rounded[:, column])
                for number in np.flatnonzero(found).tolist():
                    learned.views.setdefault(number, {})[model.name] = dict(
                        zip(model.labels, rounded[number].tolist(), strict=True)
                    )
        learned.settle()
        return learned

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
        learned: LearnedScores,
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
        for label, remaining in learned.factors(number, clean).items():
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
            models=learned.views.get(number, {}),
            intent=intent.weight if intent else 1.0,
            intent_cues=intent.cues if intent else (),
        )


def _load_models(models: Iterable[str | Path | TextClassifier]) -> list[TextClassifier]:
    """Classifier files loaded (classifiers passed through); imports nothing for none."""
    chosen = list(models)
    if not chosen:
        return []
    from warden.detect.classifier import TextClassifier

    return [m if isinstance(m, TextClassifier) else TextClassifier.load(Path(m)) for m in chosen]
