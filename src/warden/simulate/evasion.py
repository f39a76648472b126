"""Disguises abusers put on their text, so the simulated platform tests the normalizer.

Each technique is one a real evader uses and one Warden's normalizer claims to see
through (``docs/normalization.md``): full-width letters (``ｖｘ``), traditional characters
(``樓鳳``), pinyin for a key term (``baoye``), symbols, emoji or invisible characters
between the characters of a key term (``包🌸夜``), and styled digits in handles and prices
(``①③⑧``, ``壹贰``). :class:`Evasion` says how often they are used: an ordinary abuser
disguises some messages with one technique, a careful one nearly all with two or three.

Everything here works on one short text with a ``random.Random`` the caller seeds, so a
simulation stays deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

#: Key terms a disguise may target (they occur in the abusive templates), with their pinyin
#: (a unit test checks it against pypinyin, which is too big to load for 60 words).
PINYIN: dict[str, str] = {
    "全套服务": "quan tao fu wu", "小姐上门": "xiao jie shang men", "成人视频": "cheng ren shi pin",
    "一夜情": "yi ye qing", "学生妹": "xue sheng mei", "异教徒": "yi jiao tu", "时时彩": "shi shi cai",
    "狗东西": "gou dong xi", "百家乐": "bai jia le", "草泥马": "cao ni ma", "诚意金": "cheng yi jin",
    "上门": "shang men", "下款": "xia kuan", "中奖": "zhong jiang", "人渣": "ren zha",
    "会员": "hui yuan", "伴游": "ban you", "傻逼": "sha bi", "兼职": "jian zhi", "冻结": "dong jie",
    "刷单": "shua dan", "包夜": "bao ye", "去死": "qu si", "发票": "fa piao", "品茶": "pin cha",
    "圣战": "sheng zhan", "外围": "wai wei", "婊子": "biao zi", "定金": "ding jin", "带单": "dai dan",
    "彩金": "cai jin", "征信": "zheng xin", "援交": "yuan jiao", "新茶": "xin cha", "无码": "wu ma",
    "桑拿": "sang na", "棋牌": "qi pai", "楼凤": "lou feng", "涨粉": "zhang fen", "牛牛": "niu niu",
    "看片": "kan pian", "稳赚": "wen zhuan", "空降": "kong jiang", "约炮": "yue pao",
    "胸推": "xiong tui", "自拍": "zi pai", "荷官": "he guan", "裸聊": "luo liao", "解冻": "jie dong",
    "证件": "zheng jian", "赌球": "du qiu", "路费": "lu fei", "返利": "fan li", "返水": "fan shui",
}  # fmt: skip
#: Longest first, so a longer term wins over the shorter one inside it.
KEY_TERMS: tuple[str, ...] = tuple(sorted(PINYIN, key=lambda term: (-len(term), term)))
#: Terms the lexicons match only as written (flag ``nopinyin``), so pinyin would hide them.
NO_PINYIN = frozenset({"路费", "莞式", "包养", "傻比", "沙比", "煞笔"})
SEPARATORS = ("*", "·", "_", "|", "-", "~", "/", " ", "🌸", "💋", "🔥", "❤", "👉", "🍑", "✨")
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\ufeff")
CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
CAPITAL = "零壹贰叁肆伍陆柒捌玖"
LOWER = "〇一二三四五六七八九"
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


@cache
def _s2t() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("s2tw")  # Taiwan forms: 吃, 為, 裡 as people write them
    convert: Callable[[str], str] = converter.convert
    return convert


def pinyin_of(term: str) -> tuple[str, str]:
    """``(glued, spaced)`` full pinyin of a key term: ``("baoye", "bao ye")``."""
    spaced = PINYIN[term]
    return spaced.replace(" ", ""), spaced


def fullwidth(text: str, rng: random.Random) -> str:
    """``vx: abc123`` → ``ｖｘ: ａｂｃ１２３`` (letters and digits only; punctuation stays)."""
    return "".join(_FULLWIDTH[c] if c.isascii() and c.isalnum() else c for c in text)


def traditional(text: str, rng: random.Random) -> str:
    """Simplified → traditional characters (``楼凤`` → ``樓鳳``)."""
    return _s2t()(text)


def _key_term(text: str, rng: random.Random, pinyin: bool = False) -> str | None:
    found = [t for t in KEY_TERMS if t in text and not (pinyin and t in NO_PINYIN)]
    return rng.choice(found) if found else None


def pinyin(text: str, rng: random.Random) -> str:
    """One key term written in pinyin: ``包夜`` → ``baoye`` or ``bao ye``."""
    term = _key_term(text, rng, pinyin=True)
    if term is None:
        return text
    glued, spaced = pinyin_of(term)
    return text.replace(term, f" {rng.choice((glued, spaced))} ", 1)


def separated(text: str, rng: random.Random) -> str:
    """A symbol or emoji between the characters of a key term: ``包🌸夜``."""
    term = _key_term(text, rng)
    if term is None:
        return text
    mark = rng.choice(SEPARATORS)
    return text.replace(term, mark.join(term), 1)


def invisible(text: str, rng: random.Random) -> str:
    """Zero-width characters between the characters of a key term."""
    term = _key_term(text, rng)
    if term is None:
        return text
    return text.replace(term, rng.choice(INVISIBLE).join(term), 1)


def styled_digits(text: str, rng: random.Random) -> str:
    """Every digit styled the same way: ``520`` → ``⑤②⓪``, ``伍贰零`` or ``五二〇``."""
    table = rng.choice((CIRCLED, CAPITAL, LOWER))
    return "".join(table[ord(c) - 48] if "0" <= c <= "9" else c for c in text)


TECHNIQUES: dict[str, Callable[[str, random.Random], str]] = {
    "fullwidth": fullwidth,
    "traditional": traditional,
    "pinyin": pinyin,
    "separators": separated,
    "invisible": invisible,
    "styled_digits": styled_digits,
}


@dataclass(frozen=True, slots=True)
class Evasion:
    """How often abusers disguise a message, and with what.

    ``rate`` is the share of an ordinary abuser's messages that are disguised (one
    technique each); ``careful_rate`` the share of a careful abuser's (two or three
    techniques each). ``weights`` pick the technique."""

    rate: float = 0.3
    careful_rate: float = 0.9
    weights: tuple[tuple[str, float], ...] = (
        ("fullwidth", 0.15),
        ("traditional", 0.2),
        ("pinyin", 0.15),
        ("separators", 0.25),
        ("invisible", 0.1),
        ("styled_digits", 0.15),
    )

    def disguise(self, text: str, rng: random.Random, careful: bool = False) -> str:
        """``text`` as this abuser writes it this time (often unchanged)."""
        if rng.random() >= (self.careful_rate if careful else self.rate):
            return text
        names = [name for name, _ in self.weights]
        weights = [weight for _, weight in self.weights]
        count = rng.choice((2, 3)) if careful else 1
        for name in dict.fromkeys(rng.choices(names, weights, k=count)):
            text = TECHNIQUES[name](text, rng)
        return text
