"""Bytes to pixels, refusing what is not a picture or would not fit in memory.

Pillow reads only the header in ``Image.open``; the pixel count is checked against
``max_pixels`` there, before a single pixel is decoded, so a 50,000 × 50,000 PNG of a few
kilobytes (a decompression bomb) costs nothing. Pillow's own bomb guard (a warning from
89 M pixels, an error from twice that) would fire later and globally; ours is per call and
lower. Truncated and corrupt files fail in ``load`` and are reported the same way.
Animated pictures give their first frame.
"""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image, UnidentifiedImageError

from warden.errors import MediaError
from warden.media.limits import MediaLimits

#: What Pillow raises for bytes it cannot decode (truncated, corrupt, unsupported).
_UNREADABLE = (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError)


def decode_image(raw: bytes, media_id: str, limits: MediaLimits) -> Image.Image:
    """The picture in ``raw`` as RGB pixels; raises :class:`MediaError` naming the defect."""
    if not raw:
        raise MediaError(f"media {media_id!r}: zero bytes (an empty file is not a picture)")
    if len(raw) > limits.max_bytes:
        raise MediaError(
            f"media {media_id!r}: {len(raw)} bytes is over the limit of {limits.max_bytes} "
            "bytes (max_bytes)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            width, height = image.size
            if width * height > limits.max_pixels:
                raise MediaError(
                    f"media {media_id!r}: {width}×{height} = {width * height} pixels is over "
                    f"the limit of {limits.max_pixels} pixels (max_pixels; a decompression "
                    "bomb or an oversized picture)"
                )
            image.load()
            return image if image.mode == "RGB" else image.convert("RGB")
    except MediaError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow refuses twice its own limit in open
        over = "the limit of " + (
            f"{limits.max_pixels} pixels (max_pixels)"
            if limits.max_pixels < 2 * (Image.MAX_IMAGE_PIXELS or 0)
            else "Pillow's decompression-bomb guard"
        )
        raise MediaError(f"media {media_id!r}: more pixels than {over}: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise MediaError(
            f"media {media_id!r}: not a picture ({len(raw)} bytes in no image format Pillow "
            "reads: JPEG, PNG, GIF, WebP, BMP, TIFF…)"
        ) from exc
    except _UNREADABLE as exc:
        raise MediaError(
            f"media {media_id!r}: not a readable picture ({type(exc).__name__}: {exc})"
        ) from exc
