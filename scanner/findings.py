"""Findings and severities."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

SEVERITIES = ("info", "low", "medium", "high", "critical")
# where a message will show record text that is read after the rules ran (first occurrence, before any other
# dataset text in the message): see ``Finding.quote``
PENDING = "\x00pending\x00"


def severity_rank(name: str) -> int:
    return SEVERITIES.index(name)


def report_order(f: "Finding") -> tuple:
    """Most severe first, then the highest score; ties by rule and first member (stable reports)."""
    return -severity_rank(f.severity), -round(f.score, 6), f.rule, f.members[:1]


@dataclass
class Finding:
    rule: str                 # code, e.g. PC101
    slug: str                 # the rule's slug, e.g. shared-marker
    severity: str
    score: float              # 0..1
    message: str              # what the records share and why it matters
    members: list[int]        # record indices (the pipeline turns them into locators)
    evidence: dict = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)  # a few member texts, filled by the pipeline
    fingerprint: str = ""
    features: dict = field(default_factory=dict, repr=False)  # bundle features (not part of reports)
    # record text the rule wants shown: (record indices, fill(finding, views)), filled after every rule ran, in
    # one pass over the input files (rules never read files)
    quotes: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        self.score = float(min(1.0, max(0.0, self.score)))
        self.members = sorted(int(i) for i in self.members)


    @property
    def name(self) -> str:
        """The rule's slug (older name of ``slug``, kept for API users)."""
        return self.slug

    def quote(self, records, fill) -> "Finding":
        """Ask for the views of ``records``; ``fill(finding, {index: Views})`` puts their text into the message
        or evidence once they are read (records that could not be read are missing from the mapping)."""
        self.quotes.append(([int(i) for i in records], fill))
        return self

    def fill_in(self, text: str) -> None:
        """Put ``text`` where the message says ``PENDING``."""
        self.message = self.message.replace(PENDING, text, 1)


def fill_quotes(findings: list, views: dict) -> None:
    for f in findings:
        for _, fill in f.quotes:
            fill(f, views)
        f.quotes = []


def fingerprint(rule: str, member_hashes: list[str]) -> str:
    """Stable under record order, file position and unrelated edits: rule + member content."""
    digest = hashlib.sha256(rule.encode())
    for h in sorted(set(member_hashes)):
        digest.update(h.encode())
    return digest.hexdigest()[:32]
