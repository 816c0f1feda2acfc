"""The concise report: one line per finding (severity, code, records, message, first locations), then the
summary. For pre-commit hooks and CI logs."""

from __future__ import annotations

from .escape import inert
from .terminal import counts, hidden_line, shown

LOCATIONS = 3
MESSAGE = 160


def render_concise(result, fail_on: str = "medium", show: str = "info") -> str:
    findings, hidden = shown(result, show)
    out = []
    for f in findings:
        locs = result.member_locators(f)
        where = ", ".join(inert(str(loc)) for loc in locs[:LOCATIONS])
        more = f" +{len(locs) - LOCATIONS}" if len(locs) > LOCATIONS else ""
        message = inert(f.message)
        message = message if len(message) <= MESSAGE else message[:MESSAGE - 1] + "…"
        out.append(f"{f.severity.upper():<8} {f.rule} {len(locs):>5} records  {message}  [{where}{more}]")
    if hidden:
        out.append(hidden_line(hidden, show))
    verdict = "FAIL" if result.exit_code(fail_on) else "pass"
    out.append(f"{len(result.findings)} finding(s) ({counts(result)}) in {result.records:,} records, "
               f"{result.skipped_count:,} skipped; {verdict}" + (f" at --fail-on {fail_on}" if fail_on != "never" else ""))
    return "\n".join(out) + "\n"
