"""The simulator's pictures: posters with a readable QR code of the ring's handle, photos,
events that point at them, the porn samples' bank file, and the same bytes for the same seed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from warden.io.events import Located, read_events
from warden.media.limits import MediaLimits
from warden.media.payloads import payload_entities
from warden.media.qr import read_codes
from warden.simulate import SimulationConfig, simulate


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pictured")
    simulate(SimulationConfig(accounts=800, days=2, seed=3, pictures=True), out)
    return out


def test_events_point_at_pictures_that_exist(platform: Path) -> None:
    events = platform / "events"
    pictured = [
        item.event
        for path in sorted(events.glob("part-*"))
        for item in read_events(path)
        if isinstance(item, Located) and item.event.images()
    ]
    assert pictured
    for event in pictured:
        for ref in event.images():
            assert ref.path is not None
            assert (events / ref.path).is_file()
    kinds = {event.kind for event in pictured}
    assert {"message", "profile"} <= kinds  # ads and the avatars of ring members
    assert MediaLimits(roots=(events,)).roots == (events,)


def test_a_poster_carries_the_ring_s_handle_in_its_code(platform: Path) -> None:
    poster = platform / "events" / "media" / "ring-0001-v0.jpg"
    if not poster.exists():
        poster = next((platform / "events" / "media").glob("ring-*-v0.jpg"))
    with Image.open(poster) as image:
        [code] = read_codes(image.convert("RGB"), 4096)
    [entity] = payload_entities(code.payload)
    assert entity.kind.value in ("chat_handle", "qq", "phone")


def test_same_seed_same_bytes_pictures_included(platform: Path, tmp_path: Path) -> None:
    simulate(SimulationConfig(accounts=800, days=2, seed=3, pictures=True), tmp_path)
    assert digests(tmp_path) == digests(platform)
    bank = (platform / "banks" / "porn.txt").read_text(encoding="utf-8")
    assert all(line.startswith("pdq ") and len(line.split()[1]) == 64 for line in bank.splitlines())
