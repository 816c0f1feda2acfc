"""One record's compact row: its features, trigger-candidate tokens and code, from its views alone (the
per-record step every engine shares, one record or a batch at a time)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..features.extract import RecordFeatures, extract_batch, features_from_json, features_to_json
from ..features.tokens import record_tokens
from ..records import Views


@dataclass
class Processed:
    """What the scan keeps of one readable record besides its hash, locator and vectors."""

    features: RecordFeatures
    tokens: dict           # trigger-candidate tokens, n-grams and phrases
    code: str | None       # Python code found in the answer (for the static analyser)

    def to_row(self) -> dict[str, str]:
        """Plain strings, for engines that move rows between processes."""
        return {"features": features_to_json(self.features), "tokens": json.dumps(self.tokens, ensure_ascii=False),
                "code": self.code or ""}

    @classmethod
    def from_row(cls, row) -> "Processed":
        return cls(features_from_json(row["features"]), json.loads(row["tokens"]), row["code"] or None)


def process_batch(views: list[Views], packs: bool) -> list[Processed]:
    """The per-record step over many records at once: features (with batch regex screens), trigger-candidate
    tokens and code, from each record's views alone."""
    return [Processed(features, record_tokens(v), code) for v, (features, code) in zip(views, extract_batch(views, packs))]
