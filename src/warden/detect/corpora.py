"""Readers of the shared labelled datasets: one function per dataset, one row shape for all.

The standard detectors (:mod:`warden.detect.standard`), the quality benchmark and the
real-message platform benchmark (``bench/accounts.py``) read the same files the same way, so
a dataset quirk is handled once, here:

* the fine-grained spam set is word-segmented and masks contact details (``WECHAT``,
  ``CELLPHONE``, ``URL``, ``NAME`` …) — real messages have neither, so the segmentation
  spaces between Chinese characters are removed and the masks are filled with realistic
  random stand-ins (:func:`unmask`); otherwise a model learns "upper-case mask word = spam";
* two Chinese SMS sets write ``x`` for every digit: those become digits again
  (:func:`unmask_digits`), deterministically per text;
* every row says whether it is **held out** (:mod:`warden.detect.split`): the published
  validation/dev split where a dataset has one, else the stable text hash.

A missing file is an error naming the file and the data directory used.
"""

from __future__ import annotations

import csv
import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warden.detect.split import held_out
from warden.errors import InputError


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled text of a shared dataset, with the raw label as the dataset wrote it."""

    source: str  # dataset folder, e.g. "cn_spam_finegrained"
    file: str  # path relative to the data directory
    label: str
    text: str
    held_out: bool


def require(base: Path, relative: str) -> Path:
    """``base / relative``, or an error that names the file and the data directory."""
    path = base / relative
    if not path.is_file():
        raise InputError(
            f"{path}: data file not found (WARDEN_DATA_DIR={base}); expected the shared "
            "datasets described in its README.md"
        )
    return path


# -- the fine-grained set's masks ----------------------------------------------------------

_MASK = re.compile(r"URL|CELLPHONE|PHONE|WECHAT|HOTLINE|BANK|QQ|DIGIT|NAME|PLACE")
_HANZI_GAP = re.compile(
    r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])"
)
_CITIES = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "东莞", "重庆")
_NAMES = ("王经理", "李小姐", "张先生", "刘总", "陈老师", "小美", "阿华", "赵女士", "周师傅")
_BANKS = ("工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "交通银行", "平安银行")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def unmask(text: str, rng: random.Random) -> str:
    """Fill the fine-grained set's masks with realistic random stand-ins.

    >>> unmask("加 WECHAT 详谈", random.Random(1)).startswith("加 ")
    True
    """

    def fill(match: re.Match[str]) -> str:
        kind = match.group(0)
        if kind == "URL":
            host = "".join(rng.choices(_LETTERS, k=rng.randint(4, 9)))
            tld = rng.choice(["com", "cn", "net", "top", "vip"])
            return f"http://{host}.{tld}/{rng.randint(1, 999)}"
        if kind == "CELLPHONE":
            return "1" + rng.choice("3456789") + "".join(rng.choices("0123456789", k=9))
        if kind in ("PHONE", "HOTLINE"):
            return "0" + "".join(rng.choices("0123456789", k=rng.randint(9, 10)))
        if kind == "WECHAT":
            return "".join(rng.choices(_LETTERS, k=rng.randint(3, 7))) + str(rng.randint(10, 9999))
        if kind == "QQ":
            return str(rng.randint(10_000, 2_999_999_999))
        if kind == "BANK":
            return rng.choice(_BANKS)
        if kind == "DIGIT":
            return str(rng.randint(1, 9999))
        if kind == "NAME":
            return rng.choice(_NAMES)
        return rng.choice(_CITIES)

    return _MASK.sub(fill, text)


_MASKED_DIGITS = re.compile(r"(?<![A-Za-z])x+(?![A-Za-z])")


def unmask_digits(text: str) -> str:
    """Digits where a dataset wrote ``x`` for each (``cn_spam_sms``, ``cn_spam_categories``:
    ``xxx元``, ``x月x日``), drawn from a generator seeded by the text — real messages carry
    digits, and a model must not learn that ``xxxx`` means spam. ``x`` inside Latin words
    stays.

    >>> unmask_digits("满xxx送xx, fax me") == unmask_digits("满xxx送xx, fax me")
    True
    >>> unmask_digits("满xxx送xx, fax me")[1:4].isdigit(), unmask_digits("fax box")
    (True, 'fax box')
    """
    rng = random.Random(zlib.crc32(text.encode("utf-8")))
    return _MASKED_DIGITS.sub(
        lambda match: "".join(rng.choices("0123456789", k=len(match.group(0)))), text
    )


def unsegment(text: str) -> str:
    """Remove the word-segmentation spaces between Chinese characters (keeps Latin spacing).

    >>> unsegment("加 微信 详谈 abc def")
    '加微信详谈 abc def'
    """
    return _HANZI_GAP.sub("", " ".join(text.split()))


# -- one reader per dataset --------------------------------------------------------------


def _csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        yield from csv.DictReader(stream)


def _tsv(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        label, sep, text = line.partition("\t")
        if sep and text.strip():
            yield label.strip(), text.strip()


def cn_spam_sms(base: Path) -> Iterator[Row]:
    """``label<TAB>text``; ``1`` spam (ads, fraud, gambling … unsorted), ``0`` ordinary."""
    relative = "cn_spam_sms/labeled.tsv"
    for label, text in _tsv(require(base, relative)):
        yield Row("cn_spam_sms", relative, label, unmask_digits(text), held_out(text))


def sms_spam_uci(base: Path) -> Iterator[Row]:
    """``ham|spam<TAB>text``, English."""
    relative = "sms_spam_uci/SMSSpamCollection"
    for label, text in _tsv(require(base, relative)):
        yield Row("sms_spam_uci", relative, label, text, held_out(text))


#: cn_spam_categories file → label (the file names are the categories)
CN_SPAM_CATEGORY_FILES = {
    "贷款诈骗_1.txt": "loan_fraud",
    "冒充银行扣款类、提供姓名及卡号转账诈骗_5.txt": "bank_impersonation",
    "服务业广告推送信息_4.txt": "ad_services",
    "房地产推销信息_3.txt": "ad_real_estate",
    "招聘信息_6.txt": "ad_recruiting",
    "二手车推销信息_2.txt": "ad_used_cars",
}


def cn_spam_categories(base: Path) -> Iterator[Row]:
    """``id<TAB>1<TAB>text`` per file; the label is the file's category."""
    for name, label in CN_SPAM_CATEGORY_FILES.items():
        relative = f"cn_spam_categories/{name}"
        for line in require(base, relative).read_text(encoding="utf-8-sig").splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3 and parts[2].strip():
                text = parts[2].strip()
                yield Row(
                    "cn_spam_categories", relative, label, unmask_digits(text), held_out(text)
                )


