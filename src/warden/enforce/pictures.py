"""Pictures on the decision path: the scanner a decider uses, the store's banks, what a
picture shows as evidence, and the pictures that could not be read as quarantine records.

:mod:`warden.enforce.decide` and the sweep's shards call these; the media libraries —
Pillow, zxing-cpp, Tesseract — are imported inside, when the first picture arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from warden.detect.screener import Screener
from warden.domain.verdicts import Verdict
from warden.io.events import Located, Quarantined
from warden.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from warden.media.banks import BankMatcher
    from warden.media.limits import MediaLimits
    from warden.media.scan import MediaScanner


def picture_evidence(verdict: Verdict) -> list[tuple[str, str]]:
    """(ref, detail) of what a picture's verdict shows: bank matches, the code's payload and
    the links in it, what was read and where."""
    spot = verdict.media
    if spot is None:
        return []
    out: list[tuple[str, str]] = []
    media = spot.media_id
    for match in spot.bank_matches[:3]:
        out.append(
            (
                f"bank:{match.bank}:{match.entry}",
                f"picture {media!r} is {match.distance}/256 bits from entry {match.entry!r} of "
                f"bank {match.bank!r} (pdq {spot.pdq})",
            )
        )
    if spot.source == "qr":
        out.append(
            (
                f"qr@{media}",
                f"{spot.code_format} at box {list(spot.box or ())}: {verdict.text[:200]!r}",
            )
        )
    for m in verdict.matches[:5]:
        where = f" at box {list(m.box)}" if m.box else ""
        out.append(
            (f"{m.term}@{media}", f"{m.category}: {m.matched!r} read in picture {media!r}{where}")
        )
    for e in verdict.entities[:5]:
        if e.kind.value != "image":
            out.append((f"{e.kind.value}:{e.value}", f"{e.source or 'picture'} in {media!r}"))
    if spot.problem:
        out.append((f"unread@{media}", spot.problem))
    return out


def media_problems(item: Located, verdicts: Sequence[Verdict]) -> list[Quarantined]:
    """The event's pictures that could not be read, as quarantine records: the field is the
    picture's place in ``media``, the value its id, the reason names the limit. The event
    itself was screened and decided without them — nothing else is held back."""
    place = {ref.media_id: n for n, ref in enumerate(item.event.images())}
    return [
        Quarantined(
            item.file,
            item.line,
            f"media[{place.get(v.media.media_id, 0)}]",
            repr(v.media.media_id),
            v.media.problem,
            f"{item.event.event_id} media {v.media.media_id}",
        )
        for v in verdicts
        if v.media is not None and v.media.problem
    ]


def scanner(
    screener: Screener, limits: MediaLimits | None = None, banks: BankMatcher | None = None
) -> MediaScanner:
    from warden.media.scan import MediaScanner

    return MediaScanner(screener, limits, banks=banks)


def stored_banks(engine: Engine) -> BankMatcher:
    """Every hash bank the store holds, ready to match (``warden banks``)."""
    from warden.media.banks import BankMatcher

    with UnitOfWork(engine) as uow:
        return BankMatcher(uow.banks.entries())
