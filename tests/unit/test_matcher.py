"""Lexicon matching sees through evasion without inventing matches."""

from __future__ import annotations

import pytest

from warden.text.lexicon import LexiconEntry
from warden.text.matcher import LexiconIndex
from warden.text.normalize import Normalizer


def entry(term: str, category: str = "x", **kw: object) -> LexiconEntry:
    return LexiconEntry(term=term, category=category, weight=0.5, source="test", **kw)  # type: ignore[arg-type]


ENTRIES = [
    entry("台独", "terror", pinyin="mixed"),
    entry("傻逼", "harassment", pinyin="mixed"),
    entry("av", "porn"),
    entry("sex", "porn"),
    entry("草泥马", "harassment", initials=True, pinyin="mixed"),
    entry("按摩", "sexual_services"),
    entry("按摩椅", "sexual_services", allow=True),
    entry("新茶", "sexual_services"),
    entry("下三滥", "harassment"),
    entry("野火", "sexual_services", pinyin="mixed"),
    entry("北鸡", "sexual_services", pinyin="mixed"),
    entry("assert", "spam"),
    entry("ass", "harassment"),
    entry("blow job", "porn"),
    entry("毛主席", "politics"),
    entry("爱中国", "politics"),
    entry("日", "harassment"),
    entry("生日快乐", None, allow=True),
    entry("马赛克", "porn", pinyin="none"),
]


@pytest.fixture(scope="module")
def index() -> LexiconIndex:
    return LexiconIndex(ENTRIES, Normalizer())


def found(index: LexiconIndex, text: str) -> list[tuple[str, str]]:
    batch = index_normalizer.fold_batch([text])
    return [(index.entries[h.entry].term, h.variant) for h in index.match_batch(batch)[0]]


index_normalizer = Normalizer()


@pytest.mark.parametrize(
    ("text", "term", "variant"),
    [
        ("台獨", "台独", "term"),
        ("tai du", "台独", "pinyin"),
        ("TAIDU!", "台独", "pinyin"),
        ("t*a*i*d*u", "台独", "pinyin"),
        ("ＴＡＩ\u3000ＤＵ", "台独", "pinyin"),
        ("c a o n i m a", "草泥马", "pinyin"),
        ("cnm", "草泥马", "initials"),
        ("野huo", "野火", "mixed"),
        ("北Ji", "北鸡", "mixed"),
        ("傻🤔逼", "傻逼", "term"),
        ("sha逼", "傻逼", "mixed"),
        ("下3滥", "下三滥", "term"),
        ("1av2", "av", "term"),
        ("av测试", "av", "term"),
        ("middle sex", "sex", "term"),
        ("s e x", "sex", "term"),
        ("S.E.X", "sex", "term"),
        ("ѕех", "sex", "term"),
        ("asssert", "assert", "term"),
        ("blow job", "blow job", "term"),
        ("blowjob", "blow job", "term"),
        ("毛---主---席", "毛主席", "term"),
        ("我[爱中]国", "爱中国", "term"),
        ("按摩", "按摩", "term"),
        ("新茶到了", "新茶", "term"),
    ],
)
def test_evasions_match(index: LexiconIndex, text: str, term: str, variant: str) -> None:
    assert (term, variant) in found(index, text)


@pytest.mark.parametrize(
    "text",
    [
        "I have a vocation",  # av glued across words, and inside a word
        "Middlesex",  # sex inside a word
        "ta idu",  # separator inside a syllable
        "blo wjob",
        "cnmb",  # initials inside a longer token
        "as soon as",  # repeat guard: as is not ass
        "an al dente",
        "台\n独",  # a hard break
        "我新买了个按摩椅",  # allow-list
        "生日快乐",  # allow-list for every category
        "喝茶聊天",  # benign tea talk
        "masaike",  # nopinyin
        "北京",
        "beijing",
    ],
)
def test_benign_text_stays_clean(index: LexiconIndex, text: str) -> None:
    assert found(index, text) == []


def test_allow_list_only_suppresses_inside_its_span(index: LexiconIndex) -> None:
    assert found(index, "按摩椅很舒服，上门按摩") == [("按摩", "term")]


def test_unmatchable_terms_are_reported() -> None:
    idx = LexiconIndex([entry("!!!", "x"), entry("ok", "x")], Normalizer())
    assert idx.stats.unmatchable == ("!!!",)
    assert idx.stats.entries == 2


def test_empty_index_matches_nothing() -> None:
    idx = LexiconIndex([], Normalizer())
    assert idx.match_batch(Normalizer().fold_batch(["anything"])) == [[]]
