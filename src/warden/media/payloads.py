"""What a QR code's payload says, as entities: the contact or group it adds you to.

An ad's QR code rarely spells a handle out; it holds a link the chat app opens. Those links
are well known, and each names the contact or group as precisely as a typed handle does::

    https://u.wechat.com/EFab3xYz          chat_handle  wechat    EFab3xYz
    https://weixin.qq.com/g/AbC-12         group_link   wechat    weixin.qq.com/g/AbC-12
    mqqapi://card/show_pslcard?uin=12345   qq                     12345
    https://jq.qq.com/?k=Xy12              group_link   qq        jq.qq.com/?k=Xy12
    https://t.me/hot_girl99                chat_handle  telegram  hot_girl99
    https://t.me/+AbCdEf                   group_link   telegram  t.me/+AbCdEf
    https://t.me/joinchat/AbCdEf           group_link   telegram  t.me/joinchat/AbCdEf
    https://wa.me/8613800138000            phone                  +8613800138000
    https://chat.whatsapp.com/AbC          group_link   whatsapp  chat.whatsapp.com/AbC
    tel:+8613800138000                     phone                  +8613800138000

and the ``TEL`` of a vCard or MECARD contact card is a ``phone`` too (a ``tests/unit``
test reads this table).

Codes (the part after ``u.wechat.com/``) keep their case: the apps treat them as
case-sensitive. Any other http(s) link is a ``url``. The payload is also screened as text
(:mod:`warden.media.scan`), which finds handles and phones written out in a text code.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import phonenumbers

from warden.domain.verdicts import Entity, EntityKind, Platform

_URL = re.compile(r"(?:https?|weixin|mqqapi|tg)://[^\s<>\"']+", re.IGNORECASE)
_TEL = re.compile(r"(?:tel:|TEL[;:][^:\n]*:?|TEL:)\s*(\+?[0-9][0-9 ()./-]{5,20}[0-9])", re.I)
_W, _T, _A, _Q = Platform.WECHAT, Platform.TELEGRAM, Platform.WHATSAPP, Platform.QQ


def payload_entities(payload: str) -> list[Entity]:
    """The contacts, groups, phones and links a code's payload points to."""
    found: list[Entity] = []
    for url in _URL.finditer(payload):
        entity = _link(url.group(0).rstrip(".,;)"), url.start())
        if entity is not None:
            found.append(entity)
    for tel in _TEL.finditer(payload):
        phone = _phone(tel.group(1))
        if phone:
            found.append(_entity(EntityKind.PHONE, phone, tel.start(1), tel.end(1), payload))
    return found


def _link(url: str, start: int) -> Entity | None:
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    path = parts.path.strip("/")
    query = parse_qs(parts.query)
    end = start + len(url)

    def make(kind: EntityKind, value: str, platform: Platform | None = None) -> Entity:
        return Entity(kind, value, start, end, url, platform, "qr")

    if host == "u.wechat.com" and path:
        return make(EntityKind.CHAT_HANDLE, path, _W)
    if scheme == "weixin" and (path or parts.query):
        return make(EntityKind.CHAT_HANDLE, (parts.query or path).rsplit("/", 1)[-1], _W)
    if host == "weixin.qq.com" and path.startswith("g/"):
        return make(EntityKind.GROUP_LINK, f"weixin.qq.com/{path}", _W)
    if host == "weixin.qq.com" and path.startswith("r/"):
        return make(EntityKind.CHAT_HANDLE, path[2:], _W)
    if scheme == "mqqapi" or host == "qm.qq.com":
        uin = query.get("uin", [""])[0]
        if uin.isdigit():
            return make(EntityKind.QQ, uin)
        key = query.get("k", [path])[0]
        return make(EntityKind.CHAT_HANDLE, f"qm.qq.com/{key}", _Q) if key else None
    if host in ("jq.qq.com", "qun.qq.com"):
        key = query.get("k", [path])[0]
        return make(EntityKind.GROUP_LINK, f"{host}/?k={key}", _Q) if key else None
    if host in ("t.me", "telegram.me") and path:
        if path.startswith(("+", "joinchat/")):
            return make(EntityKind.GROUP_LINK, f"t.me/{path}", _T)
        return make(EntityKind.CHAT_HANDLE, path.split("/", 1)[0].lower(), _T)
    if scheme == "tg":
        domain = query.get("domain", [""])[0]
        return make(EntityKind.CHAT_HANDLE, domain.lower(), _T) if domain else None
    if host == "wa.me" and path:
        phone = _phone("+" + path.split("/", 1)[0])
        return make(EntityKind.PHONE, phone) if phone else None
    if host == "chat.whatsapp.com" and path:
        return make(EntityKind.GROUP_LINK, f"chat.whatsapp.com/{path}", _A)
    if scheme in ("http", "https") and host:
        return make(EntityKind.URL, f"{host}{parts.path}".rstrip("/"))
    return None


def _phone(text: str) -> str | None:
    """A phone number in E.164, or None (China is the region for numbers without a +)."""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _entity(kind: EntityKind, value: str, start: int, end: int, payload: str) -> Entity:
    return Entity(kind, value, start, end, payload[start:end], None, "qr")
