"""The fast path: static token vectors distilled from the real default model, stored, reused."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from scanner.embed.static import DIM, StaticEmbedder

from conftest import ROOT, run_cli, scan_json

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


@pytest.fixture(scope="session")
def fast_store(shared_cache):
    """Distil once per session into the shared cache folder (the real model, about 20 s)."""
    emb = StaticEmbedder(store_dir=shared_cache)
    emb.table()
    return shared_cache


def test_distilled_table_is_stored_and_reused(fast_store):
    emb = StaticEmbedder(store_dir=fast_store)
    table = emb.table()
    assert not emb.built                      # loaded, not distilled again
    assert table.dtype == np.float32 and table.shape[1] == DIM and table.shape[0] > 30_000
    assert np.isfinite(table).all() and np.linalg.norm(table, axis=1).max() > 0


def test_tampered_table_is_not_trusted(fast_store, tmp_path):
    import shutil

    for f in fast_store.glob("static-*"):
        shutil.copy(f, tmp_path / f.name)
    table_file = next(tmp_path.glob("static-*.npy"))
    data = bytearray(table_file.read_bytes())
    data[-5] ^= 0xFF
    table_file.write_bytes(bytes(data))
    emb = StaticEmbedder(store_dir=tmp_path)
    assert emb._load_stored() is None         # sha256 mismatch: would be distilled again


def test_fast_vectors_keep_meaning(fast_store):
    emb = StaticEmbedder(store_dir=fast_store)
    v = emb.embed(["The cat sat on the mat.", "A kitten was sitting on the rug.",
                   "Quarterly revenue fell by nine percent.", ""])
    assert v.shape == (4, DIM)
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-5)
    assert not v[3].any()                      # empty text: zero row (the view is absent)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    again = emb.embed(["A kitten was sitting on the rug."])
    assert np.array_equal(again[0], v[1])      # a text's vector does not depend on its batch


def test_fast_scan_finds_the_demo_bundle_without_importing_torch(fast_store):
    code = ("import sys, json; from scanner import scan; "
            f"r = scan({str(ROOT / 'examples' / 'demo.jsonl')!r}, embedder='fast', cache_dir={str(fast_store)!r}); "
            "top = r.findings[0]; "
            "print(json.dumps([top.rule, top.severity, len(top.members), 'torch' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    rule, severity, size, torch_loaded = __import__("json").loads(out.stdout)
    assert (rule, severity) == ("PC101", "high") and size == 40
    assert torch_loaded is False


def test_cli_embedder_option_and_config(tmp_path, fast_store):
    code, report = scan_json(ROOT / "examples" / "demo.jsonl", fast_store, "--embedder", "fast")
    assert code == 1 and report["findings"][0]["rule"] == "PC101"
    (tmp_path / "poisonscan.toml").write_text('embedder = "quick"\n', encoding="utf-8")
    bad = run_cli("scan", ROOT / "examples" / "demo.jsonl", cwd=tmp_path)
    assert bad.returncode == 2 and "embedder must be one of accurate, fast, cascade (got 'quick')" in bad.stderr


def test_fast_embedder_needs_a_local_model_folder(tmp_path):
    proc = run_cli("scan", ROOT / "examples" / "demo.jsonl", "--embedder", "fast", "--model", "no-such/model",
                   "--cache-dir", tmp_path)
    assert proc.returncode == 2 and "local sentence-transformers folder" in proc.stderr
