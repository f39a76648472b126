"""Turning templates into messages: handles, contact phrases, slot values, benign pools.

Abusive text is rendered one message at a time (with the account's ring handle and, at the
:class:`~warden.simulate.evasion.Evasion` rates, a disguise); ordinary chat is drawn from
*pools* rendered once per run, so the bulk of a run — ordinary users' messages — is picked
by NumPy indexing instead of formatted in Python.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from warden.simulate import texts as t
from warden.simulate.evasion import Evasion, traditional
from warden.simulate.roles import Role

Locale = Literal["zh", "zh-hant", "en"]
LOCALES: tuple[Locale, ...] = ("zh", "zh-hant", "en")
HandleKind = Literal["wechat", "telegram", "qq", "phone"]

_CONTACT_ZH: dict[str, tuple[str, ...]] = {
    "wechat": ("加V：{h}", "薇信 {h}", "vx：{h}", "加微 {h}", "wx: {h}", "威信：{h}"),
    "telegram": ("飞机 @{h}", "纸飞机：{h}", "tg @{h}"),
    "qq": ("QQ {h}", "扣扣：{h}", "企鹅号 {h}"),
    "phone": ("电话 {h}", "☎ {h}", "手机 {h}"),
}
_CONTACT_EN: dict[str, tuple[str, ...]] = {
    "wechat": ("WeChat: {h}", "wechat id {h}"),
    "telegram": ("tg @{h}", "telegram @{h}"),
    "qq": ("QQ {h}",),
    "phone": ("WhatsApp {h}", "call {h}"),
}
_PREFIXES: dict[Role, tuple[str, ...]] = {
    Role.ESCORT: ("mm_love", "sweet", "xiaomei", "tea_girl", "vip_mm", "baby_"),
    Role.DEPOSIT_SCAMMER: ("mm_love", "sweet_girl", "xiaotian", "meimei"),
    Role.PORN_SELLER: ("fuli", "vip_av", "night_", "hd_res"),
    Role.GAMBLING_PROMOTER: ("bet", "lucky", "vip_bet", "dafa_"),
    Role.FRAUD: ("kefu", "loan", "teacher_wang", "daikuan"),
    Role.SPAM_BLASTER: ("fp", "daili", "promo", "shop_"),
    Role.TERROR: ("news_", "voice_"),
    Role.COMPROMISED: ("hb_", "gift_"),
    Role.SPAMMY_OFFICIAL: ("kefu", "vip_", "official_"),
}
_ORDINARY_IDS = ("zhangwei", "liyang", "wangfang", "chenjing", "amy", "kevin", "xiaolin")


@dataclass(frozen=True, slots=True)
class Handle:
    """A contact detail an abuser advertises, as written: ``mm_love520``, ``170 1234 5678``."""

    kind: HandleKind
    value: str


def make_handle(role: Role, number: int, locale: Locale, rng: random.Random) -> Handle:
    """A fresh handle for a ring; ``number`` keeps different rings' handles apart."""
    roll = rng.random()
    if locale == "en":
        if roll < 0.6:
            kind: HandleKind = "telegram"
        elif roll < 0.8:
            kind = "wechat"
        else:  # 555-01XX: the North American range kept for fiction, never a subscriber
            area = rng.choice((212, 213, 415, 646, 718))
            return Handle("phone", f"+1 {area} 555 01{rng.randrange(100):02d}")
    elif roll < 0.6:
        kind = "wechat"
    elif roll < 0.8:
        kind = "qq"
    elif roll < 0.9:
        kind = "telegram"
    else:
        return Handle(
            "phone", f"17{rng.choice('01')} {rng.randrange(10000):04d} {rng.randrange(10000):04d}"
        )
    if kind == "qq":
        return Handle("qq", f"{rng.randrange(1, 10)}{number:04d}{rng.randrange(10000):04d}")
    prefix = rng.choice(_PREFIXES.get(role, ("vip",)))
    value = f"{prefix}{number:03d}{rng.randrange(10, 100)}"
    if not value[0].isalpha():
        value = "v" + value
    return Handle(kind, value)


