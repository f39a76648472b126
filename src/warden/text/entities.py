"""Contact entities in the entity view: phones, chat handles, QQ numbers, URLs, domains, emails, IPs.

Abuse moves victims off-platform ("加微信 xiaomei520", "飞机 @hot_girl99", "138 0013 8000"),
and the same contact detail posted by many accounts is what links a ring together. So each
detail is reduced to one canonical value (E.164 phones, bare lower-cased handles, registered
domains) however it was disguised, with a span into the view for the caller to map back.

The input is the *entity view* (:func:`warden.text.fold.entity_table`): styled digits and
letters are already folded, emoji and most symbols are ``\\x00`` and the punctuation contact
details use is ASCII. This sits on the per-message hot path, so every scan is one compiled
regex over the whole view, written to start with a literal or a character class (which lets
``re`` skip ahead in C); context checks a look-behind would do run in Python, per candidate.
No pattern crosses ``\\n``: a view may be many texts joined by newlines.

Precision over recall: a number is a phone only when written the way contact numbers are
(a CN mobile, a CN landline with its 0 and area code, or with an international prefix) and
only whole digit groups may form one, so IDs, bank cards, dates and prices leak no phones.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import phonenumbers
import tldextract

from warden.domain.verdicts import EntityKind, Platform

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_ALNUM = _LETTERS | frozenset("0123456789")

# Between digit groups people put spaces, dashes, dots, slashes, brackets and emoji (the last
# two are \x00 in the view); a short run of them keeps a chain together.
_SEP = r"[ \x00./-]{0,4}"
_PHONE_CHAIN = re.compile(rf"[0-9](?:{_SEP}[0-9]){{6,}}")  # >= 7 digits
_DIGIT_CHAIN = re.compile(rf"\+?[ \x00]{{0,2}}[0-9](?:{_SEP}[0-9])*")
_DIGIT_RUN = re.compile("[0-9]+")
_CN_NATIONAL = re.compile("1[3-9][0-9]{9}|0[1-9][0-9]{8,10}")
# A digit group touching one of these is part of a word, an email or a handle, not a number.
_GLUE_AFTER = _LETTERS | {"_", "@"}
_GLUE_BEFORE = _ALNUM | {"_"}
_NATIONAL_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)

# Words people put between a cue and the handle ("加微信号是: abc").
_FILLER = r"(?P<filler>(?:[:= \x00-]|号码|号|是|为|账号|群号|群|id(?![a-z0-9])|搜|加|私聊)*+)"
_QQ_CUE = re.compile(rf"(?:qq|q号|扣扣|抠抠|口口|企鹅号|企鹅|球球|q(?=:)){_FILLER}(?=[1-9])")
_W, _T, _A, _L = Platform.WECHAT, Platform.TELEGRAM, Platform.WHATSAPP, Platform.LINE
# cue → (platform, weak). After a weak cue (an ordinary word, or an English word that shows
# up in normal sentences) a handle needs a digit or '_' unless ':', '=', 号 or id follows.
_CUES: dict[str, tuple[Platform, bool]] = {
    **dict.fromkeys(["微信", "薇信", "威信", "徽信", "危信", "维信", "v信", "加微"], (_W, False)),
    **dict.fromkeys(["加v", "+v", "vx", "wx", "weixin"], (_W, False)),
    **dict.fromkeys(["微", "薇", "wechat"], (_W, True)),
    "tg": (_T, False),
    **dict.fromkeys(["telegram", "飞机", "纸飞机", "电报"], (_T, True)),
    **dict.fromkeys(["whatsapp", "whats app", "wa"], (_A, True)),
    **dict.fromkeys(["line", "赖"], (_L, True)),
}
_CONTEXT = {  # what must follow a cue for it to be one (a Latin cue must also not follow a letter)
    "加微": "(?!信)",
    "微": "(?=[:= \\x00-])",
    "薇": "(?=[:= \\x00-])",
    "赖": "(?=[:=])",
}
_CHAT_CUE = re.compile(
    "(?:"
    + "|".join(
        re.escape(cue) + _CONTEXT.get(cue, "(?![a-z])" if cue[-1] in _LETTERS else "")
        for cue in sorted(_CUES, key=len, reverse=True)
    )
    + f"){_FILLER}"
)
_END = r"(?![a-z0-9_@-]|\.[a-z0-9])"  # a handle must not be cut out of a longer token
_HANDLES: dict[Platform, re.Pattern[str]] = {
    _W: re.compile(rf"([a-z][a-z0-9_-]{{5,19}}){_END}"),
    _T: re.compile(rf"@?([a-z][a-z0-9_]{{4,31}}){_END}"),
    _L: re.compile(r"@?([a-z0-9._-]{4,21})(?![a-z0-9._@-])"),
}
_WEAK_HANDLE_OK = re.compile("[0-9_]")
_HAS_LETTER = re.compile("[a-z]")
_TG_NAME = re.compile(rf"([a-z][a-z0-9_]{{4,31}}){_END}")
_TG_PATH = re.compile(rf"/([a-z][a-z0-9_]{{4,31}}){_END}")
_TG_RESERVED = frozenset({"joinchat", "addstickers", "addemoji", "addlist", "share", "proxy"})

_HOST = r"(?:[a-z0-9][a-z0-9-]{0,62}\.)+[a-z][a-z0-9-]{0,62}"
_HOST_CHARS = _ALNUM | {".", "-"}
_DOT = re.compile(r"\.(?=[a-z0-9])")
_TOKEN = re.compile("[a-z0-9.-]*")
_URL = re.compile(
    rf"(?:(?P<scheme>https?)://)?(?P<host>{_HOST}|[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}})"
    r"(?![a-z0-9_@-]|\.[a-z0-9])(?P<port>:[0-9]{1,5})?(?P<path>[/?#][a-z0-9._~:/?#@&=%+-]*)?"
)
_URL_GLUE = frozenset("@_%+")
_URL_TRAILING = ".:?#&~-"
_FILE_TLDS = frozenset({"zip", "mov", "py", "md", "sh", "rs"})
_AT = re.compile("@")
_LOCAL_CHARS = _ALNUM | set("._%+-_")
_EMAIL_HOST = re.compile(rf"{_HOST}{_END}")
_IPV4 = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9]|\.[0-9])")
_CACHE_LIMIT = 1 << 16


@dataclass(frozen=True, slots=True)
class FoundEntity:
    """An entity in the view passed to :meth:`EntityExtractor.extract`; spans index that view."""

    kind: EntityKind
    value: str
    start: int
    end: int
    platform: Platform | None = None


class EntityExtractor:
    """Build once (compiles regexes, sets up tldextract offline and phonenumbers); reuse.

    Keeps small caches of phone and host look-ups: spam repeats the same few numbers and
    hosts, and a phonenumbers or tldextract call costs microseconds.
    """

    def __init__(self, default_region: str = "CN") -> None:
        self.default_region = default_region.upper()
        # No URLs: the bundled suffix-list snapshot, never the network. Private suffixes on,
        # so accounts on shared hosts (abc.github.io) stay apart.
        self._tld = tldextract.TLDExtract(
            suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
        )
        self._tld("example.com")  # load the snapshot now rather than on the first message
        self._phones_cache: dict[tuple[str, bool], str | None] = {}
        self._hosts_cache: dict[str, str | None] = {}

    def extract(self, view: str) -> list[FoundEntity]:
        """Every contact entity in ``view``, sorted by (start, kind)."""
        found: set[FoundEntity] = set()
        has_digit = _DIGIT_RUN.search(view) is not None
        qq_starts: list[int] = []
        qq_ends: list[int] = []
        if has_digit:
            self._qq(view, found, qq_starts, qq_ends)
        self._chat_handles(view, found)
        if has_digit:
            for chain in _PHONE_CHAIN.finditer(view):
                for start, end, e164 in self._phones(view, chain.start(), chain.end()):
                    qq = bisect.bisect_left(qq_starts, end) - 1  # QQ digits are no phone
                    if qq < 0 or qq_ends[qq] <= start:
                        found.add(FoundEntity(EntityKind.PHONE, e164, start, end))
        if "@" in view:
            self._at_sign(view, found)
        if "." in view:
            self._urls(view, found)
            if has_digit:
                self._ipv4(view, found)
        return sorted(found, key=lambda e: (e.start, e.kind, e.end, e.value))

    def _phones(
        self, view: str, start: int, end: int, cued: bool = False
    ) -> list[tuple[int, int, str]]:
        """Phones made of whole digit groups of the chain ``view[start:end]``, longest first.

        Only whole groups may join, so a 19-digit bank card never yields a phone from its
        middle while "138 0013 8000" and "302 13800138000" (room, then phone) both work. A
        group glued to a word is dropped, unless the word is the cue itself ("vx13800138000").
        """
        plus = view.rfind("+", max(0, start - 3), start)
        if plus >= 0 and view[plus + 1 : start].strip(" \x00"):
            plus = -1
        runs = [(m.start(), m.end()) for m in _DIGIT_RUN.finditer(view, start, end)]
        first = start if plus < 0 else plus
        if not cued and first > 0 and view[first - 1] in _GLUE_BEFORE:
            runs, plus = runs[1:], -1
        if runs and end < len(view) and view[end] in _GLUE_AFTER:
            runs.pop()
        phones: list[tuple[int, int, str]] = []
        i = 0
        while i < len(runs):
            international = plus >= 0 and i == 0
            digits = ""
            best: tuple[int, str] | None = None
            for j in range(i, len(runs)):
                digits += view[runs[j][0] : runs[j][1]]
                if len(digits) > 17:
                    break
                if len(digits) >= 7 and (e164 := self._e164(digits, international)):
                    best = (j, e164)
            if best is None:
                i += 1
                continue
            phones.append((plus if international else runs[i][0], runs[best[0]][1], best[1]))
            i = best[0] + 1
        return phones

    def _e164(self, digits: str, international: bool) -> str | None:
        """E.164 form when ``digits`` is written like a contact number (see the module doc)."""
        key = (digits, international)
        if key in self._phones_cache:
            return self._phones_cache[key]
        if len(self._phones_cache) >= _CACHE_LIMIT:
            self._phones_cache.clear()
        result: str | None = None
        if not international and digits.startswith("00"):
            digits, international = digits[2:], True
        if international:
            if 7 <= len(digits) <= 15 and digits[0] != "0":
                result = _parse("+" + digits, None)
        elif 8 <= len(digits) <= 12 and (
            self.default_region != "CN" or _CN_NATIONAL.fullmatch(digits)
        ):
            result = _parse(digits, self.default_region)
        self._phones_cache[key] = result
        return result

    def _qq(self, view: str, found: set[FoundEntity], starts: list[int], ends: list[int]) -> None:
        """QQ numbers after a QQ cue; their spans go to ``starts``/``ends`` (no phone there)."""
        for cue in _QQ_CUE.finditer(view):
            if cue.start() > 0 and view[cue.start()] == "q" and view[cue.start() - 1] in _LETTERS:
                continue
            chain = _DIGIT_CHAIN.match(view, cue.end())
            if chain is None:
                continue
            runs = [(m.start(), m.end()) for m in _DIGIT_RUN.finditer(view, cue.end(), chain.end())]
            if chain.end() < len(view) and view[chain.end()] in _GLUE_AFTER:
                runs.pop()
            digits, best, end = "", "", 0
            for run_start, run_end in runs:  # the longest whole-group prefix of 5-11 digits
                digits += view[run_start:run_end]
                if len(digits) > 11:
                    break
                if len(digits) >= 5:
                    best, end = digits, run_end
            if best:
                found.add(FoundEntity(EntityKind.QQ, best, cue.end(), end))
                starts.append(cue.end())
                ends.append(end)

    def _chat_handles(self, view: str, found: set[FoundEntity]) -> None:
        """Handles after a platform cue; a phone there is both a phone and the handle."""
        for cue in _CHAT_CUE.finditer(view):
            start, pos = cue.start(), cue.end()
            word = view[start : cue.start("filler")]
            if pos >= len(view) or (word[0] in _LETTERS and start and view[start - 1] in _LETTERS):
                continue
            platform, weak = _CUES[word]
            if view[pos] in "+0123456789":
                if phone := self._cued_phone(view, pos):
                    first, end, e164 = phone
                    found.add(FoundEntity(EntityKind.PHONE, e164, first, end))
                    found.add(FoundEntity(EntityKind.CHAT_HANDLE, e164, first, end, platform))
                continue
            grammar = _HANDLES.get(platform)
            handle = grammar.match(view, pos) if grammar else None
            if handle is None:
                continue
            value = handle[1].rstrip(".")
            if len(value) < 4 or (platform is _L and not _HAS_LETTER.search(value)):
                continue
            filler = cue["filler"]
            explicit = ":" in filler or "=" in filler or "号" in filler or "id" in filler
            if weak and not explicit and not _WEAK_HANDLE_OK.search(value):
                continue
            end = handle.start(1) + len(value)
            found.add(FoundEntity(EntityKind.CHAT_HANDLE, value, pos, end, platform))

    def _cued_phone(self, view: str, pos: int) -> tuple[int, int, str] | None:
        """The phone written right at ``pos`` (just after a cue), if there is one."""
        chain = _DIGIT_CHAIN.match(view, pos)
        digits = _DIGIT_RUN.search(view, pos, chain.end()) if chain else None
        if chain is None or digits is None:
            return None
        phones = self._phones(view, digits.start(), chain.end(), cued=True)
        return phones[0] if phones and phones[0][0] == pos else None

    def _at_sign(self, view: str, found: set[FoundEntity]) -> None:
        """Emails (whose host has a public suffix) and bare "@name" Telegram handles."""
        for at in _AT.finditer(view):
            pos = at.start()
            start = pos
            while start > 0 and pos - start < 64 and view[start - 1] in _LOCAL_CHARS:
                start -= 1
            while start < pos and view[start] not in _ALNUM:
                start += 1
            if start < pos:
                host = _EMAIL_HOST.match(view, pos + 1)
                if host and self._registered(host[0]):
                    found.add(
                        FoundEntity(EntityKind.EMAIL, view[start : host.end()], start, host.end())
                    )
            elif pos == 0 or view[pos - 1] not in _LOCAL_CHARS:
                name = _TG_NAME.match(view, pos + 1)
                if name:
                    found.add(FoundEntity(EntityKind.CHAT_HANDLE, name[1], pos, name.end(), _T))

    def _urls(self, view: str, found: set[FoundEntity]) -> None:
        """URLs (with or without scheme) and the registered domain of every host.

        Anchored on dots: each dot starts a walk back to its token's start, where the URL
        pattern is tried once; the token's other dots are then skipped.
        """
        done = 0
        for dot in _DOT.finditer(view):
            if dot.start() < done:
                continue
            start = dot.start()
            while start > 0 and view[start - 1] in _HOST_CHARS:
                start -= 1
            token = _TOKEN.match(view, dot.start())
            done = token.end() if token else dot.end()
            for scheme in ("https://", "http://"):
                if view.startswith(scheme, start - len(scheme)):
                    start -= len(scheme)
                    break
            if start > 0 and view[start - 1] in _URL_GLUE:
                continue
            url = _URL.match(view, start)
            if url is not None:
                done = max(done, url.end())
                self._url(view, url, found)

    def _url(self, view: str, url: re.Match[str], found: set[FoundEntity]) -> None:
        """One URL match: a bare host is only a domain (a URL needs a scheme, port or path)."""
        scheme, host, port = url["scheme"], url["host"], url["port"] or ""
        path = (url["path"] or "").rstrip(_URL_TRAILING)
        path_start = url.end("port") if port else url.end("host")
        end = path_start + len(path)
        value = f"{scheme or 'http'}://{host}{port}{path}"
        if host[-1].isdigit():  # an IP: a URL only with a scheme, never a domain
            if scheme:
                found.add(FoundEntity(EntityKind.URL, value, url.start(), end))
            return
        registered = self._registered(host)
        bare = not (scheme or port or path)
        if registered is None or (bare and _is_file_name(host)):
            return
        host_end = url.end("host")
        found.add(FoundEntity(EntityKind.DOMAIN, registered, host_end - len(registered), host_end))
        if bare:
            return
        found.add(FoundEntity(EntityKind.URL, value, url.start(), end))
        name = _TG_PATH.match(path) if registered in ("t.me", "telegram.me") else None
        if name and name[1] not in _TG_RESERVED:
            start = path_start + name.start(1)
            found.add(FoundEntity(EntityKind.CHAT_HANDLE, name[1], start, start + len(name[1]), _T))

    def _registered(self, host: str) -> str | None:
        """The registered domain of ``host`` ("www.foo.co.uk" → "foo.co.uk"), if it has a suffix."""
        if host in self._hosts_cache:
            return self._hosts_cache[host]
        if len(self._hosts_cache) >= _CACHE_LIMIT:
            self._hosts_cache.clear()
        parts = self._tld(host)
        result = f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else None
        self._hosts_cache[host] = result
        return result

    def _ipv4(self, view: str, found: set[FoundEntity]) -> None:
        """Dotted quads, not part of a version string or a longer dotted run ("1.2.3.4.5")."""
        for quad in _IPV4.finditer(view):
            if quad.start() and view[quad.start() - 1] in _HOST_CHARS:
                continue
            octets = [int(octet) for octet in quad[0].split(".")]
            if max(octets) <= 255:
                value = ".".join(map(str, octets))
                found.add(FoundEntity(EntityKind.IPV4, value, quad.start(), quad.end()))


def _is_file_name(host: str) -> bool:
    """A bare "name.ext" whose extension is also a TLD (file.zip, main.py) names a file."""
    return host.count(".") == 1 and host.rsplit(".")[1] in _FILE_TLDS


def _parse(number: str, region: str | None) -> str | None:
    """E.164 of a valid number (a national one must be a mobile or a landline), else None."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    if region is not None and phonenumbers.number_type(parsed) not in _NATIONAL_TYPES:
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
