"""Bank files in the formats other platforms exchange, bank names, and matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.errors import InputError
from warden.media.banks import BankEntry, BankMatcher, check_bank_name, check_hash
from warden.media.exchange import format_of, read_bank_file, write_bank_file

A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
B = "0" * 64


def test_threatexchange_te_rows() -> None:
    text = (
        f"12345,{A},67890,2026-05-01,porn_sample media_type_photo\n"
        f"12346,{B.upper()},67891,2026-05-02,\n"
        "12347,not-a-hash,1,2026-05-03,\n"
        "bad-row\n"
    )
    entries, rejected, skipped = read_bank_file(text, "porn", "te", "simple.HASH_PDQ.te")
    assert [(e.content_id, e.hash, e.tags) for e in entries] == [
        ("12345", A, ("porn_sample", "media_type_photo")),
        ("12346", B, ()),
    ]
    assert [r.line for r in rejected] == [3, 4]
    assert "'not-a-hash' is not a PDQ hash" in rejected[0].reason
    assert "64 hex digits" in rejected[0].reason
    assert skipped == 0


def test_hma_json_lines_skip_other_signal_types() -> None:
    text = (
        f'{{"signal_type": "pdq", "signal_value": "{A}", "content_id": "c1", "tags": ["x"]}}\n'
        '{"signal_type": "video_md5", "signal_value": "d41d8cd98f00b204e9800998ecf8427e"}\n'
        "{not json\n"
        '{"something": "else"}\n'
    )
    entries, rejected, skipped = read_bank_file(text, "terror", "hma", "bank.jsonl")
    assert [(e.bank, e.content_id, e.hash, e.tags) for e in entries] == [
        ("terror", "c1", A, ("x",))
    ]
    assert skipped == 1
    assert [r.line for r in rejected] == [3, 4]


def test_plain_lists_and_round_trips() -> None:
    text = f"# from a partner\npdq {A} tag1\n{B}\nvideo_md5 abc\n"
    entries, rejected, skipped = read_bank_file(text, "porn", "txt", "list.txt")
    assert [(e.hash, e.tags) for e in entries] == [(A, ("tag1",)), (B, ())]
    assert (rejected, skipped) == ([], 1)
    for fmt in ("te", "hma", "txt"):
        again, rejected, _ = read_bank_file(write_bank_file(entries, fmt), "porn", fmt, "x")
        assert [(e.hash, e.tags) for e in again] == [(e.hash, e.tags) for e in entries]
        assert not rejected
    hma = read_bank_file(write_bank_file(entries, "hma"), "porn", "hma", "x")[0]
    assert [e.content_id for e in hma] == [e.content_id for e in entries]


def test_format_from_the_name() -> None:
    assert format_of(Path("simple.HASH_PDQ.te"), None) == "te"
    assert format_of(Path("bank.jsonl"), None) == "hma"
    assert format_of(Path("hashes.txt"), None) == "txt"
    assert format_of(Path("x.te"), "hma") == "hma"
    with pytest.raises(InputError, match="--format: 'csv' is not one of te, hma, txt"):
        format_of(Path("x"), "csv")


def test_bank_names_and_hashes_are_checked() -> None:
    assert check_bank_name("porn") == "porn"
    for bad in ("Porn", "1bank", "a-b", "x" * 65):
        with pytest.raises(InputError, match=r"media\.bank_match"):
            check_bank_name(bad)
    assert check_hash(A.upper(), "--hash") == A
    with pytest.raises(InputError, match="--hash: 'abc' is not a PDQ hash"):
        check_hash("abc", "--hash")


def test_matcher_finds_within_the_threshold_nearest_first() -> None:
    near = A[:-1] + ("3" if A[-1] != "3" else "2")  # a bit or two away
    far = "".join("0" if c != "0" else "f" for c in A)
    matcher = BankMatcher(
        [
            BankEntry("porn", "near", near),
            BankEntry("terror", "same", A),
            BankEntry("porn", "far", far),
        ]
    )
    found = matcher.match(A)
    assert [(m.bank, m.entry) for m in found] == [("terror", "same"), ("porn", "near")]
    assert found[0].distance == 0 < found[1].distance
    assert matcher.banks == ["porn", "terror"]
    assert BankMatcher([]).match(A) == ()
