"""Contact entities are found through evasion, canonicalized, and located exactly in the view."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from warden.domain.verdicts import EntityKind, Platform
from warden.text.entities import EntityExtractor, FoundEntity
from warden.text.normalize import Normalizer

PHONE, HANDLE, QQ = EntityKind.PHONE, EntityKind.CHAT_HANDLE, EntityKind.QQ
URL, DOMAIN, EMAIL, IPV4 = EntityKind.URL, EntityKind.DOMAIN, EntityKind.EMAIL, EntityKind.IPV4
W, T, A, L = Platform.WECHAT, Platform.TELEGRAM, Platform.WHATSAPP, Platform.LINE

Found = list[tuple[EntityKind, str, Platform | None, str]]
Finder = Callable[[str], Found]


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor()


@pytest.fixture(scope="module")
def find(normalizer: Normalizer, extractor: EntityExtractor) -> Finder:
    """text → [(kind, value, platform, view[start:end])] over the text's entity view."""

    def run(text: str) -> Found:
        view = normalizer.fold(text).entity_view
        return [
            (e.kind, e.value, e.platform, view[e.start : e.end]) for e in extractor.extract(view)
        ]

    return run


def of(found: Found, kind: EntityKind) -> list[str]:
    return [value for k, value, _, _ in found if k is kind]


# ---- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164", "written"),
    [
        ("13800138000", "+8613800138000", "13800138000"),
        ("电话 138 0013 8000 王经理", "+8613800138000", "138 0013 8000"),
        ("138-0013-8000", "+8613800138000", "138-0013-8000"),
        ("138.0013.8000", "+8613800138000", "138.0013.8000"),
        ("138/0013/8000", "+8613800138000", "138/0013/8000"),
        ("1 3 8 0 0 1 3 8 0 0 0", "+8613800138000", "1 3 8 0 0 1 3 8 0 0 0"),
        ("138🤔0013🤔8000", "+8613800138000", "138\x000013\x008000"),
        ("(138)0013-8000", "+8613800138000", "138\x000013-8000"),
        ("①③⑧⓪⓪①③⑧⓪⓪⓪", "+8613800138000", "13800138000"),
        ("１３８００１３８０００", "+8613800138000", "13800138000"),
        ("幺三八零零幺三八零零零", "+8613800138000", "13800138000"),
        ("壹叁捌0013捌〇〇〇", "+8613800138000", "13800138000"),
        ("1️⃣3️⃣8️⃣ 0013 8000", "+8613800138000", "1\x00\x003\x00\x008\x00\x00 0013 8000"),
        ("+86 138 0013 8000", "+8613800138000", "+86 138 0013 8000"),
        ("＋86-13800138000", "+8613800138000", "+86-13800138000"),
        ("0086-13800138000", "+8613800138000", "0086-13800138000"),
        ("010-12345678", "+861012345678", "010-12345678"),
        ("0755-8888-6666", "+8675588886666", "0755-8888-6666"),
        ("(+1) 415-555-2671", "+14155552671", "+1\x00 415-555-2671"),
        ("+44 7911 123456", "+447911123456", "+44 7911 123456"),
        ("+852 9123 4567", "+85291234567", "+852 9123 4567"),
        ("房间 302 13800138000", "+8613800138000", "13800138000"),
    ],
)
def test_phone_styles(find: Finder, text: str, e164: str, written: str) -> None:
    phones = [(value, span) for kind, value, _, span in find(text) if kind is PHONE]
    assert phones == [(e164, written)]


@pytest.mark.parametrize(
    "text",
    [
        "13:45 开会",  # time
        "2024-06-09 出发",  # date
        "20240609",  # compact date
        "2024年6月9日 13:45",
        "¥1380 特价, 300元, $25.99",  # prices
        "1302室",  # room number
        "订单号 E13800138000",  # order number with letters
        "13800138000abc",
        "卡号 6222020200112233445",  # bank card (19 digits): no phone from its middle
        "6222 0202 0011 2233 445",  # bank card in groups
        "身份证 110101199003078888",  # 18-digit ID card number
        "11010519491231002X",
        "1024 2048 4096 8192",  # quantities
        "12345678",  # no area code: not a contact number
        "4155552671",  # a US number without its international prefix
        "3.14159265358",
    ],
)
def test_numbers_that_are_not_contact_details(find: Finder, text: str) -> None:
    assert of(find(text), PHONE) == []


def test_two_phones_in_one_chain_are_both_found(find: Finder) -> None:
    found = find("13800138000 13900139000")
    assert of(found, PHONE) == ["+8613800138000", "+8613900139000"]


