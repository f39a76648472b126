"""Labelled real messages for ``warden simulate --texts``: the files, read and checked.

The simulator's own texts were written by the team that writes the lexicons, so Warden scores
perfectly on them and the score means little. A platform team measures Warden honestly by
building the platform from messages it did not write — its own labelled traffic, or public
datasets — one role per message. Two formats (``docs/simulate.md#real-messages``)::

    {"role": "escort", "text": "兼职妹妹上门服务请加 mm520"}          # .jsonl / .json
    {"role": "ordinary_mention", "text": "警方抓获涉嫌诈骗的嫌疑人", "abusive": false}
    escort<TAB>兼职妹妹上门服务请加 mm520                             # .tsv / .txt

A role is abusive unless it is ``ordinary`` or starts with ``ordinary_`` — or a JSONL line
says ``"abusive"`` explicitly (every line of a role must agree). A bad line stops the run
with its file, line, what was found and what was expected: nothing is dropped silently,
because a benchmark that quietly lost a tenth of its abuse would report a better recall.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from warden.detect.classifier import fingerprint
from warden.errors import InputError

#: Everyday messages: what ordinary accounts chat with.
ORDINARY = "ordinary"
#: Built in (the payers of scammers); a texts file may not use the name.
VICTIM = "victim"
ROLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_TEXT = 20_000  # the event schema's limit on a text field
_JSONL = (".jsonl", ".json")
_TSV = (".tsv", ".txt")
_FIELDS = frozenset({"role", "text", "abusive"})
#: A text is Chinese (``zh``) when it holds a Han character, else ``en``.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def default_abusive(role: str) -> bool:
    """``ordinary`` and ``ordinary_*`` roles are benign; every other role is abusive."""
    return not (role == ORDINARY or role.startswith(ORDINARY + "_"))


def locale_of(text: str) -> str:
    """``zh`` for a text with Chinese characters, ``en`` otherwise (accounts write one)."""
    return "zh" if _HAN.search(text) else "en"


@dataclass
class RoleTexts:
    """Every text of one role, in file order (repeats kept), split by locale."""

    role: str
    abusive: bool
    where: str  # the first line that named the role (for messages about disagreements)
    explicit: bool  # whether ``abusive`` was given on a line rather than assumed
    texts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(t) for t in self.texts.values())

    def distinct(self) -> int:
        return len({text for texts in self.texts.values() for text in texts})


@dataclass
class LabelledTexts:
    """What ``--texts`` gave: roles (sorted by name) and the files with their SHA-256."""

    roles: dict[str, RoleTexts]
    files: list[dict[str, Any]]

    @property
    def abusive_roles(self) -> list[str]:
        return [name for name, role in self.roles.items() if role.abusive]

    @property
    def benign_roles(self) -> list[str]:
        """Benign roles other than ``ordinary`` (accounts that also chat about something)."""
        return [n for n, r in self.roles.items() if not r.abusive and n != ORDINARY]


def read_texts(paths: Sequence[Path]) -> LabelledTexts:
    """Every line of every file, checked; raises :class:`InputError` at the first bad one."""
    roles: dict[str, RoleTexts] = {}
    files: list[dict[str, Any]] = []
    for path in paths:
        lines = 0
        for number, role, text, abusive in _lines(path):
            lines += 1
            where = f"--texts: {path}:{number}"
            known = roles.get(role)
            if known is None:
                known = roles[role] = RoleTexts(
                    role,
                    default_abusive(role) if abusive is None else abusive,
                    where,
                    abusive is not None,
                )
            elif abusive is not None and abusive != known.abusive:
                said = "said" if known.explicit else "assumed"
                raise InputError(
                    f"{where}: abusive is {str(abusive).lower()} for role {role!r}, but "
                    f"{known.where.removeprefix('--texts: ')} {said} "
                    f"{str(known.abusive).lower()}; expected every line of a role to agree"
                )
            elif abusive is not None:
                known.explicit = True
            known.texts.setdefault(locale_of(text), []).append(text)
        if not lines:
            raise InputError(f"--texts: {path} holds no messages; expected lines of role and text")
        files.append({"path": str(path), "sha256": fingerprint(path)["sha256"], "lines": lines})
    return LabelledTexts(dict(sorted(roles.items())), files)


def _lines(path: Path) -> Iterator[tuple[int, str, str, bool | None]]:
    """(line number, role, text, abusive or None) of each line of ``path``."""
    suffix = path.suffix.lower()
    if suffix not in _JSONL + _TSV:
        raise InputError(
            f"--texts: {path} has suffix {suffix or '(none)'!r}; expected "
            f"{', '.join(_JSONL)} (JSON lines) or {', '.join(_TSV)} (role<TAB>text)"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"--texts: {path} cannot be read: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"--texts: {path}:{bad}: not UTF-8; expected UTF-8 text") from None
    json_lines = suffix in _JSONL
    parse = _json_line if json_lines else _tsv_line
    rows = content.split("\n")
    if rows[-1] == "":
        rows.pop()  # the file ends with a newline
    for number, row in enumerate(rows, start=1):
        line = row.removesuffix("\r")
        where = f"--texts: {path}:{number}"
        if not line.strip():
            shape = "a JSON object" if json_lines else "role<TAB>text"
            raise InputError(f"{where}: the line is empty; expected {shape}")
        role, text, abusive = parse(line, where)
        if not ROLE_NAME.fullmatch(role):
            raise InputError(
                f"{where}: role {role!r} is not a role name; expected 1–64 letters, digits, "
                "'_', '.' or '-', starting with a letter or digit"
            )
        if role == VICTIM:
            raise InputError(
                f"{where}: role {VICTIM!r} is built in (ordinary accounts who pay a scammer); "
                "expected another role name"
            )
        if not text.strip():
            raise InputError(f"{where}: the text is empty; expected a message")
        if len(text) > MAX_TEXT:
            raise InputError(
                f"{where}: the text has {len(text):,} characters; expected at most {MAX_TEXT:,}"
            )
        yield number, role, text, abusive


def _json_line(line: str, where: str) -> tuple[str, str, bool | None]:
    expected = 'expected {"role": "...", "text": "...", "abusive": true|false (optional)}'
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}: not JSON ({exc}); {expected}") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: {line[:60]!r} is not a JSON object; {expected}")
    unknown = sorted(set(record) - _FIELDS)
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r}; {expected}")
    for name in ("role", "text"):
        if name not in record:
            raise InputError(f"{where}: field {name!r} is missing; {expected}")
        if not isinstance(record[name], str):
            raise InputError(
                f"{where}: field {name!r} is {record[name]!r}, not a string; {expected}"
            )
    abusive = record.get("abusive")
    if abusive is not None and not isinstance(abusive, bool):
        raise InputError(f"{where}: field 'abusive' is {abusive!r}, not true or false; {expected}")
    return record["role"], record["text"], abusive


def _tsv_line(line: str, where: str) -> tuple[str, str, bool | None]:
    role, tab, text = line.partition("\t")
    if not tab:
        raise InputError(f"{where}: {line[:60]!r} has no tab; expected role<TAB>text")
    return role.strip(), text, None
