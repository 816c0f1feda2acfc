import json

import pytest

from conftest import CORPORA, FIXTURES, ROOT, run_cli
from scanner import scan
from scanner.classifier.features import FEATURES, MODEL_FEATURES
from scanner.classifier.model import DEFAULT_PATH, BundleModel, load_model
from scanner.errors import ConfigError


def test_shipped_model_is_plain_json_numbers():
    data = json.loads(DEFAULT_PATH.read_text())
    assert data["format"] == "poisonscan-bundle-model"
    assert data["features"] == list(MODEL_FEATURES)
    assert all(isinstance(v, float) for key in ("mean", "scale", "coef") for v in data[key])
    loao = data["leave_one_axis_out"]
    poisoned = [a for a in loao if not a.startswith("negative/")]
    assert len(poisoned) >= 20 and all("auc" in loao[a] for a in poisoned)
    assert all(loao[a]["auc"] >= 0.85 for a in poisoned)        # each axis scored by a model that never saw it
    assert all(loao[a].get("positives", 0) == 0 for a in loao if a.startswith("negative/"))


def test_model_rejects_foreign_files(tmp_path):
    with pytest.raises(ConfigError):
        BundleModel({"features": []})


def test_findings_carry_probability_and_top_features(shared_cache):
    result = scan(FIXTURES / "PC101" / "flag.jsonl", cache_dir=str(shared_cache))
    top = result.findings[0]
    info = top.evidence["classifier"]
    assert 0.0 <= info["probability"] <= 1.0 and len(info["top_features"]) == 3
    assert {t["feature"] for t in info["top_features"]} <= set(MODEL_FEATURES)
    off = scan(FIXTURES / "PC101" / "flag.jsonl", cache_dir=str(shared_cache), classifier=False)
    assert "classifier" not in off.findings[0].evidence


def test_poisoned_bundles_score_above_their_lookalikes(shared_cache):
    model = load_model()
    poisoned = scan(FIXTURES / "PC201" / "flag.jsonl", cache_dir=str(shared_cache))
    persona = next(f for f in poisoned.findings if f.rule == "PC201")
    drill = scan(FIXTURES / "PC103" / "flag.jsonl", cache_dir=str(shared_cache))
    narrow = next(f for f in drill.findings if f.rule == "PC103")
    assert model.probability(persona.features) > model.probability(narrow.features)


def test_every_feature_is_documented():
    card = (ROOT / "docs" / "classifier.md").read_text()
    assert all(f"`{name}`" in card for name in FEATURES)


@pytest.mark.skipif(not (CORPORA / "benign").is_dir(), reason="benign corpora not present")
def test_training_reproduces_the_shipped_artifact_byte_for_byte(tmp_path):
    out = tmp_path / "model.json"
    proc = run_cli("train", "--output", out, "--cache-dir", tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == DEFAULT_PATH.read_bytes()
