"""Online ingestion from files: the driver of :mod:`warden.enforce.decide` for ``warden ingest``.

Events are read in file order and decided a batch at a time: one transaction per
:data:`BATCH` events (their idempotency marks, decisions, actions, audit records and — on the
embedded default — counter changes together), texts screened a batch at a time too. Re-reading
a file changes nothing (every event is marked seen); a run killed half-way loses at most the
batch in flight, and running it again finishes the job.

Records that are not valid events are quarantined with file, line, field, value and reason;
the summary's counts add up: ``read == processed + duplicates + quarantined``.

Counters (features) persist in the embedded database by default, so consecutive runs see one
platform; with ``WARDEN_REDIS_URL`` they live in Redis, shared by every worker.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from warden.accounts.counters import Counters
from warden.detect.screener import Screener
from warden.detect.standard import resolve_models
from warden.domain.actions import ActionStatus
from warden.enforce.decide import Decider, EventOutcome, KnownQuarantine, decide_batch
from warden.io.events import Located, Quarantined
from warden.policy import Campaign, PolicyPack
from warden.settings import get_settings

if TYPE_CHECKING:
    from warden.media.limits import MediaLimits

BATCH = 256


@dataclass
class IngestSummary:
    """What an ingestion did; ``read == processed + duplicates + quarantined``."""

    read: int = 0
    processed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    decisions: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    held_for_review: int = 0

    @property
    def adds_up(self) -> bool:
        return self.read == self.processed + self.duplicates + self.quarantined

    def count(self, outcome: EventOutcome) -> None:
        """Add one event's outcome."""
        if outcome.status == "duplicate":
            self.duplicates += 1
            return
        self.processed += 1
        self.decisions += outcome.decisions
        for record in outcome.actions:
            self.actions[record.action.type.value] += 1
            self.held_for_review += record.status is ActionStatus.PENDING_REVIEW


class Ingestor:
    """Drives file records through the one decision path, a transaction per batch."""

    def __init__(
        self,
        engine: Engine,
        screener: Screener,
        pack: PolicyPack,
        *,
        counters: Counters | None = None,
        campaign: Campaign | None = None,
        actor: str = "warden",
        batch: int = BATCH,
        rings: Mapping[str, tuple[int, float]] | None = None,
        media: MediaLimits | None = None,
    ) -> None:
        """``rings`` (member → ring size, score) default to the rings the store holds;
        ``media`` are the limits events' pictures are read within."""
        self.engine = engine
        self.decider = Decider.for_store(
            engine,
            screener,
            pack,
            counters=counters,
            campaign=campaign,
            rings=rings,
            media=media,
        )
        self.actor = actor
        self.batch = batch
        self._quarantined: KnownQuarantine = {}

    def ingest(
        self, items: Iterable[Located | Quarantined], progress: Callable[[int], None] | None = None
    ) -> IngestSummary:
        summary = IngestSummary()
        for chunk in _chunks(items, self.batch):
            for result in decide_batch(
                self.engine, self.decider, chunk, self.actor, self._quarantined
            ):
                summary.read += 1
                if isinstance(result, Quarantined):
                    summary.quarantined += 1
                else:
                    summary.count(result)
            if progress is not None:
                progress(len(chunk))
        return summary


def _chunks(
    items: Iterable[Located | Quarantined], size: int
) -> Iterator[list[Located | Quarantined]]:
    chunk: list[Located | Quarantined] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def screener_for(pack: PolicyPack, models_dir: Path | None = None) -> Screener:
    """The screener a policy pack asks for: its lexicons, catalogs and models.

    ``standard`` in the pack's models is the standard detector set in ``models_dir``
    (default: the settings' ``WARDEN_MODELS_DIR``); see :mod:`warden.detect.standard`."""
    lexicons = pack.lexicons
    if models_dir is None:
        models_dir = get_settings().models_path
    models = resolve_models(pack.models, models_dir, pack.path.parent)
    return Screener.from_lexicons(
        lexicons.extra, defaults=lexicons.defaults, catalogs=lexicons.catalogs, models=models
    )