def cn_spam_finegrained(base: Path, seed: int = 0) -> Iterator[Row]:
    """14 classes; ``train.csv`` for training, ``val.csv`` held out; masks filled, spaces
    between Chinese characters removed (deterministic per ``seed``)."""
    rng = random.Random(seed)
    for split in ("train", "val"):
        relative = f"cn_spam_finegrained/{split}.csv"
        for record in _csv(require(base, relative)):
            label, content = (record.get("label") or "").strip(), (record.get("content") or "")
            if label and content.strip():
                text = unsegment(unmask(content.strip(), rng))
                yield Row("cn_spam_finegrained", relative, label, text, split == "val")


def cn_offensive_cold(base: Path) -> Iterator[Row]:
    """COLD; ``label`` 1 offensive; ``train.csv`` for training, ``dev.csv`` held out."""
    for split in ("train", "dev"):
        relative = f"cn_offensive_cold/{split}.csv"
        for record in _csv(require(base, relative)):
            text = (record.get("TEXT") or "").strip()
            if text:
                label = (record.get("label") or "").strip()
                yield Row("cn_offensive_cold", relative, label, text, split == "dev")


DAVIDSON_LABELS = {"0": "hate", "1": "offensive", "2": "neither"}


def en_hate_davidson(base: Path) -> Iterator[Row]:
    """English tweets: ``class`` 0 hate, 1 offensive, 2 neither."""
    relative = "en_hate_davidson/labeled_data.csv"
    for record in _csv(require(base, relative)):
        text = (record.get("tweet") or "").strip()
        label = DAVIDSON_LABELS.get((record.get("class") or "").strip())
        if text and label:
            yield Row("en_hate_davidson", relative, label, text, held_out(text))


READERS = {
    "cn_spam_sms": cn_spam_sms,
    "sms_spam_uci": sms_spam_uci,
    "cn_spam_categories": cn_spam_categories,
    "cn_spam_finegrained": cn_spam_finegrained,
    "cn_offensive_cold": cn_offensive_cold,
    "en_hate_davidson": en_hate_davidson,
}


def read(base: Path, sources: tuple[str, ...] = tuple(READERS)) -> list[Row]:
    """Every row of the named datasets, in a stable order."""
    rows: list[Row] = []
    for source in sources:
        rows.extend(READERS[source](base))
    return rows
