"""Reading pictures: every source's guard, and every kind of bad file, named with its limit."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import pytest

from pictures import bomb, encoded, inline, photo
from warden.domain.events import MediaRef
from warden.errors import MediaError
from warden.media.fetch import read_media
from warden.media.images import decode_image
from warden.media.limits import MediaLimits, with_root

JPEG = encoded(photo())
PNG = encoded(photo(), "PNG")


def refused(ref: MediaRef, limits: MediaLimits, client: httpx.Client | None = None) -> str:
    with pytest.raises(MediaError) as caught:
        read_media(ref, limits, client)
    message = str(caught.value)
    assert repr(ref.media_id) in message  # every reason names the picture
    return message


def test_inline_data_with_its_checksum() -> None:
    ref = MediaRef(media_id="m1", data=inline(JPEG), sha256=hashlib.sha256(JPEG).hexdigest())
    assert read_media(ref, MediaLimits()) == JPEG
    wrong = MediaRef(media_id="m1", data=inline(JPEG), sha256="0" * 64)
    assert "does not match" in refused(wrong, MediaLimits())
    assert "not valid base64" in refused(MediaRef(media_id="m2", data="@@@@"), MediaLimits())
    message = refused(MediaRef(media_id="m3", data=inline(JPEG)), MediaLimits(max_bytes=100))
    assert "limit of 100 bytes (max_bytes)" in message


def test_local_paths_only_under_the_roots(tmp_path: Path) -> None:
    root = tmp_path / "media"
    root.mkdir()
    (root / "a.jpg").write_bytes(JPEG)
    (tmp_path / "secret.jpg").write_bytes(JPEG)
    os.symlink(tmp_path / "secret.jpg", root / "link.jpg")
    limits = MediaLimits(roots=(root,))
    assert read_media(MediaRef(media_id="a", path="a.jpg"), limits) == JPEG
    assert read_media(MediaRef(media_id="a", path=str(root / "a.jpg")), limits) == JPEG
    assert read_media(MediaRef(media_id="a", url=f"file://{root}/a.jpg"), limits) == JPEG
    for path in ("../secret.jpg", str(tmp_path / "secret.jpg"), "link.jpg", "/etc/passwd"):
        message = refused(MediaRef(media_id="x", path=path), limits)
        assert "not a file under the allowed media roots" in message
        assert str(root) in message
    assert "no media roots are allowed" in refused(
        MediaRef(media_id="x", path="a.jpg"), MediaLimits()
    )
    big = MediaLimits(roots=(root,), max_bytes=10)
    assert "limit of 10 bytes" in refused(MediaRef(media_id="a", path="a.jpg"), big)
    events = tmp_path / "events.jsonl"
    assert with_root(MediaLimits(), events).roots == (tmp_path,)


def test_urls_only_from_allowed_hosts() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/big":
            return httpx.Response(200, content=b"x" * 5000)
        if request.url.path == "/gone":
            return httpx.Response(404)
        if request.url.path == "/slow":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, content=JPEG)

    client = httpx.Client(transport=httpx.MockTransport(answer))
    limits = MediaLimits(hosts=frozenset({"img.example.com"}), max_bytes=4096 * 4)
    ok = MediaRef(media_id="u", url="https://img.example.com/a.jpg")
    assert read_media(ok, limits, client) == JPEG
    message = refused(MediaRef(media_id="u", url="https://evil.example.net/a.jpg"), limits, client)
    assert "host 'evil.example.net' is not allowed" in message
    assert "img.example.com" in message
    assert "fetching is off" in refused(ok, MediaLimits(), client)
    small = MediaLimits(hosts=frozenset({"img.example.com"}), max_bytes=1000)
    big = MediaRef(media_id="u", url="https://img.example.com/big")
    assert "more than the limit of 1000 bytes" in refused(big, small, client)
    gone = MediaRef(media_id="u", url="https://img.example.com/gone")
    assert "answered 404" in refused(gone, limits, client)
    slow = MediaRef(media_id="u", url="https://img.example.com/slow")
    assert "longer than the limit of 5.0 s (timeout)" in refused(slow, limits, client)
    ftp = MediaRef(media_id="u", url="ftp://img.example.com/a.jpg")
    assert "scheme 'ftp' is not supported" in refused(ftp, limits, client)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "zero bytes"),
        (b"this is a text file, not a picture", "not a picture"),
        (JPEG[: len(JPEG) // 2], "not a readable picture"),  # truncated
        (PNG[:100] + bytes(b ^ 0x5A for b in PNG[100:300]) + PNG[300:], "not a readable"),
        (bomb(6000, 7000), "42000000 pixels is over the limit of 40000000 pixels (max_pixels"),
        (bomb(), "more pixels than the limit of 40000000 pixels (max_pixels)"),
    ],
    ids=["zero-byte", "non-image", "truncated", "corrupt", "bomb", "huge-bomb"],
)
def test_bad_files_are_named_with_their_limit(raw: bytes, reason: str) -> None:
    with pytest.raises(MediaError) as caught:
        decode_image(raw, "pic-9", MediaLimits())
    assert "'pic-9'" in str(caught.value)
    assert reason in str(caught.value)


def test_a_limit_above_pillows_guard_still_refuses_bombs() -> None:
    # between Pillow's warning (89 M) and its error (179 M): no warning escapes either
    with pytest.raises(MediaError, match="pixels is over the limit of 50000000"):
        decode_image(bomb(10_000, 10_000), "b", MediaLimits(max_pixels=50_000_000))
    with pytest.raises(MediaError, match="Pillow's decompression-bomb guard"):
        decode_image(bomb(60_000, 60_000), "b", MediaLimits(max_pixels=10**10))


def test_other_formats_decode_to_rgb() -> None:
    for fmt in ("PNG", "GIF", "WEBP", "BMP"):
        image = decode_image(
            encoded(photo().convert("P") if fmt == "GIF" else photo(), fmt), "p", MediaLimits()
        )
        assert image.mode == "RGB"
        assert image.size == (320, 240)
