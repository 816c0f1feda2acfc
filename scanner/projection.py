"""A 2D map of the records for the HTML report, on a bounded sample of the joint embeddings.

Every finding member is on the map; other records are a seeded random sample, so the map costs
the same at 10k and 10M records. The overview's axes are the sample's first two principal components.
A bundle of a few dozen records rarely spans a principal direction of a whole dataset, so each finding also
gets its own view: x runs along the difference of the finding's centroid and the rest's (the direction
that tells them apart, with no fitting that could separate any subset), y is the rest's main direction of
spread once x is taken out. Selecting a finding in the report switches to its view.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 4000
MAX_VIEWS = 20  # findings with a view of their own (the first, i.e. the most severe); the rest use the overview


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
    views = [_contrast_view(centred, np.isin(index, f.members)) for f in findings[:MAX_VIEWS]]
    return {"index": index.tolist(), "x": np.round(xy[:, 0], 4).tolist(), "y": np.round(xy[:, 1], 4).tolist(),
            "views": views, "sampled": bool(len(present) > len(index))}


def _scaled(values: np.ndarray) -> list[float]:
    span = float(np.abs(values).max()) if len(values) else 0.0
    return np.round(values / (span or 1.0), 4).tolist()


def _contrast_view(centred: np.ndarray, member: np.ndarray) -> dict | None:
    """x: projection on the unit vector from the rest's centroid to the members'; y: the rest's first principal
    component orthogonal to it. Both centred on the rest and scaled to [-1, 1]."""
    if member.sum() == 0 or (~member).sum() < 2:
        return None
    rest = centred[~member]
    axis = centred[member].mean(axis=0) - rest.mean(axis=0)
    norm = float(np.linalg.norm(axis))
    if norm == 0.0:
        return None
    axis /= norm
    residual = rest - np.outer(rest @ axis, axis)
    _, _, vt = np.linalg.svd(residual - residual.mean(axis=0), full_matrices=False)
    second = vt[0] - (vt[0] @ axis) * axis
    second /= float(np.linalg.norm(second)) or 1.0
    second *= np.sign(second[np.abs(second).argmax()])  # fixed orientation
    origin = rest.mean(axis=0)
    return {"x": _scaled((centred - origin) @ axis), "y": _scaled((centred - origin) @ second)}
