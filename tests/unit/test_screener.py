"""The Screener over the team's lexicons: the calls a moderator would expect, and the spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warden import Screener


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("新到学生妹，包夜1500，快餐500", "sexual_services"),
        ("高端外围 空降 全套服务", "sexual_services"),
        ("楼鳳 上門 服務", "sexual_services"),  # traditional characters
        ("包🔥夜 全✨套", "sexual_services"),  # emoji between characters
        ("bao ye", "sexual_services"),  # pinyin
        ("您的银行卡已冻结，请点击链接解冻", "fraud"),
        ("百家乐 真人荷官 首存送100%", "gambling"),
        ("你个傻🤔逼", "harassment"),
        ("Outcall escort, full service, incall available", "sexual_services"),
        ("Congratulations! You have won a prize, claim your gift card now", "fraud"),
    ],
)
def test_flags_what_a_moderator_would_flag(screener: Screener, text: str, category: str) -> None:
    verdict = screener.check(text)
    assert verdict.categories.get(category, 0.0) >= 0.5, verdict.to_dict()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("生日快乐！", None),
        ("我新买了个按摩椅，周末来试试", "sexual_services"),
        ("周末一起喝茶聊天吧", "sexual_services"),
        ("今天坐飞机去北京", None),
        ("Middlesex University; I have a vocation for teaching", None),
        ("as soon as you can", None),
    ],
)
def test_benign_phrases_stay_clean(screener: Screener, text: str, category: str | None) -> None:
    verdict = screener.check(text)
    if category is None:
        assert verdict.categories.get("sexual_services", 0) < 0.5, verdict.to_dict()
        assert verdict.categories.get("harassment", 0) < 0.5, verdict.to_dict()
        assert verdict.categories.get("porn", 0) < 0.5, verdict.to_dict()
    else:
        assert verdict.categories.get(category, 0) < 0.3, verdict.to_dict()


def test_entities_come_with_the_verdict(screener: Screener) -> None:
    text = "包夜 ☎ ①③⑧ ００１３ 捌零零零，加薇信：mm_love520"
    verdict = screener.check(text)
    values = {(e.kind.value, e.value) for e in verdict.entities}
    assert ("phone", "+8613800138000") in values
    assert ("chat_handle", "mm_love520") in values
    for entity in verdict.entities:
        assert text[entity.start : entity.end] == entity.matched


def test_noisy_or_counts_distinct_terms_once(screener: Screener) -> None:
    once = screener.check("包夜").categories["sexual_services"]
    thrice = screener.check("包夜 包夜 包夜").categories["sexual_services"]
    assert once == thrice
    assert len(screener.check("包夜 包夜 包夜").matches) == 3


def test_batch_equals_one_by_one(screener: Screener) -> None:
    texts = ["包夜", "", "hello", "傻🤔逼 ⑩", "加V: abc123 包夜\n第二行"]
    assert screener.screen(texts) == [screener.check(t) for t in texts]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                list("包夜傻逼台独按摩椅 abcsexvx微信:0123456789①⑩🤔\u200b.@-\n臺獨ＡＢ")
            ),
            max_size=40,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_spans_always_point_into_the_original(texts: list[str]) -> None:
    screener = _shared()
    for text, verdict in zip(texts, screener.screen(texts), strict=True):
        assert verdict.text == text
        for item in (*verdict.matches, *verdict.entities):
            assert 0 <= item.start < item.end <= len(text)
            assert text[item.start : item.end] == item.matched


_SCREENER: list[Screener] = []


def _shared() -> Screener:
    if not _SCREENER:
        _SCREENER.append(Screener.from_lexicons())
    return _SCREENER[0]
