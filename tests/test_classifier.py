import json

import numpy as np

import pytest

from conftest import CORPORA, FIXTURES, ROOT
from scanner import scan
from scanner.classifier.features import FEATURES, MODEL_FEATURES
from scanner.classifier.model import DEFAULT_PATH, BundleModel, load_model
from scanner.training import build_rows, default_benign_dir, dumps, fit, leave_one_axis_out, stored_rows
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


@pytest.mark.slow
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


# cells rebuilt from scratch by the reproduction test: a trigger, a persona, vulnerable code, a date key
# (each with its hard negative) and two of the older families, spread over the three dilutions
REBUILT_CELLS = (0, 25, 41, 54, 62, 72)


def test_shipped_parameters_are_the_fit_of_the_shipped_rows():
    """Fitting the stored training rows gives the shipped coefficients and evaluation, number for number."""
    model = json.loads(DEFAULT_PATH.read_text())
    X, y, axes, _ = stored_rows(model)
    assert len(y) == model["training"]["rows"] and int(y.sum()) == model["training"]["positives"]
    params = fit(X, y)
    assert {k: model[k] for k in params} == params
    assert leave_one_axis_out(X, y, axes) == model["leave_one_axis_out"]
    assert dumps(model) == DEFAULT_PATH.read_text()


@pytest.mark.slow
@pytest.mark.skipif(not (CORPORA / "benign").is_dir(), reason="benign corpora not present")
def test_rebuilt_training_cells_give_the_shipped_rows(tmp_path):
    """Generating and scanning a sample of cells from scratch gives exactly the rows the artifact was
    fitted on (every cell has its own random stream; `poisonscan train` rebuilds all 84 the same way)."""
    model = json.loads(DEFAULT_PATH.read_text())
    X, y, axes, cells = stored_rows(model)
    got_X, got_y, got_axes, got_cells, source = build_rows(0, str(tmp_path / "cache"), default_benign_dir(),
                                                           only=set(REBUILT_CELLS))
    assert source == model["training"]["benign_base"]
    keep = [i for i, c in enumerate(cells) if c in REBUILT_CELLS]
    assert keep and got_cells == [cells[i] for i in keep]
    assert got_axes == [axes[i] for i in keep] and got_y.tolist() == y[keep].tolist()
    # fp32 kernels differ between CPU families (AVX2 / AVX-512), so a rebuild on another machine moves some
    # features in their last digit and, where a neighbour flips, one by a few hundredths (measured here: max
    # 0.049, mean well under 0.005); a change in the generators or the scan moves many features by far more
    diff = np.abs(got_X - X[keep])
    assert diff.max() <= 0.1 and diff.mean() <= 0.005, (diff.max(), diff.mean())
    assert {axes[i].split("/")[0] for i in keep} >= {"trigger", "persona", "insecure_code", "date_key"}
