"""Findings and severities."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(name: str) -> int:
    return SEVERITIES.index(name)


@dataclass
class Finding:
    rule: str                 # code, e.g. PC101
    name: str                 # slug
    severity: str
    score: float              # 0..1
    message: str              # what the records share and why it matters
    members: list[int]        # record indices (the pipeline turns them into locators)
    evidence: dict = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)  # a few member texts, filled by the pipeline
    fingerprint: str = ""
    features: dict = field(default_factory=dict, repr=False)  # bundle features (not part of reports)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        self.score = float(min(1.0, max(0.0, self.score)))
        self.members = sorted(int(i) for i in self.members)


def fingerprint(rule: str, member_hashes: list[str]) -> str:
    """Stable under record order, file position and unrelated edits: rule + member content."""
    digest = hashlib.sha256(rule.encode())
    for h in sorted(set(member_hashes)):
        digest.update(h.encode())
    return digest.hexdigest()[:32]
