"""Lexicon catalogs: a YAML file that says how to load a set of lexicon files.

Public lists come as dozens of files in several shapes, each with its own idea of what a
category is. A catalog maps each file onto Warden's categories once, so every tool (``warden
check --catalog``, the screening benchmark, later the policy pack) loads them the same way::

    base: ${WARDEN_DATA_DIR}/lexicons      # relative paths resolve against this
    defaults: {weight: 0.5, pinyin: full}
    sources:
      - {path: konsheng/色情词库.txt, category: porn}
      - path: houbb/sensitive_word_tags.txt
        format: tagged
        codes: {"0": politics, "1": drugs, "2": porn, "3": gambling, "4": crime}

A relative ``base`` or ``path`` resolves against the catalog's folder; ``${WARDEN_DATA_DIR}``
always expands to an absolute path (a relative value is taken from the current directory).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, cast, get_args

import yaml

from warden.errors import LexiconError
from warden.text.lexicon import LexiconSource, PinyinMode

_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
_SOURCE_KEYS = {"path", "category", "weight", "format", "codes", "pinyin", "min_length"}


def data_dir() -> Path:
    """``$WARDEN_DATA_DIR``, else ``../shared/data`` beside the project checkout; absolute.

    A relative ``WARDEN_DATA_DIR`` means a folder relative to the current directory, as for
    any path given on a command line — not to the catalog that mentions ``${WARDEN_DATA_DIR}``
    (``WARDEN_DATA_DIR=../shared/data python bench/screen.py`` from the checkout).
    """
    configured = os.environ.get("WARDEN_DATA_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent.parent / "shared" / "data"
    return Path.cwd().parent / "shared" / "data"


def _expand(text: str, where: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "WARDEN_DATA_DIR":
            return str(data_dir())
        value = os.environ.get(name)
        if value is None:
            raise LexiconError(f"{where}: environment variable {name} is not set")
        return value

    return _VARIABLE.sub(substitute, text)


def load_catalog(path: Path) -> list[LexiconSource]:
    """The sources a catalog lists, with paths resolved; errors name the file and entry."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read catalog: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise LexiconError(f"{path}: expected a mapping with a 'sources' list")
    base_text = _expand(str(document.get("base", ".")), str(path))
    base = Path(base_text)
    if not base.is_absolute():
        base = path.parent / base
    defaults = document.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise LexiconError(f"{path}: 'defaults' must be a mapping, got {defaults!r}")
    return [
        _source(dict(defaults) | item, base, f"{path}: sources[{number}]")
        for number, item in enumerate(document["sources"])
        if _is_mapping(item, f"{path}: sources[{number}]")
    ]


def _is_mapping(item: Any, where: str) -> bool:
    if not isinstance(item, dict):
        raise LexiconError(f"{where}: expected a mapping with at least 'path', got {item!r}")
    return True


def _source(item: dict[str, Any], base: Path, where: str) -> LexiconSource:
    unknown = set(item) - _SOURCE_KEYS
    if unknown:
        raise LexiconError(
            f"{where}: unknown key {sorted(unknown)[0]!r}; expected {sorted(_SOURCE_KEYS)}"
        )
    if "path" not in item:
        raise LexiconError(f"{where}: missing 'path'")
    file = Path(_expand(str(item["path"]), where))
    if not file.is_absolute():
        file = base / file
    fmt = item.get("format", "tsv")
    if fmt not in ("tsv", "tagged"):
        raise LexiconError(f"{where}: format {fmt!r} is not one of 'tsv', 'tagged'")
    pinyin = item.get("pinyin", "full")
    if pinyin not in get_args(PinyinMode):
        raise LexiconError(f"{where}: pinyin {pinyin!r} is not one of {get_args(PinyinMode)}")
    weight = item.get("weight")
    if weight is not None and not (isinstance(weight, int | float) and 0 < weight <= 1):
        raise LexiconError(f"{where}: weight {weight!r} is not a number in (0, 1]")
    codes = {str(k): str(v) for k, v in (item.get("codes") or {}).items()}
    min_length = item.get("min_length", 1)
    if not isinstance(min_length, int) or min_length < 1:
        raise LexiconError(f"{where}: min_length {min_length!r} is not a whole number ≥ 1")
    return LexiconSource(
        file,
        category=item.get("category"),
        weight=None if weight is None else float(weight),
        format=fmt,
        codes=codes,
        pinyin=cast(PinyinMode, pinyin),
        min_length=min_length,
    )
