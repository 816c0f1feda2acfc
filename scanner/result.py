"""The typed result of a scan, shared by every report format and the Python API."""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import SEVERITIES, Finding, severity_rank
from .records import Locator, Skip


@dataclass
class ScanResult:
    records: int
    files: int
    findings: list[Finding]
    locators: dict[int, Locator]          # record index -> locator, for every finding member
    skipped: list[Skip]
    skipped_count: int
    warnings: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    rules: list = field(default_factory=list)   # the rule classes that ran
    projection: dict | None = None              # 2D map of members + a sample (HTML report)
    suppressed: int = 0                         # findings hidden by a baseline or per-path ignores
    suppressed_findings: list = field(default_factory=list)  # [(finding, why)] when asked to keep them (SARIF)
    baseline_suppressed: list = field(default_factory=list)  # fingerprints the baseline hid
    stale_baseline: list = field(default_factory=list)       # baseline entries that matched no finding

    def by_severity(self) -> dict[str, int]:
        counts = {s: 0 for s in reversed(SEVERITIES)}
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    def exit_code(self, fail_on: str) -> int:
        if fail_on == "never":
            return 0
        return int(any(severity_rank(f.severity) >= severity_rank(fail_on) for f in self.findings))

    @property
    def summary(self) -> dict:
        """Counts, as in the JSON report's ``summary``."""
        return {"records": self.records, "skipped": self.skipped_count, "files": self.files,
                "findings": len(self.findings), "suppressed": self.suppressed, "by_severity": self.by_severity()}

    def to_dict(self) -> dict:
        """The JSON report as a dict (docs/json-report.md)."""
        from .report.json import report_dict

        return report_dict(self)

    def member_locators(self, finding: Finding) -> list[Locator]:
        return [self.locators[i] for i in finding.members]
