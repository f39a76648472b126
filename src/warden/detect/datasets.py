"""Labelled datasets for training and evaluation, read with the same record reader as scans.

Labels in the wild are ``ham``/``spam``, ``0``/``1``, ``IL_Escort_service`` … Warden's are
categories. The mapping is explicit and recorded in the model file:

1. a file given as ``FILE=LABEL`` labels every row ``LABEL`` (one-category files such as
   ``cn_spam_categories/贷款诈骗_1.txt``);
2. ``--map LABEL=CATEGORY`` maps a raw label;
3. a raw label that conventionally means "nothing wrong" (``ham``, ``normal``, ``0``, …)
   maps to ``clean``, the reserved negative class;
4. with ``--category NAME`` every other label maps to ``NAME`` (a binary detector);
5. otherwise the raw label is kept as a sub-label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from warden.detect.classifier import CLEAN, TrainingSet, fingerprint
from warden.errors import InputError
from warden.io.records import Format, Record, RecordReader, Rejection, guess_format

NEGATIVE_LABELS = frozenset(
    {"ham", "normal", "0", "clean", "none", "negative", "neither", "not_spam"}
)


@dataclass(frozen=True, slots=True)
class DataSpec:
    """One ``--data`` argument: a file and, optionally, the label of all its rows."""

    path: Path
    label: str | None = None

    @classmethod
    def parse(cls, spec: str) -> DataSpec:
        path, sep, label = spec.partition("=")
        if sep and not label:
            raise InputError(
                f"--data: {spec!r} has '=' but no label after it; expected FILE or FILE=LABEL"
            )
        return cls(Path(path), label or None)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read the data files (the same for every ``--data``)."""

    format: Format | None = None
    text_field: str | None = None
    label_field: str | None = None
    header: bool = True


@dataclass(frozen=True, slots=True)
class LabelRules:
    """Raw label → Warden label (see the module docstring for the order of the rules)."""

    mapping: Mapping[str, str]
    category: str | None = None

    def apply(self, raw: str) -> str:
        if raw in self.mapping:
            return self.mapping[raw]
        if raw.lower() in NEGATIVE_LABELS:
            return CLEAN
        if self.category is not None:
            return self.category
        return raw

    @staticmethod
    def parse_map(items: Sequence[str]) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for item in items:
            raw, sep, category = item.partition("=")
            if not sep or not raw or not category:
                raise InputError(f"--map: {item!r} is not LABEL=CATEGORY")
            mapping[raw] = category
        return mapping


def read_labelled(
    specs: Sequence[DataSpec], options: ReadOptions, rules: LabelRules
) -> tuple[TrainingSet, list[tuple[Path, Rejection]]]:
    """Texts and mapped labels of every file; unusable rows come back as rejections."""
    texts: list[str] = []
    labels: list[str] = []
    used: dict[str, str] = {}
    rejections: list[tuple[Path, Rejection]] = []
    fingerprints = []
    for spec in specs:
        if not spec.path.is_file():
            raise InputError(f"--data: {str(spec.path)!r} is not a readable file")
        fmt = options.format or guess_format(spec.path)
        text_field = options.text_field or _default_text_field(fmt, options.header)
        reader = RecordReader(spec.path, fmt, text_field=text_field, header=options.header)
        label_field = options.label_field or ("label" if options.header or fmt == "jsonl" else "1")
        rows_before = len(texts)
        for item in reader:
            if isinstance(item, Rejection):
                rejections.append((spec.path, item))
                continue
            raw = spec.label if spec.label is not None else _label_of(item, label_field)
            if raw is None:
                rejections.append(
                    (
                        spec.path,
                        Rejection(
                            item.line, f"label field {label_field!r} is missing", item.text[:200]
                        ),
                    )
                )
                continue
            label = rules.apply(raw)
            used[raw] = label
            texts.append(item.text)
            labels.append(label)
        if len(texts) == rows_before:
            raise InputError(
                f"--data: {spec.path} has no usable rows (check --format, --text-field, --label-field)"
            )
        fingerprints.append(fingerprint(spec.path) | ({"label": spec.label} if spec.label else {}))
    return TrainingSet(texts, labels, dict(sorted(used.items())), fingerprints), rejections


def _default_text_field(fmt: Format, header: bool) -> str | None:
    if fmt in ("csv", "tsv") and not header:
        return "2"
    return None


def _label_of(record: Record, field: str) -> str | None:
    value = record.fields.get(field)
    if value is None:
        return None
    text = str(value).strip()
    return text or None