def test_national_numbers_follow_the_default_region(normalizer: Normalizer) -> None:
    us = EntityExtractor(default_region="US")
    view = normalizer.fold("call (415) 555-2671 or 13800138000").entity_view
    assert [e.value for e in us.extract(view)] == ["+14155552671"]


# ---- chat handles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "platform", "value", "written"),
    [
        ("加微信号：abc_123", W, "abc_123", "abc_123"),
        ("vx: Abc-123", W, "abc-123", "abc-123"),
        ("V信 abc123", W, "abc123", "abc123"),
        ("➕v：abc123", W, "abc123", "abc123"),
        ("+v abc123", W, "abc123", "abc123"),
        ("加v abc123", W, "abc123", "abc123"),
        ("加微 abc123", W, "abc123", "abc123"),
        ("wx=lovely_88", W, "lovely_88", "lovely_88"),
        ("weixin: abcdef", W, "abcdef", "abcdef"),
        ("WeChat ID: Zhang_San", W, "zhang_san", "zhang_san"),
        ("薇信 abc123", W, "abc123", "abc123"),
        ("威信：abc123", W, "abc123", "abc123"),
        ("徽信abc123", W, "abc123", "abc123"),
        ("危信 abc123", W, "abc123", "abc123"),
        ("维信 abc123", W, "abc123", "abc123"),
        ("薇:abc123", W, "abc123", "abc123"),
        ("微🤔abc123", W, "abc123", "abc123"),
        ("加我微信 xiaomei520", W, "xiaomei520", "xiaomei520"),
        ("微信号是 meimei_666 哦", W, "meimei_666", "meimei_666"),
        ("vx搜 Abc123", W, "abc123", "abc123"),
        ("飞机 @hot_girl99", T, "hot_girl99", "@hot_girl99"),
        ("纸飞机：@hot_girl99", T, "hot_girl99", "@hot_girl99"),
        ("tg:hotgirl99", T, "hotgirl99", "hotgirl99"),
        ("TG hotgirl", T, "hotgirl", "hotgirl"),
        ("telegram: @Hot_Girl99", T, "hot_girl99", "@hot_girl99"),
        ("电报号 hotgirl", T, "hotgirl", "hotgirl"),
        ("私聊 @hot_girl99", T, "hot_girl99", "@hot_girl99"),
        ("line id: abc.def", L, "abc.def", "abc.def"),
        ("LINE abc_12", L, "abc_12", "abc_12"),
        ("赖：abc123", L, "abc123", "abc123"),
    ],
)
def test_chat_handles(
    find: Finder, text: str, platform: Platform, value: str, written: str
) -> None:
    handles = [(p, v, span) for kind, v, p, span in find(text) if kind is HANDLE]
    assert handles == [(platform, value, written)]


@pytest.mark.parametrize(
    ("text", "platform", "written"),
    [
        ("微信 13800138000", W, "13800138000"),
        ("vx13800138000", W, "13800138000"),
        ("微信：+86 138 0013 8000", W, "+86 138 0013 8000"),
        ("WhatsApp +86 138-0013-8000", A, "+86 138-0013-8000"),
        ("whats app: 138 0013 8000", A, "138 0013 8000"),
        ("wa 13800138000", A, "13800138000"),
        ("line: 13800138000", L, "13800138000"),
    ],
)
def test_a_phone_after_a_cue_is_a_phone_and_the_handle(
    find: Finder, text: str, platform: Platform, written: str
) -> None:
    found = find(text)
    assert (PHONE, "+8613800138000", None, written) in found
    assert (HANDLE, "+8613800138000", platform, written) in found
    assert len(found) == 2


def test_international_whatsapp_number(find: Finder) -> None:
    assert find("wa: +44 7911 123456") == [
        (HANDLE, "+447911123456", A, "+44 7911 123456"),
        (PHONE, "+447911123456", None, "+44 7911 123456"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "坐飞机去北京",  # 飞机 as a word
        "飞机 晚点了 sorry",
        "我们坐飞机 tomorrow",  # weak cue: a plain word is no handle
        "我用微信聊天",  # no handle after the cue
        "微信同号",  # "same as the phone": no handle
        "微信 联系",
        "稍微 好一点",
        "online shopping abc123",  # 'line' inside a word
        "drink water abc123",  # 'wa' inside a word
        "backstage hotgirl99",  # 'tg' inside a word
        "voxvx abc123",  # 'vx' inside a word
        "line abcdef",  # weak cue, plain word, no ':'
        "on line 1234 of the file",
        "wechat please",  # English word cue, plain word
        "信赖 abc123",  # 赖 inside a word
        "whatsapp me tonight",  # whatsapp wants a phone
        "vx: ab",  # too short for a WeChat id
        "vx: 12345678",  # a WeChat id starts with a letter
    ],
)
def test_false_cues_yield_no_handle(find: Finder, text: str) -> None:
    assert of(find(text), HANDLE) == []


