"""Pictures through the one decision path, on SQLite and PostgreSQL: a banked picture locks
at once and queues the close for review, with the bank entry and distance as evidence; a
picture that cannot be read is quarantined, naming it and the limit, while its event's text
is still screened and decided; banks round-trip through the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine

from pictures import ad, encoded, inline
from warden.console import casefile
from warden.detect.screener import Screener
from warden.domain.actions import ActionStatus, ActionType
from warden.enforce.ingest import Ingestor
from warden.errors import InputError
from warden.io.events import read_events
from warden.media.banks import BankEntry
from warden.media.limits import MediaLimits
from warden.media.pdq import pdq_hash
from warden.policy import PolicyPack, load_pack
from warden.store import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 6, 10, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def deciding() -> tuple[Screener, PolicyPack]:
    """The default lexicons and pack (built once for the module)."""
    return Screener.from_lexicons(), load_pack(ROOT / "policies" / "default.yaml")


def write(path: Path, events: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return path


def message(number: int, account: str, text: str, media: list[dict[str, str]]) -> dict[str, object]:
    return {
        "kind": "message",
        "event_id": f"m{number}",
        "account_id": account,
        "ts": (T0 + timedelta(minutes=number)).isoformat(),
        "recipient_id": f"v{number}",
        "text": text,
        "media": media,
    }


def test_banks_round_trip_in_the_store(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        assert uow.banks.create("porn", "known porn", T0)
        assert not uow.banks.create("porn", "again", T0)
        entries = [BankEntry("porn", f"c{n}", f"{n:064x}", ("t",), "test") for n in range(3)]
        assert uow.banks.add_entries(entries, T0) == 3
        assert uow.banks.add_entries(entries[:2], T0) == 0  # idempotent by (bank, hash)
        with pytest.raises(InputError, match="bank 'terror' does not exist"):
            uow.banks.add_entries([BankEntry("terror", "x", "f" * 64)], T0)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.banks.list() == [("porn", "known porn", T0, 3)]
        assert uow.banks.entries(["porn"]) == entries
        assert uow.banks.entries(["terror"]) == []


def test_a_banked_picture_locks_now_and_queues_the_close(
    engine: Engine, deciding: tuple[Screener, PolicyPack], tmp_path: Path
) -> None:
    screener, pack = deciding
    picture = ad()
    with UnitOfWork(engine) as uow:
        uow.banks.create("porn", "", T0)
        uow.banks.add_entries([BankEntry("porn", "case-77", pdq_hash(picture)[0])], T0)
        uow.commit()
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "copy.jpg").write_bytes(encoded(picture, quality=60))
    path = write(
        tmp_path / "events.jsonl",
        [
            message(1, "seller", "看图", [{"media_id": "pic-1", "path": "media/copy.jpg"}]),
        ],
    )
    limits = MediaLimits(roots=(tmp_path,), ocr=False)
    summary = Ingestor(engine, screener, pack, media=limits).ingest(read_events(path))
    assert summary.processed == 1
    with UnitOfWork(engine) as uow:
        actions = {r.action.type: r for r in uow.actions.list(account_id="seller")}
    assert actions[ActionType.LOCK].status is ActionStatus.APPLIED
    assert actions[ActionType.CLOSE].status is ActionStatus.PENDING_REVIEW
    evidence = {e.ref: e.detail for e in actions[ActionType.CLOSE].action.evidence}
    assert "bank:porn:case-77" in evidence
    assert "picture 'pic-1' is" in evidence["bank:porn:case-77"]
    assert "/256 bits from entry 'case-77' of bank 'porn'" in evidence["bank:porn:case-77"]
    assert any(ref.startswith("qr@pic-1") for ref in evidence)
    assert "chat_handle:mm_love520" in evidence  # the contact in the QR code
    with UnitOfWork(engine) as uow:  # what a reviewer reads in the console
        kept = uow.content.get_many(["m1"])["m1"]
        case = next(c for c in uow.cases.list(account_id="seller"))
        file = casefile.build(uow, pack, case.id, T0 + timedelta(hours=1))
    payload = next(value for name, value in kept.fields.items() if name.startswith("qr:pic-1"))
    assert "mm_love520" in payload
    assert file is not None
    assert any(p.ref == "bank:porn:case-77" for p in file.pictures)
    assert any(t.field.startswith("qr:pic-1") for t in file.texts)


def test_an_unreadable_picture_is_quarantined_and_the_text_still_decided(
    engine: Engine, deciding: tuple[Screener, PolicyPack], tmp_path: Path
) -> None:
    screener, pack = deciding
    ads = [
        message(
            n,
            "escort",
            "新到学生妹 包夜 全套 加薇信：mm_love520",
            [
                {"media_id": f"bad-{n}", "data": inline(b"GIF89a" + b"\0" * 20)},
                {"media_id": f"far-{n}", "url": "https://elsewhere.example/a.jpg"},
            ],
        )
        for n in range(1, 4)
    ]
    path = write(tmp_path / "events.jsonl", ads)
    summary = Ingestor(engine, screener, pack, media=MediaLimits(ocr=False)).ingest(
        read_events(path)
    )
    assert (summary.processed, summary.quarantined) == (3, 0)  # the events themselves are fine
    with UnitOfWork(engine) as uow:
        held = uow.quarantine.list(file=str(path))
        actions = uow.actions.list(account_id="escort")
    assert len(held) == 6
    first = sorted((q.line, q.field, q.value) for q in held)[:2]
    assert first == [(1, "media[0]", "'bad-1'"), (1, "media[1]", "'far-1'")]
    reasons = " ".join(q.reason for q in held)
    assert "media 'bad-1': not a picture (26 bytes" in reasons
    assert "host 'elsewhere.example' is not allowed" in reasons
    assert actions  # the text alone earned them
    # ingesting the file again adds nothing: same events, same quarantined pictures
    Ingestor(engine, screener, pack, media=MediaLimits(ocr=False)).ingest(read_events(path))
    with UnitOfWork(engine) as uow:
        assert len(uow.quarantine.list(file=str(path))) == 6
