"""Lexicon files load in the documented format, and bad lines are named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.errors import LexiconError
from warden.text.catalog import load_catalog
from warden.text.lexicon import LexiconSource, default_sources, read_source, read_sources


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_format(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mine.tsv",
        "# comment\n\n包夜\tsexual_services\t0.9\n草泥马\tharassment\t0.8\tinitials\n"
        "!按摩椅\tsexual_services\n\\!important\tspam\n",
    )
    entries = read_source(LexiconSource(path))
    assert [(e.term, e.category, e.weight, e.allow, e.initials) for e in entries] == [
        ("包夜", "sexual_services", 0.9, False, False),
        ("草泥马", "harassment", 0.8, False, True),
        ("按摩椅", "sexual_services", 1.0, True, False),
        ("!important", "spam", 1.0, False, False),
    ]
    assert entries[0].source == f"{path}:3"


def test_plain_list_takes_category_from_the_caller(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.txt", "赌场\n百家乐,\n")
    entries = read_source(LexiconSource.parse(f"{path}:gambling:0.4"))
    assert {(e.term, e.category, e.weight) for e in entries} == {
        ("赌场", "gambling", 0.4),
        ("百家乐,", "gambling", 0.4),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("赌场\n", r"plain\.tsv:1: term '赌场' has no category"),
        ("赌场\tGambling\n", r"plain\.tsv:1: category 'Gambling' is not a valid name"),
        ("赌场\tgambling\theavy\n", r"plain\.tsv:1: weight 'heavy' is not a number"),
        ("赌场\tgambling\t1.5\n", r"plain\.tsv:1: weight 1\.5 is out of range"),
        ("ok\tspam\n赌场\tgambling\t0.5\tloud\n", r"plain\.tsv:2: unknown flag 'loud'"),
        ("a\tb\tc\td\te\n", r"plain\.tsv:1: 5 tab-separated fields"),
        ("!\tspam\n", r"plain\.tsv:1: empty term"),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "plain.tsv", text)
    with pytest.raises(LexiconError, match=message):
        read_source(LexiconSource(path))


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("好\n".encode() + "赌场\n".encode("gbk"))
    with pytest.raises(LexiconError, match=r"gbk\.txt:2: not UTF-8"):
        read_source(LexiconSource(path, category="gambling"))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read lexicon"):
        read_source(LexiconSource(tmp_path / "nope.tsv", category="spam"))


def test_spec_with_bad_weight() -> None:
    with pytest.raises(LexiconError, match="weight 'x' is not a number"):
        LexiconSource.parse("words.txt:spam:x")


def test_tagged_format_maps_codes(tmp_path: Path) -> None:
    path = write(tmp_path, "tags.txt", "0售k粉qq 1,4\n08宪章 0\n")
    source = LexiconSource(
        path, format="tagged", codes={"0": "politics", "1": "drugs", "4": "crime"}
    )
    assert [(e.term, e.category) for e in read_source(source)] == [
        ("0售k粉qq", "drugs"),
        ("0售k粉qq", "crime"),
        ("08宪章", "politics"),
    ]
    bad = LexiconSource(path, format="tagged", codes={"0": "politics"})
    with pytest.raises(LexiconError, match=r"tags\.txt:1: code '1' is not in"):
        read_source(bad)


def test_catalog_resolves_paths_and_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a.txt", "赌场\n")
    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path))
    catalog = write(
        tmp_path,
        "c.yaml",
        "base: ${WARDEN_DATA_DIR}\ndefaults: {weight: 0.3}\nsources:\n  - {path: a.txt, category: gambling}\n",
    )
    entries = read_sources(load_catalog(catalog))
    assert [(e.term, e.category, e.weight) for e in entries] == [("赌场", "gambling", 0.3)]
    bad = write(tmp_path, "bad.yaml", "sources:\n  - {path: a.txt, colour: red}\n")
    with pytest.raises(LexiconError, match=r"bad\.yaml: sources\[0\]: unknown key 'colour'"):
        load_catalog(bad)


def test_default_lexicons_cover_every_category() -> None:
    entries = read_sources(default_sources())
    categories = {e.category for e in entries if not e.allow}
    assert {
        "sexual_services", "porn", "fraud", "gambling", "terror", "spam", "harassment",
    } <= categories  # fmt: skip
    assert sum(e.category == "sexual_services" for e in entries) >= 100
    assert any(e.allow for e in entries)
