"""Training, calibrated prediction, explanations, and the model file as untrusted input."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest

from warden.detect.classifier import TextClassifier, TrainingSet, train
from warden.detect.evaluation import evaluate, metrics
from warden.detect.features import NgramConfig
from warden.errors import ModelError

SPAM = [
    "WIN a FREE prize now! call {n}",
    "Congratulations you have won £{n} claim at www.win{n}.com",
    "URGENT! your account is locked, text CLAIM to {n}",
    "恭喜您中奖{n}元，点击领取 http://prize{n}.cn",
    "包夜{n}元 加微信 mm{n} 详聊",
]
HAM = [
    "see you at {n} o'clock for dinner",
    "can you pick up milk on the way home",
    "the meeting moved to room {n}",
    "今天晚上一起吃饭吗 {n}点见",
    "妈妈说周末回家，记得带伞",
]


def dataset(n: int, seed: int) -> TrainingSet:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        spam = i % 2 == 0
        template = rng.choice(SPAM if spam else HAM)
        texts.append(template.format(n=rng.randint(10, 99999)))
        labels.append("spam" if spam else "clean")
    return TrainingSet(texts, labels, {"ham": "clean", "spam": "spam"})


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return train(dataset(120, 1), config=NgramConfig(bits=16), name="tiny")


def test_learns_and_generalizes_to_unseen_numbers(model: TextClassifier) -> None:
    result = evaluate(model, dataset(60, 2))
    assert result["accuracy"] >= 0.95
    assert model.labels == ("clean", "spam")
    assert model.meta["hyperparameters"]["C"] in (0.3, 1.0, 3.0)


def test_probabilities_are_calibrated_distributions(model: TextClassifier) -> None:
    proba = model.predict_proba(
        ["WIN a FREE prize now! call 12345", "see you at 7 o'clock for dinner"]
    )
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 1] > 0.8 > proba[1, 1]


def test_evasion_does_not_fool_it(model: TextClassifier) -> None:
    plain, evasive = model.predict_proba(
        ["恭喜您中奖500元，点击领取", "恭🎉喜您中獎伍佰元，點擊領取"]
    )[:, 1]
    assert evasive > 0.5
    assert abs(plain - evasive) < 0.3


def test_explanations_name_the_ngrams(model: TextClassifier) -> None:
    reasons = model.explain("WIN a FREE prize now!")
    assert reasons
    assert all(isinstance(name, str) and name for name, _ in reasons)
    assert reasons[0][1] > 0  # the strongest reason pushes towards the predicted label
    with pytest.raises(ModelError, match="not one of the model's labels"):
        model.explain("x", label="gambling")


def test_round_trip_keeps_every_prediction(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "m.wdm"
    model.save(path)
    loaded = TextClassifier.load(path)
    texts = dataset(20, 3).texts
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)
    assert loaded.meta["label_map"] == {"ham": "clean", "spam": "spam"}
    assert loaded.name == "tiny"


def test_multiclass() -> None:
    rng = random.Random(4)
    texts, labels = [], []
    for i in range(150):
        kind = ("clean", "gambling", "sexual_services")[i % 3]
        word = {
            "clean": "吃饭了吗",
            "gambling": "百家乐 首存送彩金",
            "sexual_services": "包夜 全套服务",
        }[kind]
        texts.append(f"{word} {rng.randint(1, 999)}")
        labels.append(kind)
    clf = train(TrainingSet(texts, labels), config=NgramConfig(bits=16))
    assert clf.labels == ("clean", "gambling", "sexual_services")
    assert clf.predict(["百家乐 首存 77", "包夜 全套 5"]) == ["gambling", "sexual_services"]


def test_too_few_labels_are_refused() -> None:
    with pytest.raises(ModelError, match="only the label"):
        train(TrainingSet(["a", "b", "c"], ["spam"] * 3))
    with pytest.raises(ModelError, match="fewer than 3 examples"):
        train(TrainingSet(["a", "b", "c", "d"], ["spam", "clean", "clean", "clean"]))


# -- the model file is untrusted input ------------------------------------------------------


def test_garbage_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "x.wdm"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ModelError, match="not a Warden model file"):
        TextClassifier.load(path)


def test_truncated_model_is_corrupt(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "m.wdm"
    model.save(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelError, match=r"not a Warden model file|corrupt"):
        TextClassifier.load(path)


def test_foreign_npz_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foreign.npz"
    buffer = io.BytesIO()
    np.savez(buffer, weights=np.zeros(3))
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ModelError, match="missing array"):
        TextClassifier.load(path)


def test_wrong_format_and_version_are_refused(model: TextClassifier, tmp_path: Path) -> None:
    for change, message in (
        ({"format": "other"}, "format is 'other'"),
        ({"format_version": 99}, "version 99"),
    ):
        path = tmp_path / "m.wdm"
        model.save(path)
        _rewrite_header(path, change)
        with pytest.raises(ModelError, match=message):
            TextClassifier.load(path)


def test_shape_mismatch_is_refused(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "m.wdm"
    model.save(path)
    _rewrite_header(
        path, {"ngrams": {"bits": 18, "char_min": 1, "char_max": 4, "word_max": 2, "signals": 1}}
    )
    with pytest.raises(ModelError, match="array 'idf' has shape"):
        TextClassifier.load(path)


def test_a_pickle_inside_is_never_executed(tmp_path: Path) -> None:
    """An object array (pickle) planted in the file must not run: loading refuses it."""
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))  # type: ignore[return-value]

    arrays = {name: np.zeros(2, np.float32) for name in ("idf", "coef", "intercept", "calibration")}
    header = json.dumps({"format": "warden-text-classifier", "format_version": 1}).encode()
    buffer = io.BytesIO()
    np.savez(buffer, header=np.array([Exploit()], dtype=object), **arrays)  # type: ignore[arg-type]
    path = tmp_path / "evil.wdm"
    path.write_bytes(buffer.getvalue())
    assert header
    with pytest.raises(ModelError):
        TextClassifier.load(path)
    assert not marker.exists()


def _rewrite_header(path: Path, change: dict[str, object]) -> None:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    header = json.loads(arrays["header"].tobytes().decode()) | change
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())
    assert zipfile.is_zipfile(path)


# -- metrics ---------------------------------------------------------------------------------


def test_metrics_on_known_predictions() -> None:
    truth = ["clean", "clean", "clean", "spam", "spam"]
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6], [0.3, 0.7], [0.6, 0.4]])
    result = metrics(("clean", "spam"), truth, proba, max_fpr=0.0)
    assert result["accuracy"] == pytest.approx(0.6)
    assert result["per_class"]["spam"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert result["confusion"]["matrix"] == [[2, 1], [1, 1]]
    assert result["roc_auc"] == pytest.approx(5 / 6)  # 5 of 6 (spam, clean) pairs ordered right
    assert result["at_max_fpr"]["fpr"] == 0.0
    assert result["at_max_fpr"]["recall"] == pytest.approx(0.5)  # 0.7 is above every clean score
