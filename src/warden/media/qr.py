"""Every QR code and barcode in a picture, with where it is (zxing-cpp).

zxing-cpp finds several codes in one picture, inverted (light on dark) or small (it also
scans downscaled copies), and 2-D codes — QR, Data Matrix, Aztec — at any angle, by their
finder patterns. Its extra search for 1-D barcodes turned by 90° is switched off: the
contacts ads carry are QR codes, and that search cost 45 % of the time on the benchmark's
ads (``bench/media.py``: 139 → 252 pictures/s). The picture is handed over in grey: the
decoder binarizes anyway, and one byte a pixel is a third of the copying. A payload is cut to
``max_payload`` characters — no real QR code holds more than ~7,000 — so a forged code
cannot feed megabytes to screening; :attr:`Code.length` keeps the length that was read.
"""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from PIL import Image

from warden.domain.verdicts import Box


@dataclass(frozen=True, slots=True)
class Code:
    """One decoded code: its format, payload (cut to the limit) and bounding box."""

    format: str
    payload: str
    box: Box
    length: int  # characters of the payload as decoded, before the cut

    @property
    def truncated(self) -> bool:
        return self.length > len(self.payload)


def read_codes(image: Image.Image, max_payload: int) -> list[Code]:
    """The codes in ``image``, top to bottom then left to right."""
    grey = image if image.mode == "L" else image.convert("L")
    found: list[Code] = []
    for barcode in zxingcpp.read_barcodes(grey, try_rotate=False):
        if not barcode.valid:
            continue
        text = barcode.text
        found.append(
            Code(
                format=barcode.format.name,
                payload=text[:max_payload],
                box=_box(barcode.position),
                length=len(text),
            )
        )
    return sorted(found, key=lambda code: (code.box[1], code.box[0], code.payload))


def _box(position: zxingcpp.Position) -> Box:
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs = [point.x for point in corners]
    ys = [point.y for point in corners]
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
