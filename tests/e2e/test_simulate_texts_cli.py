"""``warden simulate --texts`` end to end: labelled messages in, a platform with truth out."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from running import warden

from warden.simulate.labelled_platform import VICTIM_MEMOS

TEXTS = [
    {"role": "ordinary", "text": "今晚一起吃饭吗"},
    {"role": "ordinary", "text": "明天上午开会别忘了"},
    {"role": "ordinary", "text": "see you at lunch"},
    {"role": "ordinary_mention", "text": "警方抓获涉嫌诈骗的嫌疑人", "abusive": False},
    {"role": "escort", "text": "兼职妹妹上门服务请加 mm520 非诚勿扰"},
    {"role": "abusive_speech", "text": "你这个人真是脑子有病"},
]


def texts_file(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TEXTS), "utf-8")
    return path


def test_texts_become_a_platform_with_roles_behaviour_and_truth(
    tmp_path: Path, env: dict[str, str]
) -> None:
    out = tmp_path / "platform"
    tsv = tmp_path / "more.tsv"
    tsv.write_text("phone_fraud\t您好，无抵押信用贷款，电话13800138000\n", encoding="utf-8")
    result = warden(
        env, "simulate", "--texts", str(texts_file(tmp_path)), "--texts", str(tsv),
        "--accounts", "300", "--abusive-accounts", "30", "--days", "2", "--seed", "3",
        "--messages-per-account", "4", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    truth = {r["account_id"]: r for r in pq.read_table(out / "truth.parquet").to_pylist()}
    roles = {r["role"] for r in truth.values()}
    assert roles == {"ordinary", "ordinary_mention", "victim", "escort", "abusive_speech",
                     "phone_fraud"}  # fmt: skip
    abusive = {a for a, r in truth.items() if r["abusive"]}
    assert {truth[a]["role"] for a in abusive} == {"escort", "abusive_speech", "phone_fraud"}
    assert len(abusive) == 30

    events = pq.read_table(out / "events").to_pylist()
    messages = [e for e in events if e["kind"] == "message"]
    written = {t["text"] for t in TEXTS} | {"您好，无抵押信用贷款，电话13800138000"}
    assert {m["text"] for m in messages} == written
    by_role: dict[str, list[dict[str, object]]] = {}
    for m in messages:
        by_role.setdefault(truth[str(m["account_id"])]["role"], []).append(m)
    for role in ("escort", "abusive_speech", "phone_fraud"):  # to strangers, one by one
        assert all(m["is_contact"] is False and m["recipient_id"] for m in by_role[role])
        assert all(not truth[str(m["recipient_id"])]["abusive"] for m in by_role[role])
    ordinary = by_role["ordinary"]
    to_contacts = sum(1 for m in ordinary if m["is_contact"]) / len(ordinary)
    assert 0.6 < to_contacts < 0.9
    mentions = [m for m in by_role["ordinary_mention"] if m["text"] == TEXTS[3]["text"]]
    assert mentions
    assert all(m["is_contact"] or m["group_id"] for m in mentions)
    reports = [e for e in events if e["kind"] == "report"]
    assert reports
    assert {truth[str(r["target_account_id"])]["role"] for r in reports} == {"abusive_speech"}
    victim_payments = [  # ... and may pay friends too
        e
        for e in events
        if e["kind"] == "payment" and truth[str(e["account_id"])]["role"] == "victim"
    ]
    to_abusers = [p for p in victim_payments if truth[str(p["payee_id"])]["abusive"]]
    victims = {a for a, r in truth.items() if r["role"] == "victim"}
    assert {p["account_id"] for p in to_abusers} == victims  # each pays a scammer ...
    assert {p["memo"] for p in to_abusers} <= {*VICTIM_MEMOS["zh"], *VICTIM_MEMOS["en"]}
    assert all(truth[str(p["payee_id"])]["role"] != "abusive_speech" for p in to_abusers)

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"] == "warden simulate --texts"
    assert manifest["accounts_per_role"]["escort"] == 10
    assert len(manifest["texts"]) == 2
    assert manifest["roles"]["ordinary"]["texts_by_locale"] == {"en": 1, "zh": 2}

    again = warden(
        env, "simulate", "--texts", str(texts_file(tmp_path)), "--texts", str(tsv),
        "--accounts", "300", "--abusive-accounts", "30", "--days", "2", "--seed", "3",
        "--messages-per-account", "4", "--out", str(tmp_path / "again"),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    for part in sorted((out / "events").iterdir()):
        assert part.read_bytes() == (tmp_path / "again" / "events" / part.name).read_bytes()


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ('{"role": "escort", "txt": "hi"}\n', 7, "unknown field 'txt'"),
        ('{"role": "escort"}\n', 7, "field 'text' is missing"),
        ("not json\n", 7, "not JSON"),
    ],
)
def test_a_bad_line_stops_the_run_before_anything_is_written(
    tmp_path: Path, env: dict[str, str], extra: str, line: int, message: str
) -> None:
    path = texts_file(tmp_path)
    path.write_text(path.read_text("utf-8") + extra + '{"role": "escort", "text": "ok"}\n', "utf-8")
    out = tmp_path / "platform"
    result = warden(
        env, "simulate", "--texts", str(path), "--accounts", "200", "--days", "1",
        "--seed", "1", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: --texts: {path}:{line}: {message}"), result.stderr
    assert "expected" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--abusive-accounts", "5"], "--abusive-accounts: 5 needs --texts"),
        (["--texts", "{texts}", "--evasion-rate", "0.5"], "--evasion-rate: 0.5 cannot go with --texts"),
        (["--texts", "{texts}", "--abusive-accounts", "150"], "--abusive-accounts: 150 is out of range; expected 0 to 100"),
        (["--texts", "{missing}"], "--texts: '{missing}' is not a readable file"),
    ],
)  # fmt: skip
def test_bad_texts_options_are_refused(
    tmp_path: Path, env: dict[str, str], args: list[str], message: str
) -> None:
    names = {"texts": str(texts_file(tmp_path)), "missing": str(tmp_path / "nope.tsv")}
    args = [a.format(**names) for a in args]
    result = warden(
        env, "simulate", "--accounts", "200", "--days", "1", "--seed", "1",
        "--out", str(tmp_path / "o"), *args,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message.format(**names)}"), result.stderr
