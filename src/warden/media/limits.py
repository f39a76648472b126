"""How much of a picture Warden will read, and from where: the limits bad input hits.

One frozen value, built from the settings (``WARDEN_MEDIA_*``) where a command starts and
passed down; the defaults are safe for a service facing the internet — no local files, no
fetching — and ``warden check --image`` reads the file it is given directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Limits on reading pictures (every one is named in the problem it causes)."""

    max_bytes: int = 10 * MIB  # a picture's encoded size
    max_pixels: int = 40_000_000  # width × height, checked before decoding (bombs)
    max_payload: int = 4096  # characters of a code's payload that are screened
    roots: tuple[Path, ...] = ()  # local files are read only under these folders
    hosts: frozenset[str] = field(default_factory=frozenset)  # http(s) hosts fetched from
    timeout: float = 5.0  # seconds for one fetch
    ocr: bool = True  # read text in pictures (Tesseract: the slow step, ~0.1–0.5 s a picture)

    @property
    def fetching(self) -> bool:
        """Whether any URL may be fetched (off unless hosts are allowed)."""
        return bool(self.hosts)


def with_root(limits: MediaLimits, events: Path) -> MediaLimits:
    """``limits`` that also allow the folder of an events file (or the events folder): the
    operator who names the events names the pictures next to them (``warden ingest``,
    ``warden sweep``; the simulator writes its pictures there)."""
    folder = events if events.is_dir() else events.parent
    return replace(limits, roots=(*limits.roots, folder))
