"""Pictures for the simulated platform: rings' ad pictures with a QR code, ordinary photos.

With ``--pictures`` a run writes its pictures under ``OUT/events/media/`` and events refer
to them by relative ``path`` (``media/ring-0003-v2.jpg``) — ``warden ingest`` and ``warden
sweep`` read pictures next to the event files they are given.

* **Ad pictures** — per ring, one poster: the ring's ad text rendered with a CJK font
  (Noto Sans CJK from Debian's ``fonts-noto-cjk``) on a coloured background, and a QR code
  of the ring's handle as the chat app encodes it (``https://u.wechat.com/<handle>``,
  ``https://t.me/<handle>``, ``mqqapi://…uin=<qq>``, ``tel:``). Members post
  :data:`VARIANTS` copies of it — re-encoded at JPEG 50, shrunk to 60 %, cropped by 4 % on
  every side — so linking them takes a perceptual hash, not a checksum; careful members
  post it with a harmless line, so only the picture says what they sell.
* **Porn sellers' samples** — a ring's "sample" picture whose PDQ hash the run also writes
  to ``OUT/banks/porn.txt``: what a hash-sharing partner would send (the events carry
  re-encoded copies). ``warden banks import porn OUT/banks/porn.txt --create`` loads it.
* **Ordinary photos** — skies, hills and blobs drawn at random, one new picture each, so
  ordinary people share no picture by accident.

Every picture is a pure function of the seed and its name: the same config writes the same
bytes.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

if TYPE_CHECKING:
    from warden.simulate.content import Handle

#: Debian's fonts-noto-cjk; the simulator needs one CJK font to draw Chinese ads.
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
VARIANTS = 4  # copies of a ring's picture: as made, JPEG 50, 60 %, 4 % off each side
POSTER = (640, 480)
PHOTO = (320, 240)
BACKGROUNDS = ((253, 226, 236), (255, 244, 214), (226, 240, 255), (235, 255, 235), (30, 30, 40))


def qr_payload(handle: Handle) -> str:
    """What a chat app's QR code for ``handle`` holds (see :mod:`warden.media.payloads`)."""
    if handle.kind == "wechat":
        return f"https://u.wechat.com/{handle.value}"
    if handle.kind == "telegram":
        return f"https://t.me/{handle.value.lstrip('@')}"
    if handle.kind == "qq":
        return f"mqqapi://card/show_pslcard?src_type=internal&uin={handle.value}"
    return "tel:" + "".join(c for c in handle.value if c.isdigit() or c == "+")


def font_path() -> str:
    """The first CJK font installed, or an explanation of what to install."""
    for candidate in FONTS:
        if Path(candidate).is_file():
            return candidate
    raise FileNotFoundError(
        f"--pictures needs a CJK font; none of {', '.join(FONTS)} (install fonts-noto-cjk)"
    )


def poster(lines: list[str], payload: str | None, rng: random.Random, font: str) -> Image.Image:
    """An ad poster: ``lines`` of text (30–40 px) and, when given, a QR code of ``payload``."""
    background = rng.choice(BACKGROUNDS)
    ink = (245, 245, 245) if sum(background) < 200 else (20, 20, 20)
    image = Image.new("RGB", POSTER, background)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(2, 5)):  # some decoration: what ads look like
        x = rng.randrange(POSTER[0])
        r, g, b = (max(0, min(255, c + rng.randint(-40, 40))) for c in background)
        draw.rectangle((x, 0, x + rng.randint(10, 60), POSTER[1]), fill=(r, g, b))
    size = rng.randint(30, 40)
    face = ImageFont.truetype(font, size)
    y = 24
    for line in lines[:6]:
        draw.text((24, y), line, font=face, fill=ink if rng.random() < 0.7 else (200, 20, 40))
        y += int(size * 1.6)
    if payload is not None:
        code = segno.make(payload, error="m")
        buffer = io.BytesIO()
        code.save(buffer, kind="png", scale=5, border=2)
        picture = Image.open(buffer).convert("RGB")
        image.paste(picture, (POSTER[0] - picture.width - 24, POSTER[1] - picture.height - 24))
    return image


