"""`warden train` and `warden eval` end to end, on files in the shapes real datasets come in."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

SPAM = [
    "WIN a FREE prize now! call {n}",
    "恭喜您中奖{n}元，点击领取 http://p{n}.cn",
    "包夜{n}元 加微信 mm{n}",
]
HAM = ["see you at {n} for dinner", "今天晚上一起吃饭吗 {n}点见", "the meeting moved to room {n}"]


def warden(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warden", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rows(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        spam = i % 2 == 0
        out.append(
            (
                "spam" if spam else "ham",
                rng.choice(SPAM if spam else HAM).format(n=rng.randint(1, 9999)),
            )
        )
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("data")
    tsv = base / "train.tsv"
    tsv.write_text("".join(f"{label}\t{text}\n" for label, text in rows(120, 1)), encoding="utf-8")
    test = base / "test.tsv"
    test.write_text("".join(f"{label}\t{text}\n" for label, text in rows(60, 2)), encoding="utf-8")
    jsonl = base / "test.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"body": t, "kind": label}, ensure_ascii=False) + "\n"
            for label, t in rows(40, 3)
        ),
        encoding="utf-8",
    )
    return {"tsv": tsv, "test": test, "jsonl": jsonl, "base": base}


@pytest.fixture(scope="module")
def model(files: dict[str, Path]) -> Path:
    out = files["base"] / "spam.wdm"
    result = warden(
        "train", "--data", str(files["tsv"]), "--format", "tsv", "--no-header", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "label map" in result.stderr
    return out


def test_eval_json_has_the_documented_keys(model: Path, files: dict[str, Path]) -> None:
    result = warden(
        "eval",
        "--model",
        str(model),
        "--data",
        str(files["test"]),
        "--format",
        "tsv",
        "--no-header",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert {
        "accuracy",
        "mcc",
        "macro",
        "per_class",
        "confusion",
        "roc_auc",
        "pr_auc",
        "at_max_fpr",
    } <= set(figures)
    assert set(figures["per_class"]) == {"clean", "spam"}  # named after the training map
    assert figures["accuracy"] >= 0.9
    assert set(figures["per_class"]["spam"]) == {"precision", "recall", "f1", "support"}


def test_eval_reads_other_shapes_with_the_right_options(
    model: Path, files: dict[str, Path]
) -> None:
    result = warden(
        "eval",
        "--model",
        str(model),
        "--data",
        str(files["jsonl"]),
        "--text-field",
        "body",
        "--label-field",
        "kind",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["per_class"]["spam"]["support"] == 20


def test_cross_validation_reports_mean_and_sd(model: Path, files: dict[str, Path]) -> None:
    result = warden(
        "eval",
        "--model",
        str(model),
        "--data",
        str(files["tsv"]),
        "--format",
        "tsv",
        "--no-header",
        "--cv",
        "3",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["folds"] == 3
    assert set(figures["mcc"]) == {"mean", "sd"}


def test_human_readable_eval(model: Path, files: dict[str, Path]) -> None:
    result = warden("eval", "-m", str(model), "-d", str(files["test"]), "-f", "tsv", "--no-header")
    assert result.returncode == 0, result.stderr
    assert "MCC" in result.stdout
    assert "confusion" in result.stdout


def test_check_with_the_model(model: Path) -> None:
    result = warden("check", "--json", "--model", str(model), "WIN a FREE prize now! call 5555")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["models"]["spam"]["spam"] > 0.5
    assert verdict["categories"]["spam"] >= verdict["models"]["spam"]["spam"]


def test_unknown_label_is_named(model: Path, files: dict[str, Path]) -> None:
    odd = files["base"] / "odd.tsv"
    odd.write_text("gambling\t百家乐\nham\thello\n", encoding="utf-8")
    result = warden(
        "eval", "--model", str(model), "--data", str(odd), "--format", "tsv", "--no-header"
    )
    assert result.returncode == 2
    assert "['gambling'] are not among the model's labels" in result.stderr


def test_empty_file_is_refused(files: dict[str, Path]) -> None:
    empty = files["base"] / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    result = warden(
        "train",
        "--data",
        str(empty),
        "--format",
        "tsv",
        "--no-header",
        "--out",
        str(files["base"] / "x.wdm"),
    )
    assert result.returncode == 2
    assert "has no usable rows" in result.stderr


def test_wrong_column_is_named(files: dict[str, Path]) -> None:
    csv_file = files["base"] / "d.csv"
    csv_file.write_text("content,label\nhello,ham\n", encoding="utf-8")
    result = warden(
        "train",
        "--data",
        str(csv_file),
        "--text-field",
        "TEXT",
        "--out",
        str(files["base"] / "x.wdm"),
    )
    assert result.returncode == 2
    assert "has no column 'TEXT'" in result.stderr


def test_corrupt_model_is_named(files: dict[str, Path]) -> None:
    bad = files["base"] / "bad.wdm"
    bad.write_bytes(b"\x00" * 64)
    result = warden(
        "eval", "--model", str(bad), "--data", str(files["test"]), "--format", "tsv", "--no-header"
    )
    assert result.returncode == 2
    assert "not a Warden model file" in result.stderr


def test_file_label_and_map_and_category(files: dict[str, Path]) -> None:
    loans = files["base"] / "loans.txt"
    loans.write_text(
        "".join(f"{i}\t1\t无抵押贷款 秒批 下款快 {i}\n" for i in range(20)), encoding="utf-8"
    )
    chat = files["base"] / "chat.txt"
    chat.write_text("".join(f"{i}\t1\t今天天气不错 {i}\n" for i in range(20)), encoding="utf-8")
    out = files["base"] / "fraud.wdm"
    result = warden(
        "train", "--data", f"{loans}=loan_fraud", "--data", f"{chat}=normal", "--format", "tsv", "--no-header",
        "--text-field", "3", "--map", "loan_fraud=fraud", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    check = warden("check", "--json", "--no-defaults", "--model", str(out), "无抵押贷款 秒批")
    assert json.loads(check.stdout)["models"]["fraud"]["fraud"] > 0.5
