import pytest
import numpy as np

from scanner.cluster.bundler import DensityBundler
from scanner.cluster.knn import knn_graph

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_a_20_record_bundle_is_found_inside_100k_records():
    rng = np.random.default_rng(0)
    n, d = 100_000, 48
    x = rng.standard_normal((n, d))
    planted = rng.choice(n, size=20, replace=False)
    centre = rng.standard_normal(d)
    x[planted] = centre + 0.25 * rng.standard_normal((20, d))
    x = unit(x)
    bundles = DensityBundler(min_size=15).fit(knn_graph(x, 15)).bundles_
    best = max(bundles, key=lambda b: len(set(b) & set(planted)), default=np.array([], dtype=int))
    assert set(best.tolist()) == set(planted.tolist())     # (its speed is measured in benchmarks, not here)


def test_bundling_is_deterministic_and_skips_absent_rows():
    rng = np.random.default_rng(1)
    x = unit(rng.standard_normal((500, 16)))
    x[:40] = unit(np.ones(16) + 0.05 * rng.standard_normal((40, 16)))
    present = np.ones(500, dtype=bool)
    present[450:] = False
    a = DensityBundler(min_size=10).fit(knn_graph(x, 10, present)).bundles_
    b = DensityBundler(min_size=10).fit(knn_graph(x, 10, present)).bundles_
    assert [m.tolist() for m in a] == [m.tolist() for m in b]
    assert any(set(m.tolist()) == set(range(40)) for m in a)
    assert all(m.max() < 450 for m in a)
    g = knn_graph(x, 10, present)
    assert (g.idx[450:] == -1).all() and not (g.idx[:450] >= 450).any()
