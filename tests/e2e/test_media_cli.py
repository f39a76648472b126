"""Pictures from the command line, as an operator uses them (a real subprocess each time):
``warden banks``, ``warden check --image``, and a simulated platform with pictures swept."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from running import warden

from pictures import PAYLOAD, ad, encoded, photo
from warden.media.pdq import pdq_hash


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_banks_create_add_import_export_list(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "ad.png").write_bytes(encoded(ad(), "PNG"))
    ok(warden(env, "banks", "create", "porn", "--description", "from partners"))
    added = ok(warden(env, "banks", "add", "porn", str(tmp_path / "ad.png"), "--tag", "seen"))
    assert "1 added, 0 already in" in added
    te = tmp_path / "simple.HASH_PDQ.te"
    te.write_text(f"1,{'a' * 64},2,2026-05-01,x\n2,zzz,3,2026-05-01,\n", encoding="utf-8")
    result = warden(env, "banks", "import", "porn", str(te))
    assert "1 added" in ok(result)
    assert f"{te}:2:" in result.stderr
    assert "not a PDQ hash" in result.stderr
    out = tmp_path / "porn.jsonl"
    ok(warden(env, "banks", "export", "porn", str(out)))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["signal_value"] for r in rows} == {pdq_hash(ad())[0], "a" * 64}
    assert {r["signal_type"] for r in rows} == {"pdq"}
    ok(warden(env, "banks", "import", "terror", str(out), "--create"))
    [porn, terror] = [
        json.loads(x) for x in ok(warden(env, "banks", "list", "--json")).splitlines()
    ]
    assert (porn["name"], porn["entries"], terror["entries"]) == ("porn", 2, 2)
    assert "flat to bank" in warden(env, "banks", "add", "porn", str(flat(tmp_path))).stderr
    bad = warden(env, "banks", "create", "Bad-Name")
    assert bad.returncode == 2
    assert "bank name 'Bad-Name'" in bad.stderr
    audit = ok(warden(env, "audit", "verify"))
    assert "ok" in audit.lower() or "verified" in audit.lower()


def flat(folder: Path) -> Path:
    path = folder / "grey.png"
    Image.new("RGB", (100, 100), (128, 128, 128)).save(path)
    return path


def test_check_image_shows_codes_text_boxes_and_bank_matches(
    env: dict[str, str], tmp_path: Path
) -> None:
    picture = tmp_path / "ad.jpg"
    picture.write_bytes(encoded(ad().resize((480, 360)), quality=60))
    ok(warden(env, "banks", "create", "porn"))
    (tmp_path / "orig.png").write_bytes(encoded(ad(), "PNG"))
    ok(warden(env, "banks", "add", "porn", str(tmp_path / "orig.png")))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff" + b"\0" * 40)
    lines = ok(warden(env, "check", "--json", "--image", str(picture), "--image", str(broken)))
    image, text, code, unread = (json.loads(line) for line in lines.splitlines())
    assert image["media"]["source"] == "image"
    [match] = image["media"]["bank_matches"]
    assert match["bank"] == "porn"
    assert match["distance"] <= 31
    assert text["media"]["source"] == "ocr"
    assert text["categories"]["sexual_services"] >= 0.8
    assert all(len(m["box"]) == 4 for m in text["matches"])
    assert code["text"] == PAYLOAD
    assert code["media"]["code_format"] == "QRCode"
    assert {"kind": "chat_handle", "value": "mm_love520", "source": "qr"}.items() <= next(
        e for e in code["entities"] if e["kind"] == "chat_handle"
    ).items()
    assert unread["media"]["media_id"] == "broken.jpg"
    assert "not a picture (43 bytes" in unread["media"]["problem"]
    shown = ok(warden(env, "check", "--image", str(picture)))
    assert "QRCode at box" in shown
    assert "bank match" in shown
    assert "box (x, y, w, h)" in shown
    missing = warden(env, "check", "--image", str(picture), "--bank-file", str(tmp_path / "no"))
    assert missing.returncode == 2
    assert "--bank-file: cannot read" in missing.stderr
    assert "bank match" in shown
    assert "box (x, y, w, h)" in shown


def test_check_image_reads_a_bank_file(env: dict[str, str], tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(encoded(photo(3), "PNG"))
    bank = tmp_path / "terror.txt"
    bank.write_text(f"pdq {pdq_hash(photo(3))[0]}\n", encoding="utf-8")
    [image] = [
        json.loads(x)
        for x in ok(
            warden(env, "check", "--json", "--image", str(picture), "--bank-file", str(bank))
        ).splitlines()
    ]
    assert image["media"]["bank_matches"][0]["bank"] == "terror"


@pytest.mark.slow
def test_a_platform_with_pictures_is_swept_with_its_bank(
    env: dict[str, str], tmp_path: Path
) -> None:
    platform = tmp_path / "platform"
    ok(
        warden(
            env,
            "simulate",
            "--accounts",
            "600",
            "--days",
            "2",
            "--seed",
            "5",
            "--out",
            str(platform),
            "--pictures",
        )
    )
    manifest = json.loads((platform / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pictures"] is True
    pictures = sorted((platform / "events" / "media").glob("*.jpg"))
    assert any(p.name.startswith("ring-") for p in pictures)
    assert any(p.name.startswith("photo-") for p in pictures)
    if manifest["banked_samples"]:
        ok(warden(env, "banks", "import", "porn", str(platform / "banks" / "porn.txt"), "--create"))
    summary = json.loads(
        ok(
            warden(
                env,
                "sweep",
                "--events",
                str(platform / "events"),
                "--out",
                str(tmp_path / "sweep"),
                "--shadow",
                "--truth",
                str(platform / "truth.parquet"),
                "--workers",
                "1",
                "--json",
            )
        )
    )
    impact = json.loads((tmp_path / "sweep" / "impact.json").read_text(encoding="utf-8"))
    fired = {rule for rule, row in impact["rules"].items() if row["fired_rows"]}
    assert "gambling_picture_ad" in fired or "escort_picture_ad" in fired
    if manifest["banked_samples"]:
        assert impact["rules"]["porn_bank_match"]["accounts"] > 0
    assert summary["counts"]["quarantined"] == 0  # every picture the simulator wrote was read
    quality = impact["quality"]
    assert quality["precision"] >= 0.95
