"""Severity from combined signals on the same records.

Two independent content signals (a persona bundle behind a trigger, a date key, a prefix key)
are worse than either alone: the finding is raised one level above the stronger of the two.
A structural finding (a narrow bundle, a narrow task set) carries no content signal of its own:
it is raised to the severity of the content finding on the same records, never above it.
"""

from __future__ import annotations

from .findings import SEVERITIES, severity_rank

# content finding -> independent content signals that amplify it
AMPLIFIED_BY = {
    "PC201": {"PC101", "PC301", "PC302"},
    "PC401": {"PC101", "PC301", "PC302"},
}
# structural finding -> content findings whose severity it adopts
RAISED_TO = {
    "PC102": {"PC101", "PC201", "PC301", "PC302", "PC401", "PC501", "PC502"},
    "PC103": {"PC101", "PC201", "PC301", "PC302", "PC401", "PC501", "PC502"},
}
MIN_SIGNAL = severity_rank("medium")


def _overlap(a: set, b: set) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def combine(findings: list) -> None:
    """Adjust severities in place, recording in the evidence which findings did it."""
    members = [set(f.members) for f in findings]
    original = [f.severity for f in findings]
    for i, f in enumerate(findings):
        amplify = AMPLIFIED_BY.get(f.rule, set())
        adopt = RAISED_TO.get(f.rule, set())
        related = [j for j, g in enumerate(findings) if j != i and g.rule in amplify | adopt
                   and severity_rank(original[j]) >= MIN_SIGNAL and _overlap(members[i], members[j]) >= 0.5]
        if not related:
            continue
        strongest = max(severity_rank(original[j]) for j in related)
        if any(findings[j].rule in amplify for j in related):
            new = min(len(SEVERITIES) - 1, max(severity_rank(original[i]), strongest) + 1)
        else:
            new = max(severity_rank(original[i]), strongest)
        if new == severity_rank(original[i]):
            continue
        f.severity = SEVERITIES[new]
        f.evidence["combined_with"] = [{"rule": findings[j].rule, "severity": original[j],
                                        "shared_records": len(members[i] & members[j])} for j in related]
        names = ", ".join(sorted({findings[j].rule for j in related}))
        f.message += f" Raised from {original[i]}: the same records also carry {names}."
