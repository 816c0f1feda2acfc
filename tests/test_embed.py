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


def test_auto_precision_is_bf16_only_where_asked_and_native(monkeypatch):
    from scanner.embed import sentence_transformers as st

    for native in (True, False):
        monkeypatch.setattr(st, "native_bf16", lambda native=native: native)
        assert st.resolve_precision("auto") == "fp32"
        assert st.resolve_precision("auto", prefer_bf16=True) == ("bf16" if native else "fp32")
        assert st.resolve_precision("fp32", prefer_bf16=True) == "fp32"
        assert st.resolve_precision("bf16") == "bf16"
        # shared passes would make a text's bf16 vector depend on its company: auto stays fp32 there
        assert SentenceTransformerEmbedder(batch_size=4, prefer_bf16=True).precision == "fp32"
        assert SentenceTransformerEmbedder(prefer_bf16=True).precision == ("bf16" if native else "fp32")


def test_native_bf16_is_read_from_the_kernels_cpu_flags_without_torch(tmp_path, monkeypatch):
    from scanner.embed import sentence_transformers as st

    info = tmp_path / "cpuinfo"
    for flags, native in (("fpu sse avx512f avx512_bf16", True), ("fpu amx_tile amx_bf16", True),
                          ("fpu sse avx2 avx512f amx_tile", False)):
        info.write_text(f"processor\t: 0\nmodel name\t: x\nflags\t\t: {flags}\n\nprocessor\t: 1\nflags\t: avx512_bf16\n")
        monkeypatch.setattr(st, "CPUINFO", info)
        assert st.native_bf16() is native          # the first processor's flags
    assert st.cpu_flags(tmp_path / "missing") is None
    info.write_text("processor\t: 0\n")
    assert st.cpu_flags(info) is None
    if st.cpu_flags() is not None:                 # this machine: the kernel and torch's probes agree
        import torch.cpu

        monkeypatch.setattr(st, "CPUINFO", st.Path("/proc/cpuinfo"))
        assert st.native_bf16() == bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def test_the_cascade_transformer_prefers_bf16_and_the_accurate_path_keeps_fp32(monkeypatch):
    from scanner.embed import sentence_transformers as st
    from scanner.engine.local import make_transformer
    from scanner.options import ScanOptions

    monkeypatch.setattr(st, "native_bf16", lambda: True)
    assert make_transformer(ScanOptions(embedder="cascade")).precision == "bf16"
    assert make_transformer(ScanOptions(embedder="accurate")).precision == "fp32"
    assert make_transformer(ScanOptions(embedder="cascade", precision="fp32")).precision == "fp32"


def test_bf16_passes_give_a_text_the_same_vector_whatever_is_embedded_with_it():
    texts = ["How do I boil an egg?", "Tell me about the weather in Lisbon in early spring, please.",
             "What is the capital of Peru?", "Write a haiku about the sea. " * 6]
    bf = SentenceTransformerEmbedder(precision="bf16")
    alone = np.stack([bf.embed([t])[0] for t in texts])
    together = bf.embed(texts[::-1] + texts[:2])
    assert np.array_equal(together[:4][::-1], alone) and np.array_equal(together[4:], alone[:2])
    ref = SentenceTransformerEmbedder(precision="fp32").embed(texts)
    assert ((alone * ref).sum(axis=1) > 0.999).all()


def test_bf16_passes_share_the_cores_one_torch_thread_each(monkeypatch):
    """bf16 rounds by thread count: every pass runs on one torch thread (whatever the caller set), the texts
    spread over one thread per core, and torch's setting is given back."""
    import threading

    import torch

    import scanner.embed.sentence_transformers as st

    texts = [f"Question {i}: what is {i} times {i + 3}?" + " Explain." * (i % 4) for i in range(9)]
    bf = SentenceTransformerEmbedder(precision="bf16")
    assert bf.model_id.endswith("one-text-passes-one-thread")
    assert not SentenceTransformerEmbedder(precision="fp32").model_id.endswith("one-thread")
    seen = []
    forward = bf._load().forward
    monkeypatch.setattr(bf._st, "forward", lambda f: (seen.append((threading.get_ident(), torch.get_num_threads())),
                                                      forward(f))[1])
    monkeypatch.setattr(st.os, "cpu_count", lambda: 2)
    before = torch.get_num_threads()
    a = bf.embed(texts)
    assert torch.get_num_threads() == before
    assert {n for _, n in seen} == {1} and len({t for t, _ in seen}) == 2
    torch.set_num_threads(1)
    try:
        b = np.stack([bf.embed([t])[0] for t in texts])
    finally:
        torch.set_num_threads(before)
    assert np.array_equal(a, b)
