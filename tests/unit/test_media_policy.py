"""Pictures reach the policy: the media.* names, the default pack's picture rules, a close
held for review that locks meanwhile, and near-identical pictures as one ring entity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from warden.accounts.counters import MemoryCounters
from warden.accounts.features import FeatureFolder
from warden.domain.actions import ActionType, CaseKind
from warden.domain.events import MessageEvent, PostEvent, parse_event
from warden.domain.verdicts import BankMatch, Entity, EntityKind, MediaSpot, Platform, Verdict
from warden.enforce.planner import Standing, plan
from warden.io.events import Quarantined, validate_record
from warden.policy import load_pack
from warden.policy.errors import PolicyError
from warden.sweep.rings import canonical_images

ROOT = Path(__file__).resolve().parents[2]
PACK = load_pack(ROOT / "policies" / "default.yaml")
T0 = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)
A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def message(**extra: object) -> dict[str, object]:
    return {
        "kind": "message",
        "event_id": "m1",
        "account_id": "u1",
        "ts": T0.isoformat(),
        "recipient_id": "u2",
        "text": "看图",
        **extra,
    }


def test_media_refs_validate_and_old_events_still_do() -> None:
    event = parse_event(message(media=[{"media_id": "p1", "path": "media/p1.jpg"}]))
    assert isinstance(event, MessageEvent)
    assert [r.media_id for r in event.images()] == ["p1"]
    assert parse_event(message()).images() == ()  # written before media existed
    post = parse_event(
        {
            "kind": "post",
            "event_id": "p",
            "account_id": "o",
            "ts": T0.isoformat(),
            "text": "x",
            "media": [{"media_id": "a", "data": "AAAA"}],
        }
    )
    assert isinstance(post, PostEvent)
    assert post.images()[0].data == "AAAA"


@pytest.mark.parametrize(
    ("media", "field", "reason"),
    [
        ([{"media_id": "p1"}], "media.0", "exactly one of url, path and data"),
        ([{"media_id": "p1", "path": "a", "url": "https://x/y"}], "media.0", "exactly one"),
        ([{"media_id": "p1", "path": "a", "sha256": "XYZ"}], "media.0.sha256", "pattern"),
        ([{"media_id": "", "path": "a"}], "media.0.media_id", "at least 1 character"),
        ([{"media_id": f"p{n}", "path": "a"} for n in range(17)], "media", "at most 16"),
        ([{"media_id": "p1", "path": "a", "colour": "red"}], "media.0.colour", "Extra inputs"),
    ],
)
def test_bad_media_refs_are_quarantined_naming_the_field(
    media: list[dict[str, str]], field: str, reason: str
) -> None:
    result = validate_record(message(media=media), "f.jsonl", 3, "raw")
    assert isinstance(result, Quarantined)
    assert result.field == field
    assert reason in result.reason


def picture_verdicts(bank: str | None = None) -> list[Verdict]:
    code = Verdict(
        text="https://u.wechat.com/mm520",
        categories={},
        entities=(
            Entity(
                EntityKind.CHAT_HANDLE,
                "mm520",
                0,
                26,
                "https://u.wechat.com/mm520",
                Platform.WECHAT,
                "qr",
            ),
        ),
        media=MediaSpot("p1", "qr", box=(400, 300, 150, 150)),
    )
    text = Verdict(
        text="上门服务 包夜",
        categories={"sexual_services": 0.9},
        media=MediaSpot("p1", "ocr"),
    )
    matches = (BankMatch(bank, "e-1", 7, A),) if bank else ()
    image = Verdict(
        text="",
        categories={},
        media=MediaSpot("p1", "image", pdq=A, quality=90, bank_matches=matches),
    )
    return [image, text, code]


def test_pictures_fold_into_the_media_names() -> None:
    folder = FeatureFolder(MemoryCounters(), PACK.categories, banks=PACK.banks)
    event = parse_event(message(media=[{"media_id": "p1", "path": "p1.jpg"}]))
    folder.fold(event, picture_verdicts("porn"))
    env = folder.features("u1", T0 + timedelta(minutes=1))
    assert env["media.score.sexual_services"] == 0.9
    assert env["media.qr_contacts"] == 1.0
    assert env["media.bank_match.porn"] == 1.0
    assert env["media.bank_match.terror"] == 0.0
    assert env["entities.has_contact"] is True  # a contact in a QR code is a contact
    assert env["intent.sexual_services"] == pytest.approx(0.9)  # the picture's text counts
    fired = {d.rule_id for d in PACK.evaluate(env, account_id="u1", at=T0)}
    assert {"escort_picture_ad", "porn_bank_match"} <= fired


def test_a_pack_names_its_banks_and_rules_may_read_only_those(tmp_path: Path) -> None:
    text = (ROOT / "policies" / "default.yaml").read_text(encoding="utf-8")
    text = text.replace("campaigns:\n  - thunder-strike", "campaigns: []")
    path = tmp_path / "pack.yaml"
    path.write_text(text.replace("media.bank_match.terror", "media.bank_match.csam"), "utf-8")
    with pytest.raises(PolicyError, match=r"media\.bank_match\.csam"):
        load_pack(path)
    path.write_text(text.replace("banks: [porn, terror]", "banks: [porn, terror, csam]"), "utf-8")
    assert load_pack(path).banks == ("porn", "terror", "csam")
    assert "media.bank_match.csam" in load_pack(path).names


def test_a_close_held_for_review_locks_meanwhile() -> None:
    quiet: dict[str, float | bool] = dict.fromkeys(PACK.names, 0.0)
    [bank_match] = PACK.evaluate(
        quiet | {"media.bank_match.terror": 1.0, "entities.has_contact": False},
        account_id="a",
        at=T0,
    )
    assert (bank_match.rule_id, bank_match.jump_to) == ("terror_bank_match", ActionType.CLOSE)
    result = plan(
        [bank_match], Standing("a"), ladder=PACK.next_step, cap_exceeded=lambda r, c: False
    )
    close, lock = result.actions
    assert (close.type, close.needs_review) == (ActionType.CLOSE, CaseKind.CLOSE_REVIEW)
    assert (lock.type, lock.needs_review, lock.strikes_given) == (ActionType.LOCK, None, 0)
    assert lock.until == T0 + timedelta(days=30)  # the terror ladder's lock
    assert "locked while the close is reviewed" in lock.reason
    locked = Standing("a", state="locked", locked_until=T0 + timedelta(days=90))
    again = plan([bank_match], locked, ladder=PACK.next_step, cap_exceeded=lambda r, c: False)
    assert [a.type for a in again.actions] == [ActionType.CLOSE]  # already locked for longer


def test_near_identical_pictures_are_one_ring_entity() -> None:
    b = A[:-2] + "00"  # a few bits away
    far = "".join("0" if c != "0" else "f" for c in A)
    links = pa.table(
        {
            "account_id": ["u1", "u2", "u3", "u4"],
            "entity": [f"image:{A}", f"image:{b}", f"image:{far}", "chat_handle:x"],
            "event_id": ["e1", "e2", "e3", "e4"],
            "_ts_us": [1, 2, 3, 4],
        }
    )
    entities = canonical_images(links).column("entity").to_pylist()
    assert entities[0] == entities[1] == f"image:{min(A, b)}"
    assert entities[2] == f"image:{far}"
    assert entities[3] == "chat_handle:x"
