"""`warden models build|show` and the standard detectors in screening and in the default pack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from running import warden

from warden.detect.standard import RECIPES, build, read_manifest, resolve_models
from warden.errors import InputError, ModelError

pytestmark = pytest.mark.data


def test_the_manifest_names_the_data_and_the_held_out_figures(standard_models: Path) -> None:
    manifest = read_manifest(standard_models)
    assert [d["name"] for d in manifest["detectors"]] == [r.name for r in RECIPES]
    assert all(len(f["sha256"]) == 64 for f in manifest["data_files"])
    for detector in manifest["detectors"]:
        assert (standard_models / detector["file"]).is_file()
        held = detector["held_out"]
        assert held["rows"] > 1000
        assert held["positives"] > 0
        assert held["pr_auc"] > 0.3, detector["name"]
        if detector["label_counts"][detector["category"]] >= 200:  # subsampled training
            assert held["mcc"] > 0.5, detector["name"]


def test_check_uses_the_standard_detectors_when_built(
    env: dict[str, str], standard_models: Path, tmp_path: Path
) -> None:
    text = "澳门威尼斯人娱乐城上线，首存即送100%彩金，官网 www.vn888.cc 注册"
    built = warden(env | {"WARDEN_MODELS_DIR": str(standard_models)}, "check", "--json", text)
    assert built.returncode == 0, built.stderr
    verdict = json.loads(built.stdout)
    assert "gambling" in verdict["models"]
    assert verdict["categories"]["gambling"] >= 0.5
    assert verdict["intent"]["weight"] == 1.0
    missing = warden(env | {"WARDEN_MODELS_DIR": str(tmp_path / "none")}, "check", "--json", text)
    assert missing.returncode == 0
    assert "models" not in json.loads(missing.stdout)
    assert missing.stderr.count("standard detectors not found") == 1
    assert "warden models build" in missing.stderr


def test_models_show_prints_the_figures(env: dict[str, str], standard_models: Path) -> None:
    shown = warden(env, "models", "show", "--models", str(standard_models))
    assert shown.returncode == 0, shown.stderr
    assert "harassment" in shown.stdout
    assert "precision" in shown.stdout


def test_a_missing_or_corrupt_detector_is_an_error_naming_the_file(
    standard_models: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "models"
    shutil.copytree(standard_models, copy)
    (copy / "gambling.wdm").write_bytes(b"not a model")
    from warden.detect.screener import Screener

    with pytest.raises(ModelError, match=r"gambling\.wdm"):
        Screener.from_lexicons(models=resolve_models(["standard"], copy))
    (copy / "gambling.wdm").unlink()
    with pytest.raises(ModelError, match=r"gambling\.wdm.*missing.*warden models build"):
        resolve_models(["standard"], copy)
    (copy / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match="corrupt models manifest"):
        resolve_models(["standard"], copy)


def test_a_missing_data_file_names_the_file_and_the_data_dir(
    shared_data: Path, tmp_path: Path
) -> None:
    partial = tmp_path / "data"
    shutil.copytree(shared_data, partial, ignore=shutil.ignore_patterns("SMSSpamCollection"))
    with pytest.raises(InputError, match=rf"SMSSpamCollection.*WARDEN_DATA_DIR={partial}"):
        build(partial, tmp_path / "out", max_rows=1000)
    with pytest.raises(ModelError, match="--exclude"):
        build(shared_data, tmp_path / "out", exclude_sources=["no_such_dataset"])


def test_a_pack_naming_a_missing_model_file_is_an_error_naming_it(tmp_path: Path) -> None:
    from warden.enforce.ingest import screener_for
    from warden.policy import default_pack_path, load_pack

    text = default_pack_path().read_text(encoding="utf-8")
    assert "  - standard" in text
    shutil.copytree(default_pack_path().parent / "campaigns", tmp_path / "campaigns")
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(text.replace("  - standard", "  - models/shop-spam.wdm"), "utf-8")
    with pytest.raises(ModelError, match=r"models/shop-spam\.wdm: cannot read model"):
        screener_for(load_pack(pack_file), tmp_path)


@pytest.mark.slow
def test_feedback_sent_through_akismet_trains_the_spam_detector(
    shared_data: Path, tmp_path: Path
) -> None:
    """Spam and ham the platform reports (Akismet's submit-spam / submit-ham) reach the spam
    detector through ``build(feedback=...)`` — counted in the manifest, training only."""
    from fastapi.testclient import TestClient

    from warden.detect.classifier import TextClassifier
    from warden.detect.feedback import feedback_rows
    from warden.service.app import Service, create_app
    from warden.service.keys import Scope, create_key
    from warden.settings import Settings
    from warden.store import make_engine

    url = f"sqlite:///{tmp_path / 'warden.db'}"
    service = Service.build(settings=Settings(database_url=url), engine=make_engine(url))
    key, _ = create_key(service.engine, "blog", frozenset({Scope.SCREEN}))
    with TestClient(create_app(service)) as http:
        for i in range(80):
            spam = f"zorblax quantum widgets, discount code ZX{i}, order today"
            assert http.post(
                "/1.1/submit-spam", data={"api_key": key, "comment_content": spam}
            ).text
            ham = f"the reading group moved to room {i}; bring the zorblax chapter notes"
            http.post("/1.1/submit-ham", data={"api_key": key, "comment_content": ham})
    rows = feedback_rows(service.engine)
    assert sorted({r.label for r in rows}) == ["ham", "spam"]
    spam_recipe = [r for r in RECIPES if r.name == "spam"]
    plain = build(shared_data, tmp_path / "plain", recipes=spam_recipe, max_rows=3000)
    taught = build(
        shared_data, tmp_path / "taught", recipes=spam_recipe, max_rows=3000, feedback=rows
    )
    assert plain["feedback"]["rows"] == 0
    assert taught["feedback"]["labels"] == {"spam": 80, "ham": 80}
    assert taught["detectors"][0]["held_out"]["rows"] == plain["detectors"][0]["held_out"]["rows"]
    probe = ["zorblax quantum widgets, discount code ZX999, order today"]

    def spam_score(folder: str) -> float:
        model = TextClassifier.load(tmp_path / folder / "spam.wdm")
        return float(model.predict_proba(probe)[0][model.labels.index("spam")])

    assert spam_score("taught") > spam_score("plain") + 0.2
