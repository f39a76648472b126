"""Intent or mention: is a text *doing* the harm (advertising, soliciting) or *talking about* it?

A detector scores what a text is about; a person warning a friend about the 重金求子 scam,
or passing on the news that the police raided a sauna, writes about fraud and prostitution
as surely as the scammer and the pimp do. What separates them is how the text is written:

* **solicitation** — a way to get in touch (a phone, a chat handle, a QQ number, a link), a
  call to act (加我, 联系, 点击, 回复, 转账, call, click, reply, claim), a price;
* **mention** — news and reporting (新闻, 报道, 抓获, 破获, 扫黄, police arrested), warnings
  (谨防, 小心, 警惕, 别信, 提醒, beware, watch out), victims and complaints (被骗, 骗子,
  上当, 举报, got scammed, is a scam), hearsay and reaction (听说, 可怕, 真的假的).

:func:`intent_of` turns those cues into a weight in (0, 1] by which the account-level
evidence (``intent.<category>``, :mod:`warden.accounts.features`) multiplies a text's
category scores: a mention without a way to get in touch counts for little, a mention that
still carries a contact counts for half, everything else in full. Where the text was sent
(a stranger, a contact, a group) is the other half of intent and is weighed by the feature
folder, which knows the event.

Scam scripts borrow the police's words — "我是市公安局民警，您涉嫌洗钱" — so 警方/公安/
涉嫌/诈骗 are *not* mention cues here; only words a scammer has no reason to write are.

    >>> intent_of("新闻说警方抓了一批卖淫嫖娼的，真可怕", "新闻说警方抓了1批卖淫嫖娼的真可怕", ())
    Intent(weight=0.15, cues=('mention:新闻', 'mention:抓了', 'mention:可怕'))
    >>> intent_of("包夜加我", "包夜加我", ()).weight
    1.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from warden.domain.verdicts import Entity, EntityKind

#: weight of a mention with no way to get in touch, and of one that still carries a contact
MENTION_ONLY = 0.15
MENTION_WITH_CONTACT = 0.5

#: Chinese mention cues, matched in the normalized text (simplified, no separators)
ZH_MENTION = (
    "新闻",
    "报道",
    "据悉",
    "据报",
    "记者",
    "抓获",
    "抓了",
    "被抓",
    "落网",
    "破获",
    "捣毁",
    "打掉",
    "判刑",
    "判处",
    "扫黄",
    "谨防",
    "提防",
    "警惕",
    "当心",
    "小心",
    "提醒",
    "别信",
    "不要信",
    "不要相信",
    "千万别",
    "千万不要",
    "别上当",
    "上当",
    "被骗",
    "骗了",
    "骗子",
    "防骗",
    "反诈",
    "是诈骗",
    "是骗局",
    "都是骗",
    "诈骗电话",
    "诈骗短信",
    "举报",
    "曝光",
    "听说",
    "可怕",
    "吓人",
    "真的假的",
    "冒充",
    "假冒",
    "骗局",
    "收到一条",
    "收到条",
    "给我发了",
    "有人打电话",
)
EN_MENTION = re.compile(
    r"\b(?:news|reported|reports? say|arrested|busted|police (?:say|said|raid\w*)|beware|"
    r"watch out|be careful|warning|don'?t fall for|do not fall for|got scammed|"
    r"(?:is|was|it'?s) a scam|scammers?|fraudsters?|heard that|crazy)\b",
    re.IGNORECASE,
)
#: calls to act and prices, matched in the normalized text (zh) and the original (en)
ZH_SOLICIT = (
    "加我",
    "加微",
    "加v",
    "加q",
    "联系",
    "详询",
    "咨询",
    "私聊",
    "点击",
    "登录",
    "回复",
    "转账",
    "汇款",
    "打款",
    "转入",
    "速来",
    "预约",
    "价格",
    "优惠",
)
EN_SOLICIT = re.compile(
    r"\b(?:call|text|reply|click|visit|claim|txt|whatsapp|dm me|contact us|"
    r"send (?:me|us)|pay|verify)\b|[£$€]\s?\d",
    re.IGNORECASE,
)
CONTACT_KINDS = frozenset({EntityKind.PHONE, EntityKind.CHAT_HANDLE, EntityKind.QQ, EntityKind.URL})
_ZH_MENTION = re.compile("|".join(map(re.escape, ZH_MENTION)))
_ZH_SOLICIT = re.compile("|".join(map(re.escape, ZH_SOLICIT)))


@dataclass(frozen=True, slots=True)
class Intent:
    """How much a text reads as doing rather than talking about, and the cues that say so."""

    weight: float
    cues: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"weight": self.weight, "cues": list(self.cues)}


def intent_of(original: str, normalized: str, entities: Iterable[Entity]) -> Intent:
    """The intent weight of one text (see the module docstring)."""
    cues: list[str] = []
    for match in _ZH_MENTION.finditer(normalized):
        cues.append(f"mention:{match.group(0)}")
    for match in EN_MENTION.finditer(original):
        cues.append(f"mention:{match.group(0).lower()}")
    contact = [e for e in entities if e.kind in CONTACT_KINDS]
    if contact:
        cues.append(f"contact:{contact[0].kind.value}")
    for match in _ZH_SOLICIT.finditer(normalized):
        cues.append(f"solicit:{match.group(0)}")
    for match in EN_SOLICIT.finditer(original):
        cues.append(f"solicit:{match.group(0).lower()}")
    cues = list(dict.fromkeys(cues))
    if not any(cue.startswith("mention:") for cue in cues):
        return Intent(1.0, tuple(cues))
    return Intent(MENTION_WITH_CONTACT if contact else MENTION_ONLY, tuple(cues))
