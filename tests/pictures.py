"""Pictures the media tests draw: an ad with a QR code and readable Chinese text, a photo,
and broken files. Everything is generated (nothing downloaded); the CJK font is Debian's
fonts-noto-cjk, which CI installs (.ci/run)."""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib

import segno
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
PAYLOAD = "https://u.wechat.com/mm_love520"


def ad(
    payload: str = PAYLOAD, lines: tuple[str, ...] = ("上门服务 包夜 全套", "加微信 mm520")
) -> Image.Image:
    """A 640×480 escort ad: text at 36 px and a QR code at the bottom right."""
    image = Image.new("RGB", (640, 480), (253, 230, 240))
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(FONT, 36)
    for number, line in enumerate(lines):
        draw.text((24, 24 + number * 60), line, font=face, fill=(20, 20, 20))
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=5, border=2)
    code = Image.open(buffer).convert("RGB")
    image.paste(code, (640 - code.width - 24, 480 - code.height - 24))
    return image


def photo(seed: int = 1) -> Image.Image:
    """A 320×240 picture of blobs: structure enough for a good PDQ quality, no text."""
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), (rng.randrange(256), 180, 220))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y, r = rng.randrange(320), rng.randrange(240), rng.randint(10, 60)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    return image


def encoded(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def inline(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header claiming ``width × height`` pixels in a few hundred bytes (the
    rows are never decoded: the pixel limit refuses it first)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    rows = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