def test_phone_next_to_same_as_wechat_is_only_a_phone(find: Finder) -> None:
    assert find("手机13800138000微信同号") == [(PHONE, "+8613800138000", None, "13800138000")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@hot_girl99", "hot_girl99"),
        ("找 @zhangsan 聊", "zhangsan"),
    ],
)
def test_at_name_is_a_telegram_handle(find: Finder, text: str, expected: str) -> None:
    assert of(find(text), HANDLE) == [expected]


@pytest.mark.parametrize("text", ["x@hot_girl99", "@abc", "me@example.com"])
def test_at_sign_inside_a_token_is_no_telegram_handle(find: Finder, text: str) -> None:
    assert of(find(text), HANDLE) == []


# ---- QQ ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "written"),
    [
        ("qq 12345678", "12345678", "12345678"),
        ("QQ：123456789", "123456789", "123456789"),
        ("q号12345", "12345", "12345"),
        ("q:123456", "123456", "123456"),
        ("扣扣：1 2 3 4 5 6 7 8", "12345678", "1 2 3 4 5 6 7 8"),
        ("抠抠 123456", "123456", "123456"),
        ("口口 1234567", "1234567", "1234567"),
        ("企鹅 ⑧⑧⑧⑧⑧⑧", "888888", "888888"),
        ("企鹅号：123-456-789", "123456789", "123-456-789"),
        ("球球 壹贰叁肆伍", "12345", "12345"),
        ("qq群 12345678", "12345678", "12345678"),
    ],
)
def test_qq_numbers(find: Finder, text: str, value: str, written: str) -> None:
    assert find(text) == [(QQ, value, None, written)]


def test_an_11_digit_qq_number_is_not_a_phone(find: Finder) -> None:
    assert find("QQ: 13800138000") == [(QQ, "13800138000", None, "13800138000")]


def test_a_phone_after_a_qq_number_is_still_a_phone(find: Finder) -> None:
    found = find("qq 123456 13800138000")
    assert of(found, QQ) == ["123456"]
    assert of(found, PHONE) == ["+8613800138000"]


@pytest.mark.parametrize(
    "text",
    ["qq 1234", "q号 0123456", "口口声声", "xq:123456", "qq 12345abc", "我的qq很好"],
)
def test_not_qq_numbers(find: Finder, text: str) -> None:
    assert of(find(text), QQ) == []


# ---- URLs, domains, emails, IPs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "domain", "written"),
    [
        ("看 http://x.com/a 吧", "http://x.com/a", "x.com", "http://x.com/a"),
        ("https://bit.ly/AbC.", "https://bit.ly/abc", "bit.ly", "https://bit.ly/abc"),
        (
            "www.example.com/path",
            "http://www.example.com/path",
            "example.com",
            "www.example.com/path",
        ),
        (
            "example.com/path?q=1",
            "http://example.com/path?q=1",
            "example.com",
            "example.com/path?q=1",
        ),
        ("（见 abc.com/x）", "http://abc.com/x", "abc.com", "abc.com/x"),
        ("abc。com/x", "http://abc.com/x", "abc.com", "abc.com/x"),
        ("www.foo.co.uk/x", "http://www.foo.co.uk/x", "foo.co.uk", "www.foo.co.uk/x"),
        (
            "https://abc.github.io/p",
            "https://abc.github.io/p",
            "abc.github.io",
            "https://abc.github.io/p",
        ),
        ("example.com:8080", "http://example.com:8080", "example.com", "example.com:8080"),
        (
            "点击 HTTPS://WWW.Example.COM/Login～～",
            "https://www.example.com/login",
            "example.com",
            "https://www.example.com/login",
        ),
    ],
)
def test_urls(find: Finder, text: str, url: str, domain: str, written: str) -> None:
    found = find(text)
    assert [(v, span) for k, v, _, span in found if k is URL] == [(url, written)]
    assert [(v, span) for k, v, _, span in found if k is DOMAIN] == [(domain, domain)]


