"""One record's compact row: its features, trigger-candidate tokens and code, from its views alone (the
per-record step every engine shares, one record or a batch at a time)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..features.extract import RecordFeatures, extract_batch, features_from_values, features_to_values
from ..features.tokens import record_tokens
from ..records import Views


@dataclass
class Processed:
    """What the scan keeps of one readable record besides its hash, locator and vectors."""

    features: RecordFeatures
    tokens: dict           # trigger-candidate tokens, n-grams and phrases
    code: str | None       # Python code found in the answer (for the static analyser)

    def to_row(self) -> dict[str, str]:
        """Plain strings, for engines that move rows between processes (features in the compact form the
        feature cache and the feature worker use too)."""
        return {"features": json.dumps(features_to_values(self.features), ensure_ascii=False),
                "tokens": json.dumps(self.tokens, ensure_ascii=False), "code": self.code or ""}

    @classmethod
    def from_row(cls, row) -> "Processed":
        return cls(features_from_values(json.loads(row["features"])), json.loads(row["tokens"]), row["code"] or None)


def batch_to_json(rows: list[Processed]) -> bytes:
    """A batch of rows as one JSON array of [feature values in field order, tokens, code]: the feature
    worker's reply, cheaper to read back than ``to_row`` per record (no JSON inside JSON)."""
    return json.dumps([[features_to_values(p.features), p.tokens, p.code or ""] for p in rows]).encode("ascii")


def batch_from_json(data: bytes) -> list[Processed]:
    """The inverse of ``batch_to_json``; raises ValueError, TypeError or KeyError on anything else."""
    rows = json.loads(data)
    if not isinstance(rows, list):
        raise ValueError("not a list of rows")
    out = []
    for values, tokens, code in rows:
        if not isinstance(tokens, dict):
            raise ValueError("row of the wrong shape")
        out.append(Processed(features_from_values(values), tokens, code or None))
    return out


def process_batch(views: list[Views], packs: bool) -> list[Processed]:
    """The per-record step over many records at once: features (with batch regex screens), trigger-candidate
    tokens and code, from each record's views alone."""
    return [Processed(features, record_tokens(v), code) for v, (features, code) in zip(views, extract_batch(views, packs))]