def photo(rng: random.Random, size: tuple[int, int] = PHOTO) -> Image.Image:
    """An ordinary-looking photo: a sky, a horizon, a few blurred shapes, grain."""
    width, height = size
    sky = (rng.randint(90, 200), rng.randint(140, 220), rng.randint(200, 255))
    ground = (rng.randint(40, 140), rng.randint(80, 160), rng.randint(30, 90))
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(height // 3, 2 * height // 3)
    draw.rectangle((0, horizon, width, height), fill=ground)
    for _ in range(rng.randint(3, 9)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(max(2, width // 40), max(3, width // 5))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.0)))
    # grain from the run's seed (Pillow's effect_noise draws from C's rand(): not ours)
    grain = np.random.default_rng(rng.randrange(2**32)).normal(128, rng.uniform(8, 20), size[::-1])
    noise = Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8)).convert("RGB")
    return Image.blend(image, noise, 0.08)


def variant(image: Image.Image, number: int) -> bytes:
    """Copy ``number`` of a ring's picture as JPEG bytes (see :data:`VARIANTS`)."""
    quality = 85
    if number == 1:
        quality = 50
    elif number == 2:
        image = image.resize(
            (image.width * 3 // 5, image.height * 3 // 5), Image.Resampling.BILINEAR
        )
    elif number == 3:
        dx, dy = image.width * 4 // 100, image.height * 4 // 100
        image = image.crop((dx, dy, image.width - dx, image.height - dy))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@dataclass
class Album:
    """The pictures of one run, written to ``folder`` as they are first used."""

    folder: Path
    seed: int
    font: str = field(default_factory=font_path)
    _posters: dict[str, Image.Image] = field(default_factory=dict)
    _written: set[str] = field(default_factory=set)
    _photos: int = 0
    banked: dict[str, str] = field(default_factory=dict)  # porn sample name → PDQ hex

    def ad(
        self,
        ring_id: str,
        lines: list[str],
        handle: Handle | None,
        number: int,
        *,
        sample: bool = False,
    ) -> dict[str, Any]:
        """A media reference to copy ``number`` of ring ``ring_id``'s poster (made from
        ``lines`` and ``handle`` the first time); ``sample`` marks a porn seller's sample,
        whose hash goes to the bank file."""
        name = f"{ring_id}-v{number % VARIANTS}"
        if name not in self._written:
            master = self._posters.get(ring_id)
            if master is None:
                rng = random.Random(f"{self.seed}:{ring_id}")
                payload = qr_payload(handle) if handle is not None else None
                master = self._posters[ring_id] = poster(lines, payload, rng, self.font)
                if sample:
                    from warden.media.pdq import pdq_hash

                    self.banked[ring_id] = pdq_hash(master)[0]
            self._write(name, variant(master, number % VARIANTS))
        return {"media_id": name, "path": f"media/{name}.jpg"}

    def photo(self) -> dict[str, Any]:
        """A media reference to a new ordinary photo."""
        self._photos += 1
        name = f"photo-{self._photos:06d}"
        buffer = io.BytesIO()
        photo(random.Random(f"{self.seed}:{name}")).save(buffer, "JPEG", quality=80)
        self._write(name, buffer.getvalue())
        return {"media_id": name, "path": f"media/{name}.jpg"}

    def _write(self, name: str, raw: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{name}.jpg").write_bytes(raw)
        self._written.add(name)

    def write_bank(self, path: Path) -> int:
        """The porn samples' hashes as a plain bank file (``txt``); returns how many."""
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            f"pdq {pdq} simulated-sample {ring}\n" for ring, pdq in sorted(self.banked.items())
        ]
        path.write_text("".join(lines), encoding="utf-8")
        return len(lines)
