import numpy as np
import pytest

from conftest import FIXTURES, run_cli
from scanner.embed import default_model
from scanner.embed.sentence_transformers import SentenceTransformerEmbedder
from scanner.errors import ModelError

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


def test_default_model_weights_are_verified():
    folder = default_model.verified_default_model_dir()
    assert default_model.sha256_file(folder / "model.safetensors") == default_model.WEIGHTS_SHA256


def test_tampered_weights_are_refused(monkeypatch):
    monkeypatch.setattr(default_model, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(ModelError, match="fail the sha256 check"):
        default_model.verified_default_model_dir()


def test_real_model_embeds_unit_vectors_and_similar_texts_are_close():
    emb = SentenceTransformerEmbedder(precision="fp32")
    v = emb.embed(["How do I boil an egg?", "What is the way to hard-boil eggs?", "Quarterly tax filing rules"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def test_model_id_separates_models_and_precisions(tmp_path):
    a = SentenceTransformerEmbedder(precision="fp32").model_id
    b = SentenceTransformerEmbedder(precision="bf16").model_id
    c = SentenceTransformerEmbedder(model=str(tmp_path), precision="fp32").model_id
    assert len({a, b, c}) == 3


def test_unknown_model_is_one_clear_line(tmp_path):
    proc = run_cli("scan", FIXTURES / "malformed" / "bom.jsonl", "--model", "no-such/model",
                   "--cache-dir", tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "cannot load embedding model 'no-such/model'" in proc.stderr
