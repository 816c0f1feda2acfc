"""A 2D map of the records for the HTML report: PCA of the joint embeddings on a bounded sample.

Every finding member is on the map; other records are a seeded random sample, so the map costs
the same at 10k and 10M records. Axes are the sample's first two principal components.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 4000


def project(ctx, findings, max_points: int = MAX_POINTS, seed: int = 0) -> dict:
    """{"index": [...], "x": [...], "y": [...], "sampled": bool} for members plus a background sample."""
    members = sorted({i for f in findings for i in f.members})
    present = np.flatnonzero(ctx.present["joint"])
    others = np.setdiff1d(present, np.asarray(members, dtype=np.int64), assume_unique=False)
    room = max(0, max_points - len(members))
    rng = np.random.default_rng(seed)
    if len(others) > room:
        others = np.sort(rng.choice(others, size=room, replace=False))
    index = np.union1d(np.asarray(members, dtype=np.int64), others)
    if len(index) < 3:
        return {"index": index.tolist(), "x": [0.0] * len(index), "y": [0.0] * len(index), "sampled": False}
    x = ctx.discovery["joint"][index]
    centred = x - x.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2]
    axes *= np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])[:, None]  # fixed orientation
    xy = centred @ axes.T
    span = np.abs(xy).max(axis=0)
    span[span == 0] = 1.0
    xy = xy / span
    return {"index": index.tolist(), "x": np.round(xy[:, 0], 4).tolist(), "y": np.round(xy[:, 1], 4).tolist(),
            "sampled": bool(len(present) > len(index))}
