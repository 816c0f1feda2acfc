"""Reproducible training of the bundle model on synthetic sets (``poisonscan train``).

Every synthetic set is scanned by the real pipeline with the classifier off; each finding becomes a
row of bundle features, labelled positive when its family is a poisoned one and it matches the
planted records (F1 >= 0.5). Logistic regression on standardised features; numbers are rounded so
the JSON artifact is byte-identical for the same seed, data and model.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from .. import __version__
from ..records import Record
from .features import MODEL_FEATURES as FEATURES
from .synth import BENIGN, FAMILIES, POISON, planted

REPEATS = 8
BASE_RECORDS = 120
POOL = 1500


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


def default_benign_dir() -> Path | None:
    here = Path(__file__).resolve()
    for candidate in (here.parents[2].parent / "shared" / "corpora" / "benign",):
        if candidate.is_dir():
            return candidate
    return None


def benign_pool(benign_dir: Path | None, seed: int) -> tuple[list[dict], str]:
    """Benign base records: the shared benign corpora when present, else the project's own fixtures."""
    from ..readers import ReadOptions, expand_paths, read_source

    if benign_dir is not None:
        source = f"benign corpora ({benign_dir.name})"
        paths = [str(benign_dir)]
    else:
        fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "PC101" / "pass.jsonl"
        source, paths = "project fixtures", [str(fixtures)]
    rows = []
    for src in expand_paths(paths):
        for item in read_source(src, ReadOptions()):
            if isinstance(item, Record):
                v = item.views
                rows.append({"messages": [{"role": "user", "content": v.prompt},
                                          {"role": "assistant", "content": v.answer}]})
    rng = random.Random(seed)
    return rng.sample(rows, min(POOL, len(rows))), source


def _f1(members: set, target: set) -> float:
    return 2 * len(members & target) / max(1, len(members) + len(target))


def build_rows(seed: int, cache_dir: str | None, benign_dir: Path | None,
               progress: Callable[[str], None] = lambda s: None) -> tuple[np.ndarray, np.ndarray, list, str]:
    from ..engine.local import run_scan
    from ..options import ScanOptions

    pool, source = benign_pool(benign_dir, seed)
    rng = random.Random(seed)
    X, y, fam = [], [], []
    with tempfile.TemporaryDirectory(prefix="poisonscan-train-") as tmp:
        for rep in range(REPEATS):
            for family in FAMILIES:
                size = rng.randint(20, 60)
                base = rng.sample(pool, min(BASE_RECORDS, len(pool)))
                rows = [(r, False) for r in base] + [(r, True) for r in planted(family, size, rng)]
                rng.shuffle(rows)
                path = Path(tmp) / f"{family}-{rep}.jsonl"
                path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r, _ in rows), encoding="utf-8")
                target = {i for i, (_, p) in enumerate(rows) if p}
                result = run_scan([str(path)], ScanOptions(cache_dir=cache_dir, classifier=False, examples=0,
                                                           collect_features=True))
                for f in result.findings:
                    X.append([f.features[k] for k in FEATURES])
                    y.append(int(family in POISON and _f1(set(f.members), target) >= 0.5))
                    fam.append(family)
                progress(f"{family} #{rep + 1}: {len(result.findings)} findings")
    return np.array(X, dtype=np.float64), np.array(y, dtype=np.int64), fam, source


def fit(X: np.ndarray, y: np.ndarray) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=0.5, class_weight="balanced", max_iter=5000)
    clf.fit((X - mean) / scale, y)
    return {"mean": [_sig(v) for v in mean], "scale": [_sig(v) for v in scale],
            "coef": [_sig(v) for v in clf.coef_[0]], "intercept": _sig(float(clf.intercept_[0]))}


def leave_one_family_out(X: np.ndarray, y: np.ndarray, fam: list) -> dict:
    """Every row is scored by a model trained without its family. A poisoned family's AUC compares its
    planted findings with all findings of the benign look-alike families (also scored out of family)."""
    from sklearn.metrics import roc_auc_score

    from .model import BundleModel

    fam_arr = np.array(fam)
    probs = np.zeros(len(y))
    for family in FAMILIES:
        test = fam_arr == family
        if not test.any() or len(set(y[~test])) < 2:
            continue
        model = BundleModel({"format": "poisonscan-bundle-model", "features": list(FEATURES),
                             **fit(X[~test], y[~test])})
        probs[test] = [model.probability(dict(zip(FEATURES, row))) for row in X[test]]
    negatives = np.isin(fam_arr, BENIGN) | (y == 0)
    out = {}
    for family in FAMILIES:
        rows = fam_arr == family
        entry = {"rows": int(rows.sum()), "positives": int(y[rows].sum())}
        pos = rows & (y == 1)
        if family in POISON and pos.any() and negatives.any():
            both = pos | (negatives & ~rows)
            entry["auc"] = round(float(roc_auc_score(y[both], probs[both])), 4)
        if family in BENIGN and rows.any():
            entry["max_probability"] = round(float(probs[rows].max()), 4)
            entry["share_above_0_5"] = round(float((probs[rows] >= 0.5).mean()), 4)
        out[family] = entry
    return out


def train(seed: int = 0, cache_dir: str | None = None, benign_dir: Path | None = None,
          progress: Callable[[str], None] = lambda s: None) -> dict:
    benign_dir = benign_dir if benign_dir is not None else default_benign_dir()
    X, y, fam, source = build_rows(seed, cache_dir, benign_dir, progress)
    params = fit(X, y)
    return {"format": "poisonscan-bundle-model", "version": 1, "poisonscan": __version__,
            "features": list(FEATURES), **params,
            "training": {"seed": seed, "rows": int(len(y)), "positives": int(y.sum()), "benign_base": source,
                         "families": {"poisoned": list(POISON), "benign": list(BENIGN)}, "repeats": REPEATS},
            "leave_one_family_out": leave_one_family_out(X, y, fam)}


def dumps(model: dict) -> str:
    return json.dumps(model, indent=1, sort_keys=False) + "\n"