def contact_phrase(handle: Handle, locale: Locale, rng: random.Random) -> str:
    """``加V：mm_love520``, ``飞机 @hot_girl99``, ``tg @abc``: how the handle is advertised."""
    table = _CONTACT_EN if locale == "en" else _CONTACT_ZH
    return rng.choice(table[handle.kind]).format(h=handle.value)


class _Slots(dict[str, str]):
    """Slot values made on demand, so a template pays only for the slots it has."""

    def __init__(self, rng: random.Random, locale: Locale, contact: str) -> None:
        super().__init__()
        self.rng = rng
        self.en = locale == "en"
        self["c"] = contact

    def __missing__(self, key: str) -> str:
        r = self.rng
        value: str
        if key == "p":
            value = str(r.choice((300, 500, 800, 1000, 1200, 1500, 2000, 2600)))
        elif key == "q":
            value = str(r.choice((30, 50, 66, 88, 99, 128, 199, 300)))
        elif key == "d":
            value = str(r.choice((100, 150, 200, 300, 400, 500)))
        elif key == "big":
            value = str(r.choice((3000, 5000, 8000, 20000)))
        elif key == "city":
            value = r.choice(t.CITIES_EN if self.en else t.CITIES_ZH)
        elif key == "name":
            value = r.choice(t.NAMES_EN if self.en else t.NAMES_ZH)
        elif key == "time":
            value = f"{r.randrange(7, 23)}:{r.choice(('00', '15', '30', '45'))}"
        elif key == "room":
            value = f"{r.randrange(1, 30)}{r.randrange(1, 40):02d}"
        elif key == "flight":
            value = f"{r.choice(t.AIRLINES)}{r.randrange(100, 9999)}"
        elif key == "handle":
            value = f"{r.choice(_ORDINARY_IDS)}_{r.randrange(1970, 2006)}"
        elif key == "url":
            value = (
                f"http://{r.choice(t.BANKS)}-{r.choice(t.PHISH_WORDS)}{r.randrange(10, 99)}"
                f".{r.choice(t.PHISH_TLDS)}"
            )
        else:
            raise KeyError(key)
        self[key] = value
        return value


def render(template: str, rng: random.Random, locale: Locale, contact: str = "") -> str:
    """Fill a template's slots; traditional characters for ``zh-hant`` writers."""
    text = template.format_map(_Slots(rng, locale, contact)).strip()
    return traditional(text, rng) if locale == "zh-hant" else text


# Templates by role: (Chinese, English). Careful writers use the soft ones where they exist.
ADS: dict[Role, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Role.ESCORT: (t.ESCORT_ZH, t.ESCORT_EN),
    Role.DEPOSIT_SCAMMER: (t.DEPOSIT_ZH, t.DEPOSIT_EN),
    Role.PORN_SELLER: (t.PORN_ZH, t.PORN_EN),
    Role.GAMBLING_PROMOTER: (t.GAMBLING_ZH, t.GAMBLING_EN),
    Role.FRAUD: (t.FRAUD_ZH, t.FRAUD_EN),
    Role.SPAM_BLASTER: (t.SPAM_ZH, t.SPAM_EN),
    Role.HARASSER: (t.HARASSMENT_ZH, t.HARASSMENT_EN),
    Role.TERROR: (t.TERROR_ZH, t.TERROR_EN),
    Role.COMPROMISED: (t.HIJACK_ZH, t.HIJACK_EN),
}
SOFT: dict[Role, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Role.ESCORT: (t.ESCORT_SOFT_ZH, t.ESCORT_SOFT_EN),
    Role.DEPOSIT_SCAMMER: (t.DEPOSIT_SOFT_ZH, t.ESCORT_SOFT_EN),
}
SIGNATURES: dict[Role, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Role.ESCORT: (t.ESCORT_SIGNATURE_ZH, t.ESCORT_SIGNATURE_EN),
    Role.DEPOSIT_SCAMMER: (t.ESCORT_SIGNATURE_ZH, t.ESCORT_SIGNATURE_EN),
    Role.PORN_SELLER: (("福利资源 {c}", "会员群 {c}"), ("VIP content {c}",)),
    Role.GAMBLING_PROMOTER: (("娱乐城官方 {c}", "彩票计划 {c}"), ("casino agent {c}",)),
    Role.FRAUD: (("贷款咨询 {c}", "官方客服 {c}"), ("customer service {c}",)),
}


