"""The hub: an event's pictures in, verdicts out — read, decode, codes, text, hash, banks.

For each picture :class:`MediaScanner` gives

* one verdict of source ``image``: its SHA-256, PDQ hash and quality, bank matches, and an
  ``image`` entity (the hash) that links accounts posting near-identical pictures — or,
  when the picture could not be read, the ``problem`` (a limit, a defect) and nothing else;
* one verdict of source ``ocr`` for the text read in it, screened exactly like a message,
  each match carrying the box where its words were read;
* one verdict of source ``qr`` per decoded code: the payload screened as text, plus the
  contact or group the payload links to (:mod:`warden.media.payloads`), all with
  ``source: qr``.

Batch first: the texts of a whole batch of pictures go through the screener in one call.
What a picture yields depends only on its bytes, and rings re-post the same picture, so the
expensive part (decode, codes, OCR, hash) is cached by SHA-256 (:data:`CACHE_SIZE` pictures).
Nothing here raises for bad input: every failure is a problem verdict naming the picture.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warden.domain.events import MediaRef
from warden.domain.verdicts import BankMatch, Entity, EntityKind, MediaSpot, Verdict
from warden.errors import MediaError
from warden.media.fetch import read_media
from warden.media.images import decode_image
from warden.media.limits import MediaLimits
from warden.media.ocr import ReadText, TextReader
from warden.media.payloads import payload_entities
from warden.media.pdq import MIN_QUALITY, pdq_hash
from warden.media.qr import Code, read_codes

if TYPE_CHECKING:
    import httpx

    from warden.detect.screener import Screener
    from warden.media.banks import BankMatcher

CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Findings:
    """What one picture's bytes yield, before screening (what the cache keeps)."""

    sha256: str
    size: tuple[int, int]
    pdq: str
    quality: int
    codes: tuple[Code, ...]
    text: ReadText | None


class MediaScanner:
    """Screens pictures with the given screener, limits, banks and OCR."""

    def __init__(
        self,
        screener: Screener,
        limits: MediaLimits | None = None,
        *,
        banks: BankMatcher | None = None,
        reader: TextReader | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.screener = screener
        self.limits = limits or MediaLimits()
        self.banks = banks
        self.reader = reader if reader is not None else (TextReader() if self.limits.ocr else None)
        self.client = client
        self._cache: OrderedDict[str, Findings] = OrderedDict()

    def scan(self, refs: Sequence[Sequence[MediaRef]]) -> list[list[Verdict]]:
        """The verdicts of each event's pictures (one list per event, in order)."""
        pictures: list[tuple[int, str, bytes | MediaError]] = []
        for owner, event_refs in enumerate(refs):
            for ref in event_refs:
                try:
                    pictures.append(
                        (owner, ref.media_id, read_media(ref, self.limits, self.client))
                    )
                except MediaError as exc:
                    pictures.append((owner, ref.media_id, exc))
        out: list[list[Verdict]] = [[] for _ in refs]
        for (owner, _, _), verdicts in zip(pictures, self._screen(pictures), strict=True):
            out[owner].extend(verdicts)
        return out

    def scan_bytes(self, raw: bytes, media_id: str) -> list[Verdict]:
        """The verdicts of one picture given as bytes (``warden check --image``)."""
        return self._screen([(0, media_id, raw)])[0]

    def _screen(
        self, pictures: Sequence[tuple[int, str, bytes | MediaError]]
    ) -> list[list[Verdict]]:
        found: list[Findings | MediaError] = [
            raw if isinstance(raw, MediaError) else self._findings(media_id, raw)
            for _, media_id, raw in pictures
        ]
        texts: list[str] = []
        for item in found:
            if isinstance(item, Findings):
                if item.text is not None and item.text.text:
                    texts.append(item.text.text)
                texts.extend(code.payload for code in item.codes)
        screened = iter(self.screener.screen(texts))
        out: list[list[Verdict]] = []
        for (_, media_id, _), item in zip(pictures, found, strict=True):
            if isinstance(item, MediaError):
                out.append([_problem(media_id, str(item))])
                continue
            verdicts = [self._image(media_id, item)]
            if item.text is not None and item.text.text:
                verdicts.append(_read(media_id, item, item.text, next(screened)))
            verdicts.extend(
                _code(media_id, item, code, next(screened), self.limits.max_payload)
                for code in item.codes
            )
            out.append(verdicts)
        return out

    def _findings(self, media_id: str, raw: bytes) -> Findings | MediaError:
        sha256 = hashlib.sha256(raw).hexdigest()
        cached = self._cache.get(sha256)
        if cached is not None:
            self._cache.move_to_end(sha256)
            return cached
        try:
            image = decode_image(raw, media_id, self.limits)
            pdq, quality = pdq_hash(image)
            codes = tuple(read_codes(image, self.limits.max_payload))
            text = self.reader.read(image) if self.reader is not None else None
        except MediaError as exc:
            return exc
        findings = Findings(sha256, image.size, pdq, quality, codes, text)
        self._cache[sha256] = findings
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return findings

    def _image(self, media_id: str, item: Findings) -> Verdict:
        usable = item.quality >= MIN_QUALITY
        matches: tuple[BankMatch, ...] = ()
        if usable and self.banks is not None:
            matches = self.banks.match(item.pdq)
        entities = (Entity(EntityKind.IMAGE, item.pdq, 0, 0, "", None, "pdq"),) if usable else ()
        spot = MediaSpot(
            media_id, "image", sha256=item.sha256, pdq=item.pdq, quality=item.quality,
            size=item.size, bank_matches=matches,
        )  # fmt: skip
        return Verdict(text="", categories={}, entities=entities, media=spot)


def _problem(media_id: str, reason: str) -> Verdict:
    return Verdict(text="", categories={}, media=MediaSpot(media_id, "image", problem=reason))


def _read(media_id: str, item: Findings, text: ReadText, verdict: Verdict) -> Verdict:
    """The OCR text's verdict, each match with the box its words were read in."""
    return dataclasses.replace(
        verdict,
        matches=tuple(
            dataclasses.replace(m, box=text.box_of(m.start, m.end)) for m in verdict.matches
        ),
        entities=tuple(dataclasses.replace(e, source="ocr") for e in verdict.entities),
        media=MediaSpot(media_id, "ocr", sha256=item.sha256, size=item.size),
    )


def _code(media_id: str, item: Findings, code: Code, verdict: Verdict, limit: int) -> Verdict:
    """A code's verdict: the payload screened as text plus the links it holds."""
    entities = [dataclasses.replace(e, source="qr") for e in verdict.entities]
    seen = {(e.kind, e.value) for e in entities}
    for entity in payload_entities(code.payload):
        if (entity.kind, entity.value) not in seen:
            seen.add((entity.kind, entity.value))
            entities.append(entity)
    problem = (
        f"media {media_id!r}: {code.format} payload of {code.length} characters is over the "
        f"limit of {limit} (max_payload); the first {limit} were screened"
        if code.truncated
        else ""
    )
    spot = MediaSpot(
        media_id, "qr", box=code.box, sha256=item.sha256, size=item.size,
        code_format=code.format, problem=problem,
    )  # fmt: skip
    return dataclasses.replace(verdict, entities=tuple(entities), media=spot)


def problems(verdicts: Sequence[Verdict]) -> list[tuple[str, str]]:
    """(media id, problem) of every picture verdict that reports one."""
    return [(v.media.media_id, v.media.problem) for v in verdicts if v.media and v.media.problem]
