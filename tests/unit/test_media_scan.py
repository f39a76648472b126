"""Screening pictures with the real decoders: QR codes (zxing-cpp), text (Tesseract), PDQ and
banks — and every bad input reported, never raised, with the rest still screened."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import segno
from PIL import Image

from pictures import PAYLOAD, ad, bomb, encoded, inline, photo
from warden.detect.screener import Screener
from warden.domain.events import MediaRef
from warden.domain.verdicts import EntityKind, Platform
from warden.media import payloads, qr
from warden.media.banks import BankEntry, BankMatcher
from warden.media.limits import MediaLimits
from warden.media.pdq import distance, pdq_hash
from warden.media.scan import MediaScanner, problems


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


@pytest.fixture(scope="module")
def picture() -> bytes:
    return encoded(ad(), quality=85)


def test_an_ad_gives_its_code_its_text_and_its_hash(screener: Screener, picture: bytes) -> None:
    banked = pdq_hash(ad())[0]
    scanner = MediaScanner(screener, banks=BankMatcher([BankEntry("porn", "e-1", banked)]))
    image, text, code = scanner.scan_bytes(picture, "ad-1")
    assert [v.media.source for v in (image, text, code) if v.media] == ["image", "ocr", "qr"]

    assert image.media is not None
    assert image.media.sha256
    assert image.media.quality >= 50
    assert image.media.size == (640, 480)
    [match] = image.media.bank_matches
    assert (match.bank, match.entry, match.hash) == ("porn", "e-1", banked)
    assert match.distance == distance(image.media.pdq, banked) <= 31
    assert [(e.kind, e.source) for e in image.entities] == [(EntityKind.IMAGE, "pdq")]

    assert text.categories["sexual_services"] >= 0.8
    night = next(m for m in text.matches if m.term == "包夜")
    assert night.box is not None
    left, top, width, height = night.box
    assert 24 <= left < 640 // 2
    assert top < 100
    assert width > 0
    assert height > 0
    assert text.text[night.start : night.end] == "包夜"  # spans index the text as read

    assert code.text == PAYLOAD
    assert code.media is not None
    assert code.media.code_format == "QRCode"
    assert code.media.box is not None
    assert code.media.box[0] > 320
    handle = next(e for e in code.entities if e.kind is EntityKind.CHAT_HANDLE)
    assert (handle.value, handle.platform, handle.source) == ("mm_love520", Platform.WECHAT, "qr")


def test_banked_picture_matches_after_reencoding_and_resizing(screener: Screener) -> None:
    original = ad()
    matcher = BankMatcher([BankEntry("porn", "e-1", pdq_hash(original)[0])])
    scanner = MediaScanner(screener, MediaLimits(ocr=False), banks=matcher)
    smaller = original.resize((320, 240), Image.Resampling.BILINEAR)
    [image, code] = scanner.scan_bytes(encoded(smaller, quality=50), "copy")
    assert image.media is not None
    assert image.media.bank_matches
    assert code.text == PAYLOAD  # the code still decodes at half size and JPEG 50
    unrelated = scanner.scan_bytes(encoded(photo(5)), "other")[0]
    assert unrelated.media is not None
    assert not unrelated.media.bank_matches


def test_flat_pictures_are_not_matched(screener: Screener) -> None:
    flat = Image.new("RGB", (200, 200), (128, 128, 128))
    matcher = BankMatcher([BankEntry("porn", "flat", pdq_hash(flat)[0])])
    [image] = MediaScanner(screener, MediaLimits(ocr=False), banks=matcher).scan_bytes(
        encoded(flat, "PNG"), "grey"
    )
    assert image.media is not None
    assert image.media.quality < 50
    assert not image.media.bank_matches
    assert not image.entities


def test_bad_pictures_are_reported_and_the_rest_is_screened(
    screener: Screener, picture: bytes, tmp_path: Path
) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    limits = MediaLimits(ocr=False, max_bytes=2_000_000, roots=(tmp_path,))
    scanner = MediaScanner(screener, limits)
    refs = [
        MediaRef(media_id="empty", path="empty.jpg"),
        MediaRef(media_id="text", data=inline(b"not a picture at all")),
        MediaRef(media_id="cut", data=inline(picture[: len(picture) // 3])),
        MediaRef(media_id="bomb", data=inline(bomb())),
        MediaRef(media_id="outside", path="/etc/hosts"),
        MediaRef(media_id="host", url="https://elsewhere.example/x.jpg"),
        MediaRef(media_id="good", data=inline(picture)),
    ]
    [verdicts] = scanner.scan([refs])
    reported = dict(problems(verdicts))
    assert set(reported) == {"empty", "text", "cut", "bomb", "outside", "host"}
    assert "zero bytes" in reported["empty"]
    assert "not a picture" in reported["text"]
    assert "not a readable picture" in reported["cut"]
    assert "max_pixels" in reported["bomb"]
    assert "media roots" in reported["outside"]
    assert "not allowed" in reported["host"]
    good = [v for v in verdicts if v.media and v.media.media_id == "good"]
    assert {v.media.source for v in good if v.media} == {"image", "qr"}
    assert all(re.search(r"media '\w+'", reason) for reason in reported.values())


def test_a_payload_over_the_limit_is_cut_and_reported(screener: Screener) -> None:
    long = "https://example.com/" + "a" * 1500
    buffer = io.BytesIO()
    segno.make(long, error="l").save(buffer, kind="png", scale=3, border=4)
    scanner = MediaScanner(screener, MediaLimits(ocr=False, max_payload=200))
    code = scanner.scan_bytes(buffer.getvalue(), "long")[-1]
    assert code.media is not None
    assert code.media.source == "qr"
    assert len(code.text) == 200
    assert "payload of 1520 characters is over the limit of 200 (max_payload)" in (
        code.media.problem
    )


def test_a_megabyte_payload_never_reaches_screening(monkeypatch: pytest.MonkeyPatch) -> None:
    # no real code holds a megabyte: a forged decoder result stands in for one
    corner = SimpleNamespace(x=1, y=2)
    forged = SimpleNamespace(
        valid=True,
        text="加微信 x" * 250_000,
        format=SimpleNamespace(name="QRCode"),
        position=SimpleNamespace(
            top_left=corner, top_right=corner, bottom_right=corner, bottom_left=corner
        ),
    )
    monkeypatch.setattr(qr.zxingcpp, "read_barcodes", lambda image, **options: [forged])
    [code] = qr.read_codes(Image.new("L", (10, 10)), 4096)
    assert code.length == 1_250_000
    assert len(code.payload) == 4096
    assert code.truncated


PAYLOAD_TABLE = re.findall(
    r"^    (\S+)\s{2,}(\w+)\s+(?:(wechat|qq|telegram|whatsapp)\s+)?(\S+)$",
    payloads.__doc__ or "",
    flags=re.MULTILINE,
)


def test_the_payload_table_has_every_row() -> None:
    assert len(PAYLOAD_TABLE) == 10


@pytest.mark.parametrize("row", PAYLOAD_TABLE)
def test_the_payload_table_in_the_docstring_holds(row: tuple[str, str, str, str]) -> None:
    payload, kind, platform, value = row
    found = payloads.payload_entities(payload)
    assert (found[0].kind.value, found[0].value) == (kind, value)
    assert (found[0].platform.value if found[0].platform else "") == platform
    assert found[0].source == "qr"


def test_payload_entities_for_cards_and_plain_links() -> None:
    vcard = "BEGIN:VCARD\nTEL;TYPE=cell:13800138000\nEND:VCARD"
    assert [e.value for e in payloads.payload_entities(vcard)] == ["+8613800138000"]
    assert [e.value for e in payloads.payload_entities("MECARD:N:Li;TEL:13800138000;;")] == [
        "+8613800138000"
    ]
    [url] = payloads.payload_entities("see https://shop.example.com/item/7.")
    assert (url.kind, url.value) == (EntityKind.URL, "shop.example.com/item/7")
    assert payloads.payload_entities("just words") == []
