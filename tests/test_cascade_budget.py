"""The cascade's transformer budget for second looks: strongest first, the rest on static vectors, said so."""

from __future__ import annotations

import numpy as np

from scanner.classifier.apply import attach_features
from scanner.cluster import budget as budget_mod
from scanner.cluster.budget import TransformerBudget
from scanner.context import ScanContext
from scanner.findings import Finding
from scanner.rules.narrow_bundle import NarrowBundle
from synthetic import unit
from test_cascade import _cascade_ctx


class Counter:
    def __init__(self):
        self.rows = 0

    def count(self):
        return self.rows


def test_budget_counts_rows_asked_for_and_closes_once_spent():
    od = Counter()
    b = TransformerBudget(od, rows=10)
    assert not b.spent
    with b.look():
        od.rows += 7
    assert not b.spent and b.used == 7
    with b.look():
        od.rows += 7          # one item may overrun what is left
    assert b.spent and b.summary() == {"rows": 14, "limit": 10, "transformer_items": 2, "static_items": 0}


def _bundles(n_noise=600, sizes=(40, 30, 20), fake=20, seed=0, dim=32):
    """Tight bundles of the given sizes (tightest first) among scattered records, in both spaces, plus one
    bundle (``fake`` records) that is tight in the static space only."""
    rng = np.random.default_rng(seed)
    groups, rows_s, rows_t = [], [], []
    start = 0
    for j, m in enumerate(sizes):
        centre = rng.standard_normal(dim) * 3
        spread = 0.15 + 0.1 * j
        block = centre + spread * rng.standard_normal((m, dim))
        rows_s.append(block)
        rows_t.append(block)
        groups.append(np.arange(start, start + m))
        start += m
    centre = rng.standard_normal(dim) * 3
    rows_s.append(centre + 0.2 * rng.standard_normal((fake, dim)))
    rows_t.append(rng.standard_normal((fake, dim)))                 # scattered for the transformer
    groups.append(np.arange(start, start + fake))
    start += fake
    noise = rng.standard_normal((n_noise, dim))
    rows_s.append(noise)
    rows_t.append(noise)
    return unit(np.concatenate(rows_s)), unit(np.concatenate(rows_t)), groups


def _ctx(folder, S, T):
    folder.mkdir()
    return _cascade_ctx(folder, S, S, T, T)


def _members(findings):
    return sorted(tuple(f.members) for f in findings)


def test_narrow_bundles_are_judged_again_strongest_first_within_the_budget(tmp_path, monkeypatch):
    S, T, groups = _bundles()
    n = len(S)
    ctx, od, _ = _ctx(tmp_path / "a", S, T)
    full = list(NarrowBundle().check(ctx))
    looked = ctx.budgets["PC102"]
    # every static bundle judged again: the three real ones kept, the static-only one dropped
    assert _members(full) == sorted(tuple(g.tolist()) for g in groups[:3])
    assert looked.looked == 4 and looked.static == 0 and looked.used == od.count() > 0
    assert all("judged_on" not in f.evidence for f in full)
    exact = ScanContext.build([f"h{i}" for i in range(n)], T, T, np.ones(n, bool), np.ones(n, bool), None)
    assert _members(list(NarrowBundle().check(exact))) == _members(full)

    # a budget spent by the first (strongest) bundle: the others keep their static verdict and say so
    ctx, od, _ = _ctx(tmp_path / "b", S, T)
    few = list(NarrowBundle(second_look_rows=1).check(ctx))
    spent = ctx.budgets["PC102"]
    assert spent.looked == 1 and spent.static == 3
    static = [f for f in few if f.evidence.get("judged_on")]
    assert len(static) == 3 and len(few) == 4          # the static-only bundle is reported, as static
    assert tuple(groups[3].tolist()) in _members(static)
    assert all("Judged on static vectors only" in f.message for f in static)
    for f in static:       # their gaps are the static space's (computed together, in one pass)
        assert f.evidence["gap"] == round(ctx.discovery_stats.gap("joint", f.members), 4)
    judged = [f for f in few if not f.evidence.get("judged_on")]
    assert len(judged) == 1 and len(judged[0].members) == 40          # the tightest bundle went first
    assert od.count() < 2 * n


def test_classifier_features_use_the_transformer_most_severe_first_within_the_budget(tmp_path, monkeypatch):
    S, T, groups = _bundles()
    ctx, od, _ = _ctx(tmp_path / "a", S, T)
    ctx.features = [_features() for _ in range(len(S))]

    def findings():
        return [Finding("PC102", "narrow-bundle", sev, score, "m", g.tolist())
                for sev, score, g in (("low", 0.5, groups[0]), ("high", 0.9, groups[3]), ("info", 0.2, groups[1]))]

    wide = findings()
    attach_features(wide, ctx)
    assert ctx.budgets["classifier"].looked == 3 and not any("classifier_space" in f.evidence for f in wide)
    monkeypatch.setattr(budget_mod, "CLASSIFIER_ROWS", 1)
    from scanner.classifier import apply

    monkeypatch.setattr(apply, "CLASSIFIER_ROWS", 1)
    ctx2, _, _ = _ctx(tmp_path / "b", S, T)
    ctx2.features = ctx.features
    narrow = findings()
    attach_features(narrow, ctx2)
    assert ctx2.budgets["classifier"].summary()["static_items"] == 2
    high, low, info = narrow[1], narrow[0], narrow[2]
    assert "classifier_space" not in high.evidence                    # the most severe went first
    assert high.features == wide[1].features
    assert low.evidence["classifier_space"].startswith("static") and info.evidence["classifier_space"]
    # static features read the static space: the static-only bundle looks tight there, not to the transformer
    static_only = findings()[1]
    static_only.features = None
    from scanner.classifier.features import bundle_features

    assert bundle_features(ctx, static_only.members, static=True)["coherence_joint"] > \
        bundle_features(ctx, static_only.members)["coherence_joint"] + 0.3


def _features():
    from scanner.features.extract import extract
    from scanner.records import Views

    return extract(Views("", "What is a bird?", "A bird is an animal with feathers."))[0]
