"""The text report, for people: findings by severity with evidence and a few member records."""

from __future__ import annotations

from ..version import __version__
from .escape import inert
from .terminal import counts, hidden_line, shown

SHOW_LOCATIONS = 8
SHOW_SKIPS = 10


def _locations(result, f) -> str:
    locs = result.member_locators(f)
    shown = ", ".join(str(loc) for loc in locs[:SHOW_LOCATIONS])
    more = f" (+{len(locs) - SHOW_LOCATIONS} more)" if len(locs) > SHOW_LOCATIONS else ""
    return inert(shown) + more


def _evidence(ev: dict) -> list[str]:
    lines = []
    for key, value in ev.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = "; ".join(", ".join(f"{k}={v}" for k, v in d.items()) for d in value[:6])
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        lines.append(f"      {key}: {inert(str(value))[:300]}")
    return lines


def render_text(result, fail_on: str = "medium", show: str = "info") -> str:
    out = [f"poisonscan {__version__}: {result.records:,} records in {result.files} file(s), "
           f"{result.skipped_count:,} skipped, {len(result.findings)} finding(s)", ""]
    findings, hidden = shown(result, show)
    for f in findings:
        out.append(f"[{f.severity.upper()}] {f.rule} {f.slug}  score {f.score:.2f}  {len(f.members)} records")
        out.append(f"  {inert(f.message)}")
        out.append("    evidence:")
        out.extend(_evidence(f.evidence))
        out.append(f"    records: {_locations(result, f)}")
        for ex in f.examples:
            out.append(f"    e.g. {inert(str(result.locators[ex['record']]))}")
            if ex["prompt"]:
                out.append(f"      prompt: {inert(ex['prompt'])}")
            out.append(f"      answer: {inert(ex['answer'])}")
        out.append(f"    fingerprint: {f.fingerprint}")
        out.append("")
    if hidden:
        out += [hidden_line(hidden, show), ""]
    if result.skipped_count:
        out.append(f"skipped {result.skipped_count:,} record(s) or file(s):")
        for s in result.skipped[:SHOW_SKIPS]:
            out.append(f"  {inert(str(s))}")
        if result.skipped_count > SHOW_SKIPS:
            out.append(f"  ... and {result.skipped_count - SHOW_SKIPS:,} more (see --format json)")
        out.append("")
    verdict = f"FAIL (a finding at {fail_on} or above)" if result.exit_code(fail_on) else "pass"
    hidden = f"; {result.suppressed} suppressed (baseline / per-path ignores)" if result.suppressed else ""
    out.append(f"summary: {counts(result, 'no findings')}{hidden}; {verdict}")
    return "\n".join(out) + "\n"