SOFT_SIGNATURES: dict[Role, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Role.ESCORT: (t.ESCORT_SOFT_SIGNATURE_ZH, t.ESCORT_SOFT_SIGNATURE_EN),
    Role.DEPOSIT_SCAMMER: (t.ESCORT_SOFT_SIGNATURE_ZH, t.ESCORT_SOFT_SIGNATURE_EN),
}


class Copywriter:
    """Writes an abusive account's texts: its role's templates, its handle, its disguises."""

    def __init__(self, evasion: Evasion) -> None:
        self.evasion = evasion

    def ad(
        self,
        role: Role,
        locale: Locale,
        handle: Handle | None,
        rng: random.Random,
        *,
        careful: bool = False,
        soft: bool = False,
        disguise: bool = True,
    ) -> str:
        """One message of ``role``; ``soft`` picks the careful, handle-less wording."""
        table = SOFT[role] if soft and role in SOFT else ADS[role]
        template = rng.choice(table[1] if locale == "en" else table[0])
        contact = contact_phrase(handle, locale, rng) if handle else ""
        text = render(template, rng, locale, contact)
        return self.evasion.disguise(text, rng, careful) if disguise else text

    def signature(
        self, role: Role, locale: Locale, handle: Handle, rng: random.Random, careful: bool
    ) -> str:
        """A profile signature advertising the ring's handle (careful: in milder words)."""
        table = SOFT_SIGNATURES if careful and role in SOFT_SIGNATURES else SIGNATURES
        zh, en = table.get(role, (("{c}",), ("{c}",)))
        template = rng.choice(en if locale == "en" else zh)
        text = render(template, rng, locale, contact_phrase(handle, locale, rng))
        return self.evasion.disguise(text, rng, careful)

    def post(
        self, locale: Locale, handle: Handle | None, rng: random.Random, spammy: bool
    ) -> tuple[str, str]:
        """An official account's article: (title, text)."""
        table: tuple[tuple[str, str], ...]
        if spammy:
            table = t.SPAMMY_POSTS_EN if locale == "en" else t.SPAMMY_POSTS_ZH
        else:
            table = t.OFFICIAL_POSTS_EN if locale == "en" else t.OFFICIAL_POSTS_ZH
        title, template = rng.choice(table)
        contact = contact_phrase(handle, locale, rng) if handle else ""
        return render(title, rng, locale), render(template, rng, locale, contact)


def benign_pool(
    templates: tuple[str, ...], size: int, locale: Locale, rng: random.Random
) -> npt.NDArray[np.object_]:
    """``size`` renderings of benign ``templates`` (each template at least once)."""
    out = [render(template, rng, locale) for template in templates]
    out += [render(rng.choice(templates), rng, locale) for _ in range(max(size - len(out), 0))]
    return np.array(out, dtype=object)


@dataclass(frozen=True)
class Pools:
    """Benign texts by kind and locale, for NumPy-indexed picking."""

    private: dict[Locale, npt.NDArray[np.object_]]
    group: dict[Locale, npt.NDArray[np.object_]]
    comments: dict[Locale, npt.NDArray[np.object_]]

    @classmethod
    def build(cls, rng: random.Random, size: int = 1500) -> Pools:
        def by_locale(
            zh: tuple[str, ...], en: tuple[str, ...], n: int
        ) -> dict[Locale, npt.NDArray[np.object_]]:
            return {
                "zh": benign_pool(zh, n, "zh", rng),
                "zh-hant": benign_pool(zh, n // 4, "zh-hant", rng),
                "en": benign_pool(en, n // 4, "en", rng),
            }

        return cls(
            private=by_locale(t.PRIVATE_ZH, t.PRIVATE_EN, size),
            group=by_locale(t.GROUP_ZH, t.GROUP_EN, size // 2),
            comments=by_locale(t.COMMENTS_ZH, t.COMMENTS_EN, 60),
        )
