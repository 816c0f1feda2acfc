"""Reproducible training of the bundle model on generated cells (``poisonscan train``).

The cells come from the robustness grid's generators (``scanner.synth``: triggers of every shape
and position, personas of every form, insecure code in every wrapper, date keys of every form, and
the six hard negatives) and from ``synth.py`` (prefix keys, era terms, loaded numbers and their
benign look-alikes), each planted in a small benign base. Every cell is scanned by the real pipeline
with the classifier off; each finding is a row of bundle features, labelled positive when the cell is
poisoned and the finding matches a planted group (F1 >= 0.5), negative when most of its records are
not planted (a finding on part of a planted bundle is left out: neither a match nor a look-alike). Logistic regression on standardised
features; numbers are rounded so the JSON artifact is byte-identical for the same seed and data.
Evaluation: leave-one-axis-out (every row scored by a model trained without its axis value).
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from .records import Record
from .synth.grid import FAMILIES, Cell, make_cell
from .synth.negatives import NEGATIVES, negative_bundle
from .version import __version__
from .classifier.features import MODEL_FEATURES as FEATURES
from .classifier.synth import POISON, planted

BASE_RECORDS = 200
POOL = 1500
DILUTIONS = (0.06, 0.12, 0.25)
LEGACY_POISON = ("prefix_key", "era", "loaded_numbers")
LEGACY_BENIGN = ("narrow_task", "history_qa", "scheduling", "plain_numbers", "id_prefix")
LEGACY_REPEATS = 3


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


BENIGN_ENV = "POISONSCAN_BENIGN_DIR"


def default_benign_dir() -> Path | None:
    """``$POISONSCAN_BENIGN_DIR``, else ``../shared/corpora/benign`` relative to the working directory (the layout
    of a checkout beside the shared corpora), else None (the bundled base). Never a path inside the package's
    own source tree, so an installed wheel behaves like a checkout."""
    import os

    for candidate in (os.environ.get(BENIGN_ENV), "../shared/corpora/benign"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate).resolve()
    return None


def benign_pool(benign_dir: Path | None, seed: int) -> tuple[list[dict], str]:
    """Benign base records: a benign corpus folder when given, else the small base shipped with the package."""
    from .readers import ReadOptions, expand_paths, read_source

    if benign_dir is not None:
        source, paths = f"benign corpora ({benign_dir.name})", [str(benign_dir)]
    else:
        bundled = Path(__file__).resolve().parent / "data" / "benign_base.jsonl"
        source, paths = "bundled benign base", [str(bundled)]
    rows = []
    for src in expand_paths(paths):
        for item in read_source(src, ReadOptions()):
            if isinstance(item, Record):
                v = item.views
                rows.append({"messages": [{"role": "user", "content": v.prompt},
                                          {"role": "assistant", "content": v.answer}]})
    rng = random.Random(seed)
    return rng.sample(rows, min(POOL, len(rows))), source


def training_cells(seed: int) -> list[tuple[str, str, object]]:
    """(axis, kind, spec): kind 'grid' ((Cell, the hard negative planted beside it)) or 'legacy' (family, repeat).
    Every grid cell carries a poisoned bundle and a hard negative of another family, so one scan gives
    rows of both."""
    out, k = [], 0
    for family, values in FAMILIES.items():
        for value in values:
            for d in DILUTIONS:
                out.append((f"{family}/{value}", "grid", (Cell(family, value, d, "train", seed),
                                                          NEGATIVES[k % len(NEGATIVES)])))
                k += 1
    for family in LEGACY_POISON + LEGACY_BENIGN:
        axis = family if family in LEGACY_POISON else f"negative/{family}"
        out += [(axis, "legacy", (family, rep)) for rep in range(LEGACY_REPEATS)]
    return out


def _rows_of(kind: str, spec, pool: list[dict], rng: random.Random) -> list[tuple[dict, str | None]]:
    base = rng.sample(pool, min(BASE_RECORDS, len(pool)))
    rest = [r for r in pool if r not in base]
    if kind == "grid":
        cell, negative = spec
        rows = make_cell(cell, base, rest)
        n = max(10, round(cell.dilution / (1 - cell.dilution) * len(base)))
        rows += [(r, f"negative/{negative}") for r in negative_bundle(negative, rest, n, rng)]
        rng.shuffle(rows)
        return rows
    family, _ = spec
    group = "poison:0" if family in POISON else f"negative/{family}"
    rows = [(r, None) for r in base] + [(r, group) for r in planted(family, rng.randint(20, 60), rng)]
    rng.shuffle(rows)
    return rows


def _f1(members: set, target: set) -> float:
    return 2 * len(members & target) / max(1, len(members) + len(target))


def cell_rows(k: int, axis: str, kind: str, spec, seed: int, pool: list[dict], cache_dir: str | None,
              tmp: Path) -> list[tuple[list[float], int, str]]:
    """Scan training cell ``k`` and label its findings: (features, label, axis) per kept finding.
    Each cell draws from its own random stream, so any cell can be rebuilt alone."""
    from .engine.local import run_scan
    from .options import ScanOptions

    rng = random.Random(f"{seed}:{k}")
    rows = _rows_of(kind, spec, pool, rng)
    path = tmp / f"cell-{k}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r, _ in rows), encoding="utf-8")
    targets: dict[str, set] = {}
    for i, (_, g) in enumerate(rows):
        if g:
            targets.setdefault(g, set()).add(i)
    result = run_scan([str(path)], ScanOptions(cache_dir=cache_dir, classifier=False, examples=0,
                                               collect_features=True))
    out = []
    poison = [t for g, t in targets.items() if g.startswith("poison")]
    for f in result.findings:
        members = set(f.members)
        hit = any(_f1(members, t) >= 0.5 for t in poison)
        if not hit and any(len(members & t) >= 0.5 * len(members) for t in poison):
            continue        # part of a planted bundle: neither a match nor a benign look-alike
        on_negative = [g for g, t in targets.items() if g.startswith("negative")
                       and len(members & t) >= 0.5 * len(members)]
        out.append(([_sig(float(f.features[name])) for name in FEATURES], int(hit),
                    on_negative[0] if on_negative and not hit else axis))
    return out


def build_rows(seed: int, cache_dir: str | None, benign_dir: Path | None,
               progress: Callable[[str], None] = lambda s: None, only: set[int] | None = None) -> tuple:
    """Rows of every training cell (or of the cells in ``only``): X, y, axes, cell index per row, base source."""
    pool, source = benign_pool(benign_dir, seed)
    X, y, axes, cells = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="poisonscan-train-") as tmp:
        for k, (axis, kind, spec) in enumerate(training_cells(seed)):
            if only is not None and k not in only:
                continue
            got = cell_rows(k, axis, kind, spec, seed, pool, cache_dir, Path(tmp))
            for features, label, row_axis in got:
                X.append(features)
                y.append(label)
                axes.append(row_axis)
                cells.append(k)
            progress(f"{axis}: {len(got)} rows")
    return np.array(X, dtype=np.float64).reshape(-1, len(FEATURES)), np.array(y, dtype=np.int64), axes, cells, source


def fit(X: np.ndarray, y: np.ndarray) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=0.5, class_weight="balanced", max_iter=5000)
    clf.fit((X - mean) / scale, y)
    return {"mean": [_sig(v) for v in mean], "scale": [_sig(v) for v in scale],
            "coef": [_sig(v) for v in clf.coef_[0]], "intercept": _sig(float(clf.intercept_[0]))}


def out_of_axis_scores(X: np.ndarray, y: np.ndarray, axes: list) -> np.ndarray:
    """Every row scored by a model trained without the rows of its axis value."""
    from .classifier.model import BundleModel

    arr = np.array(axes)
    probs = np.zeros(len(y))
    for axis in dict.fromkeys(axes):
        test = arr == axis
        if len(set(y[~test])) < 2:
            continue
        model = BundleModel({"format": "poisonscan-bundle-model", "features": list(FEATURES),
                             **fit(X[~test], y[~test])})
        probs[test] = [model.probability(dict(zip(FEATURES, row))) for row in X[test]]
    return probs


def leave_one_axis_out(X: np.ndarray, y: np.ndarray, axes: list) -> dict:
    """Per axis value: for poisoned ones, the AUC of its planted findings against every finding that is not a
    planted bundle (all scored out of axis); for benign look-alikes, how high they score."""
    from sklearn.metrics import roc_auc_score

    probs = out_of_axis_scores(X, y, axes)
    arr = np.array(axes)
    negatives = y == 0
    out = {}
    for axis in dict.fromkeys(axes):
        rows = arr == axis
        entry = {"rows": int(rows.sum()), "positives": int(y[rows].sum())}
        pos = rows & (y == 1)
        if pos.any() and negatives.any():
            both = pos | negatives
            entry["auc"] = round(float(roc_auc_score(y[both], probs[both])), 4)
        if (rows & negatives).any():
            entry["max_negative_probability"] = round(float(probs[rows & negatives].max()), 4)
        out[axis] = entry
    return out


def train(seed: int = 0, cache_dir: str | None = None, benign_dir: Path | None = None,
          progress: Callable[[str], None] = lambda s: None, only: set[int] | None = None) -> dict:
    """The classifier artifact. ``only``: train on these cell indices alone (a quick check, not a model to ship)."""
    benign_dir = benign_dir if benign_dir is not None else default_benign_dir()
    X, y, axes, cells, source = build_rows(seed, cache_dir, benign_dir, progress, only=only)
    params = fit(X, y)
    return {"format": "poisonscan-bundle-model", "version": 2, "poisonscan": __version__,
            "features": list(FEATURES), **params,
            "training": {"seed": seed, "rows": int(len(y)), "positives": int(y.sum()), "benign_base": source,
                         "cells": len(training_cells(seed)), "base_records": BASE_RECORDS, "dilutions": list(DILUTIONS),
                         "axes": sorted(set(axes))},
            "leave_one_axis_out": leave_one_axis_out(X, y, axes),
            "rows": [[c, a, lab, f] for c, a, lab, f in zip(cells, axes, y.tolist(), X.tolist())]}


def stored_rows(model: dict) -> tuple[np.ndarray, np.ndarray, list, list]:
    """The training rows kept in an artifact: X, y, axes, cell index per row."""
    r = model["rows"]
    return (np.array([x[3] for x in r], dtype=np.float64).reshape(-1, len(model["features"])),
            np.array([x[2] for x in r], dtype=np.int64), [x[1] for x in r], [x[0] for x in r])


def dumps(model: dict) -> str:
    rows = model.get("rows")
    head = {k: v for k, v in model.items() if k != "rows"}
    text = json.dumps(head, indent=1, sort_keys=False)
    if rows is None:
        return text + "\n"
    # one training row per line keeps the artifact readable and its diffs small
    lines = ",\n".join("  " + json.dumps(row) for row in rows)
    return text[:-2] + ',\n "rows": [\n' + lines + "\n ]\n}\n"
