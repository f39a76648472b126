"""Where Warden's files are: ``$WARDEN_DATA_DIR`` for the shared datasets, the shipped data.

A relative ``WARDEN_DATA_DIR`` is a folder relative to the current directory (as any path on a
command line), never to the catalog that mentions ``${WARDEN_DATA_DIR}``; the default
lexicons and the default policy pack come from ``warden.data`` — in a checkout, the folders the
team edits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.data import shipped
from warden.policy import default_pack_path, load_pack
from warden.text.catalog import data_dir, load_catalog
from warden.text.lexicon import default_lexicon_dir

ROOT = Path(__file__).resolve().parents[2]


def test_relative_data_dir_is_taken_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WARDEN_DATA_DIR", "shared/data")
    assert data_dir() == (tmp_path / "shared" / "data").resolve()
    assert data_dir().is_absolute()


def test_data_dir_default_is_absolute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARDEN_DATA_DIR", raising=False)
    assert data_dir().is_absolute()


def test_catalog_expands_a_relative_data_dir_against_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogs = tmp_path / "checkout" / "lexicons" / "catalogs"
    catalogs.mkdir(parents=True)
    catalog = catalogs / "public.yaml"
    catalog.write_text(
        "base: ${WARDEN_DATA_DIR}/lexicons\nsources:\n"
        "  - {path: konsheng/a.txt, category: porn}\n"
        '  - {path: "${WARDEN_DATA_DIR}/b.txt", category: gambling}\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path / "checkout")
    monkeypatch.setenv("WARDEN_DATA_DIR", "../shared/data")
    expected = (tmp_path / "shared" / "data").resolve()
    assert [source.path for source in load_catalog(catalog)] == [
        expected / "lexicons" / "konsheng" / "a.txt",
        expected / "b.txt",
    ]


def test_a_relative_base_still_resolves_against_the_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "lists" / "catalog.yaml"
    catalog.parent.mkdir()
    catalog.write_text("base: words\nsources:\n  - {path: a.txt, category: spam}\n", "utf-8")
    assert [source.path for source in load_catalog(catalog)] == [
        tmp_path / "lists" / "words" / "a.txt"
    ]


def test_shipped_data_in_a_checkout_is_the_folders_the_team_edits() -> None:
    assert default_lexicon_dir() == ROOT / "lexicons"
    assert shipped("schemas") == ROOT / "schemas"
    assert default_pack_path() == ROOT / "policies" / "default.yaml"


def test_the_default_pack_finds_its_campaigns_beside_it() -> None:
    pack = load_pack(default_pack_path())
    assert pack.campaign("thunder-strike").name == "thunder-strike"
