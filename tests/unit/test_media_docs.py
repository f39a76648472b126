"""docs/media.md stays true: its settings table, its rules table, its bank-file example."""

from __future__ import annotations

import re
from pathlib import Path

from warden.media.exchange import read_bank_file
from warden.media.limits import MediaLimits
from warden.policy import load_pack
from warden.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "media.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return DOC.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_settings_table_matches_the_settings() -> None:
    rows = re.findall(
        r"^\| `(WARDEN_MEDIA_\w+)` \| `?([^`|]+?)`? \|",
        section("Limits and what bad input gives"),
        re.M,
    )
    documented = dict(rows)
    fields = {f"WARDEN_{name.upper()}": field for name, field in Settings.model_fields.items()}
    media = {name for name in fields if name.startswith("WARDEN_MEDIA_")}
    assert set(documented) == media
    defaults = Settings.model_fields
    assert documented["WARDEN_MEDIA_MAX_BYTES"] == str(defaults["media_max_bytes"].default)
    assert documented["WARDEN_MEDIA_MAX_PIXELS"] == str(defaults["media_max_pixels"].default)
    assert documented["WARDEN_MEDIA_OCR"] == "true"
    limits = Settings(_env_file=None).media_limits()  # type: ignore[call-arg]
    assert (limits.max_bytes, limits.max_pixels) == (
        MediaLimits().max_bytes,
        MediaLimits().max_pixels,
    )
    assert limits.roots == ()
    assert not limits.fetching
    assert f"| {MediaLimits().max_payload} characters |" in DOC
    settings_doc = (ROOT / "src" / "warden" / "settings.py").read_text(encoding="utf-8")
    assert all(f"``{name}``" in settings_doc for name in media)


def test_the_rules_table_is_the_default_packs() -> None:
    pack = load_pack(ROOT / "policies" / "default.yaml")
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", section("Policy"), re.M)
    assert [rule for rule, _ in rows] == [
        "escort_picture_ad",
        "gambling_picture_ad",
        "porn_bank_match",
        "terror_bank_match",
    ]
    conditions = {r.id: " ".join(r.when.split()) for r in pack.rules}
    for rule, when in rows:
        assert conditions[rule] == when
    assert set(pack.banks) == {"porn", "terror"}


def test_the_bank_file_example_reads() -> None:
    example = section("Hash banks").split("```\n12345,", 1)[1].split("\n```", 1)[0]
    entries, rejected, _ = read_bank_file("12345," + example, "porn", "te", "example.te")
    assert not rejected
    assert [(e.content_id, e.tags) for e in entries] == [("12345", ("porn", "media_type_photo"))]
