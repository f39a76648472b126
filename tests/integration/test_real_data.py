"""Real labelled data: the readers understand every shared dataset, and models learn from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.detect.classifier import TrainingSet, train
from warden.detect.datasets import DataSpec, LabelRules, ReadOptions, read_labelled
from warden.detect.evaluation import evaluate

pytestmark = pytest.mark.data


@pytest.mark.parametrize(
    ("relative", "options", "rules", "labels"),
    [
        ("sms_spam_uci/SMSSpamCollection", ReadOptions("tsv", header=False), LabelRules({}), {"clean", "spam"}),
        ("cn_spam_sms/labeled.tsv", ReadOptions("tsv", header=False), LabelRules({}, "spam"), {"clean", "spam"}),
        ("cn_spam_finegrained/val.csv", ReadOptions(text_field="content"), LabelRules({}), None),
        ("cn_offensive_cold/dev.csv", ReadOptions(text_field="TEXT"), LabelRules({"1": "harassment"}), {"clean", "harassment"}),
        ("en_hate_davidson/labeled_data.csv", ReadOptions(text_field="tweet", label_field="class"), LabelRules({"0": "hate", "1": "harassment", "2": "clean"}), {"clean", "hate", "harassment"}),
    ],
)  # fmt: skip
def test_every_dataset_reads(
    shared_data: Path,
    relative: str,
    options: ReadOptions,
    rules: LabelRules,
    labels: set[str] | None,
) -> None:
    data, rejected = read_labelled([DataSpec(shared_data / relative)], options, rules)
    assert len(data.texts) > 1000
    assert len(rejected) < len(data.texts) * 0.01
    if labels is not None:
        assert set(data.labels) == labels
    else:
        assert "IL_Escort_service" in set(data.labels)


def test_one_category_files_read_with_a_file_label(shared_data: Path) -> None:
    folder = shared_data / "cn_spam_categories"
    loans = next(folder.glob("贷款诈骗*.txt"))
    data, _ = read_labelled(
        [DataSpec(loans, "fraud")], ReadOptions("tsv", text_field="3", header=False), LabelRules({})
    )
    assert set(data.labels) == {"fraud"}
    assert len(data.texts) > 500


def test_sms_almeida_split_beats_the_published_svm(shared_data: Path) -> None:
    data, _ = read_labelled(
        [DataSpec(shared_data / "sms_spam_uci" / "SMSSpamCollection")],
        ReadOptions("tsv", header=False),
        LabelRules({}),
    )
    cut = int(len(data.texts) * 0.3)
    model = train(TrainingSet(data.texts[:cut], data.labels[:cut]), c=1.0)
    result = evaluate(model, TrainingSet(data.texts[cut:], data.labels[cut:]))
    assert result["mcc"] > 0.893  # Almeida et al. 2011, linear SVM
    assert result["accuracy"] > 0.9764
