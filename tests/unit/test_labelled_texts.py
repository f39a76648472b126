"""Labelled texts for ``warden simulate --texts``: reading, checking, role sizes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from warden.errors import InputError
from warden.simulate.labelled import default_abusive, locale_of, read_texts
from warden.simulate.labelled_platform import LabelledConfig, role_counts


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_both_formats_read_into_roles_with_locales_and_file_hashes(tmp_path: Path) -> None:
    jsonl = write(
        tmp_path,
        "a.jsonl",
        '{"role": "ordinary", "text": "今晚吃饭吗"}\n'
        '{"role": "ordinary", "text": "see you"}\n'
        '{"role": "talk", "text": "警方抓获诈骗团伙", "abusive": false}\n',
    )
    tsv = write(tmp_path, "b.tsv", "escort\t上门服务 加V mm520\tsecond tab kept\n")
    texts = read_texts([jsonl, tsv])
    assert list(texts.roles) == ["escort", "ordinary", "talk"]
    assert texts.roles["ordinary"].texts == {"zh": ["今晚吃饭吗"], "en": ["see you"]}
    assert texts.roles["escort"].texts["zh"] == ["上门服务 加V mm520\tsecond tab kept"]
    assert texts.abusive_roles == ["escort"]
    assert texts.benign_roles == ["talk"]
    assert [f["lines"] for f in texts.files] == [3, 1]
    assert all(len(f["sha256"]) == 64 for f in texts.files)


def test_which_roles_are_abusive_by_default() -> None:
    assert not default_abusive("ordinary")
    assert not default_abusive("ordinary_mention")
    assert default_abusive("ordinaryish")
    assert default_abusive("escort")
    assert (locale_of("hello 123"), locale_of("你好 hello")) == ("en", "zh")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.jsonl", '{"role": "a", "text": "x"}\n{"role": "a"\n', "t.jsonl:2: not JSON"),
        ("t.jsonl", '["a", "b"]\n', "t.jsonl:1: '[\"a\", \"b\"]' is not a JSON object"),
        ("t.jsonl", '{"role": "a", "txt": "x"}\n', "t.jsonl:1: unknown field 'txt'"),
        ("t.jsonl", '{"text": "x"}\n', "t.jsonl:1: field 'role' is missing"),
        ("t.jsonl", '{"role": "a", "text": 5}\n', "t.jsonl:1: field 'text' is 5, not a string"),
        ("t.jsonl", '{"role": "a", "text": "x", "abusive": "yes"}\n', "field 'abusive' is 'yes', not true or false"),
        ("t.jsonl", '{"role": "a", "text": "x"}\n\n{"role": "a", "text": "y"}\n', "t.jsonl:2: the line is empty; expected a JSON object"),
        ("t.tsv", "ordinary\thi\nno tab here\n", "t.tsv:2: 'no tab here' has no tab; expected role<TAB>text"),
        ("t.tsv", "ordinary\t   \n", "t.tsv:1: the text is empty; expected a message"),
        ("t.tsv", "bad role!\thi\n", "t.tsv:1: role 'bad role!' is not a role name"),
        ("t.tsv", "victim\t定金\n", "t.tsv:1: role 'victim' is built in"),
        ("t.tsv", "", "t.tsv holds no messages"),
        ("t.csv", "ordinary,hi\n", "t.csv has suffix '.csv'; expected .jsonl, .json"),
        (
            "t.jsonl",
            '{"role": "spam", "text": "x", "abusive": false}\n{"role": "spam", "text": "y", "abusive": true}\n',
            "t.jsonl:2: abusive is true for role 'spam', but ",
        ),
    ],
)  # fmt: skip
def test_a_bad_line_names_file_line_and_expectation(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as caught:
        read_texts([path])
    assert str(caught.value).startswith("--texts: "), caught.value
    assert message in str(caught.value), caught.value


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b"ordinary\thi\nordinary\t\xff\xfe\n")
    with pytest.raises(InputError, match=r"t\.tsv:2: not UTF-8"):
        read_texts([path])


def config(accounts: int, abusive: int) -> LabelledConfig:
    return LabelledConfig(
        accounts=accounts, abusive_accounts=abusive, days=2, seed=1, start=date(2026, 6, 1)
    )


def test_role_counts_split_abusers_evenly_and_add_up(tmp_path: Path) -> None:
    texts = read_texts(
        [
            write(
                tmp_path,
                "t.tsv",
                "ordinary\thi\nordinary_mention\t警方\na\tx\nb\ty\nabusive_speech\tz\n",
            )
        ]
    )
    counts = role_counts(config(1000, 50), texts)
    assert (counts["a"], counts["abusive_speech"], counts["b"]) == (17, 17, 16)
    assert counts["ordinary_mention"] == round(950 * 0.12)
    assert counts["victim"] == round(950 * 0.03)
    assert sum(counts.values()) == 1000


@pytest.mark.parametrize(
    ("content", "abusive", "message"),
    [
        ("escort\tx\n", 10, "no line has role 'ordinary'"),
        ("ordinary\tx\n", 10, "--abusive-accounts: 10 abusive accounts, but every role"),
        ("ordinary\tx\na\tx\nb\tx\nc\tx\n", 2, "--abusive-accounts: 2 is fewer than the 3 abusive roles"),
    ],
)  # fmt: skip
def test_impossible_mixes_are_refused(
    tmp_path: Path, content: str, abusive: int, message: str
) -> None:
    texts = read_texts([write(tmp_path, "t.tsv", content)])
    with pytest.raises(InputError, match=message):
        role_counts(config(200, abusive), texts)
