"""The bundle model as plain JSON numbers (no pickle): standardise, dot product, logistic."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError

DEFAULT_PATH = Path(__file__).with_name("bundle_model.json")


class BundleModel:
    def __init__(self, data: dict):
        if data.get("format") != "poisonscan-bundle-model":
            raise ConfigError("not a poisonscan bundle model (missing format tag)")
        self.features = list(data["features"])
        self.mean, self.scale, self.coef = data["mean"], data["scale"], data["coef"]
        self.intercept = float(data["intercept"])
        if not (len(self.features) == len(self.mean) == len(self.scale) == len(self.coef)):
            raise ConfigError("bundle model: feature, mean, scale and coef lengths differ")

    def contributions(self, row: dict) -> list[tuple[str, float]]:
        return [(name, c * (row.get(name, 0.0) - m) / s)
                for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef)]

    def probability(self, row: dict) -> float:
        z = self.intercept + sum(v for _, v in self.contributions(row))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def explain(self, row: dict, top: int = 3) -> list[dict]:
        ranked = sorted(self.contributions(row), key=lambda kv: -abs(kv[1]))[:top]
        return [{"feature": name, "value": row.get(name, 0.0), "contribution": round(v, 3)} for name, v in ranked]


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> BundleModel | None:
    target = Path(path) if path else DEFAULT_PATH
    if not target.is_file():
        return None
    try:
        return BundleModel(json.loads(target.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{target}: unreadable bundle model ({exc})") from exc
