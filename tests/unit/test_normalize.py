"""The Normalizer folds each kind of evasion and keeps the way back to the original text."""

from __future__ import annotations

import pytest

from warden.text.normalize import Normalizer


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＳＥＸ ｓｅｘ", "sexsex"),  # full-width, case
        ("Ⓕⓤ⒞⒦", "fuck"),  # circled and parenthesized letters
        ("①⑸⒋➃㈤㊄", "154455"),  # enclosed digits, dingbats, enclosed ideographs
        ("𝐟𝐮𝐜𝐤 𝕗𝕦𝕔𝕜", "fuckfuck"),  # mathematical alphanumerics
        ("x¹²³₄", "x1234"),  # superscripts and subscripts
        ("壹贰叁肆伍陆柒捌玖零〇幺两", "1234567890012"),  # Chinese numerals as digits
        ("下三滥", "下3滥"),
        ("臺獨 發票", "台独发票"),  # traditional → simplified
        ("ѕех", "sex"),  # Cyrillic homoglyphs
        ("αν", "av"),  # Greek homoglyphs
        ("f\u200bu\u200dc\ufeffk", "fuck"),  # zero-width characters
        ("se\u0301x", "sex"),  # combining marks
        ("傻@冒", "傻冒"),
        ("毛---主---席", "毛主席"),
        ("台\u3000独", "台独"),  # ideographic space
        ("傻🤔逼", "傻逼"),  # emoji
        ("我[爱中]国", "我爱中国"),  # brackets
        ("<p>x</p><b>傻</b>逼", "x傻逼"),  # HTML tags
        ("1️⃣3️⃣8️⃣", "138"),  # keycap digits
        ("⑩", "10"),  # multi-character fold
    ],
)
def test_folds_evasion(normalizer: Normalizer, text: str, expected: str) -> None:
    assert normalizer.normalize(text) == expected


def test_repeated_letters_collapse_with_their_run_lengths(normalizer: Normalizer) -> None:
    folded = normalizer.fold("asssert")
    assert folded.normalized == "asert"
    assert folded.run_lengths(0, 5) == (1, 3, 1, 1, 1)
    assert normalizer.normalize("ⒻⒻⒻfⓤuⓤ") == "fu"


def test_digits_are_never_collapsed(normalizer: Normalizer) -> None:
    assert normalizer.normalize("13800138000") == "13800138000"


def test_newline_is_a_hard_break(normalizer: Normalizer) -> None:
    assert normalizer.normalize("台\n独") == "台\n独"


@pytest.mark.parametrize(
    ("text", "needle", "written"),
    [
        ("hello ＴＡＩ　獨 there", "tai独", "ＴＡＩ　獨"),
        ("x ⑩号 y", "10号", "⑩号"),
        ("傻🤔🤔逼!", "傻逼", "傻🤔🤔逼"),
        ("he said asssert!", "asert", "asssert"),
        ("the ﬁx is in", "fix", "ﬁx"),
    ],
)
def test_normalized_spans_map_back_to_what_was_written(
    normalizer: Normalizer, text: str, needle: str, written: str
) -> None:
    folded = normalizer.fold(text)
    start = folded.normalized.index(needle)
    begin, end = folded.original_span_of_normalized(start, start + len(needle))
    assert text[begin:end] == written


def test_gaps_mark_where_separators_were(normalizer: Normalizer) -> None:
    folded = normalizer.fold("tai du, f\u200buck")
    assert folded.normalized == "taidufuck"
    assert folded.gaps == frozenset({3, 5})  # after "tai" and after "du,": not inside f\u200buck


def test_batch_matches_one_by_one(normalizer: Normalizer) -> None:
    texts = ["臺獨", "", "⑩ and ⑪", "a\x1eb", "x\x01y", "傻🤔逼"]
    batch = normalizer.fold_batch(texts)
    assert [f.normalized for f in batch.texts] == [normalizer.normalize(t) for t in texts]
    assert batch.texts[3].normalized == "ab"  # a forged record separator cannot split a text


def test_rejects_non_text(normalizer: Normalizer) -> None:
    with pytest.raises(TypeError, match="expected str, got int"):
        normalizer.fold_batch(["ok", 5])  # type: ignore[list-item]