def test_t_me_link_is_a_url_and_a_telegram_handle(find: Finder) -> None:
    assert find("t.me/hot_girl99") == [
        (DOMAIN, "t.me", None, "t.me"),
        (URL, "http://t.me/hot_girl99", None, "t.me/hot_girl99"),
        (HANDLE, "hot_girl99", T, "hot_girl99"),
    ]


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("example.com", "example.com"),
        ("www.example.com", "example.com"),
        ("访问abc。com领取", "abc.com"),
        ("abc.github.io", "abc.github.io"),  # private suffix: each blog is its own domain
        ("shop.xx.com.cn", "xx.com.cn"),
        ("a.b.c.example.co.uk", "example.co.uk"),
    ],
)
def test_bare_hosts_are_domains_only(find: Finder, text: str, domain: str) -> None:
    assert find(text) == [(DOMAIN, domain, None, domain)]


@pytest.mark.parametrize(
    "text", ["file.txt", "v1.2", "3.14", "a.b", "main.py", "readme.md", "x.y.z"]
)
def test_dotted_words_without_public_suffix_are_nothing(find: Finder, text: str) -> None:
    assert find(text) == []


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("name@example.com", "name@example.com"),
        ("邮箱: First.Name@Gmail.com。", "first.name@gmail.com"),
        ("hot_girl+x@sub.example.co.uk", "hot_girl+x@sub.example.co.uk"),
        ("12345@qq.com", "12345@qq.com"),
        ("a＠b.com", "a@b.com"),
    ],
)
def test_emails_and_no_domain_for_them(find: Finder, text: str, email: str) -> None:
    assert find(text) == [(EMAIL, email, None, email)]


@pytest.mark.parametrize("text", ["a@b.c", "x@hot_girl99", "name@file.txt"])
def test_not_emails(find: Finder, text: str) -> None:
    assert of(find(text), EMAIL) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ip 1.2.3.4", "1.2.3.4"),
        ("192.168.0.255。", "192.168.0.255"),
        ("10.0.0.1:8080", "10.0.0.1"),
        ("192.168.001.010", "192.168.1.10"),
    ],
)
def test_ipv4(find: Finder, text: str, value: str) -> None:
    assert of(find(text), IPV4) == [value]


@pytest.mark.parametrize("text", ["256.1.1.1", "1.2.3.4.5", "v1.2.3.4", "1.2.3", "1234.1.1.1"])
def test_not_ipv4(find: Finder, text: str) -> None:
    assert of(find(text), IPV4) == []


def test_url_with_ip_host(find: Finder) -> None:
    found = find("http://1.2.3.4/login")
    assert of(found, URL) == ["http://1.2.3.4/login"]
    assert of(found, IPV4) == ["1.2.3.4"]
    assert of(found, DOMAIN) == []


# ---- positions, order, batches --------------------------------------------------------------


def test_results_are_sorted_and_index_the_view(
    normalizer: Normalizer, extractor: EntityExtractor
) -> None:
    text = "加微信 xiaomei520 或 qq 12345678，电话 138 0013 8000，看 www.x.com/a"
    view = normalizer.fold(text).entity_view
    found = extractor.extract(view)
    assert [e.kind for e in found] == [HANDLE, QQ, PHONE, URL, DOMAIN]
    assert found == sorted(found, key=lambda e: (e.start, e.kind))
    assert [view[e.start : e.end] for e in found] == [
        "xiaomei520",
        "12345678",
        "138 0013 8000",
        "www.x.com/a",
        "x.com",
    ]


def test_nothing_spans_a_newline(normalizer: Normalizer, extractor: EntityExtractor) -> None:
    texts = [
        "138 0013",  # the halves of a phone split across two texts
        "8000 再见",
        "加微信",  # a cue at the end of one text, a handle-like word at the start of the next
        "xiaomei520",
        "qq",
        "12345678",
        "www.example",
        "com/path",
        "飞机 @hot_girl99",  # a real entity among them
    ]
    view = "\n".join(normalizer.fold(text).entity_view for text in texts)
    found = extractor.extract(view)
    assert all("\n" not in view[e.start : e.end] for e in found)
    assert found == [FoundEntity(HANDLE, "hot_girl99", view.index("@"), len(view), T)]


def test_batch_equals_one_by_one(normalizer: Normalizer, extractor: EntityExtractor) -> None:
    texts = ["vx: abc123", "电话 13800138000", "x.com/a 和 me@x.com", "1.2.3.4", "qq 123456"]
    views = [normalizer.fold(text).entity_view for text in texts]
    joined = extractor.extract("\n".join(views))
    offset, expected = 0, []
    for view in views:
        expected += [
            FoundEntity(e.kind, e.value, e.start + offset, e.end + offset, e.platform)
            for e in extractor.extract(view)
        ]
        offset += len(view) + 1
    assert joined == expected
    assert len(joined) >= len(texts)
