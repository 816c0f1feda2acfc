"""What the terminal gets besides a report: which findings a human report shows (``--show``), the one-line
summary on stderr (like ruff and semgrep), and the stage times of ``--stats``."""

from __future__ import annotations

from ..findings import severity_rank
from .escape import inert

SKIPS_IN_SUMMARY = 3


def shown(result, show: str) -> tuple[list, int]:
    """The findings at ``show`` or above, and how many below it are collapsed to a count."""
    keep = [f for f in result.findings if severity_rank(f.severity) >= severity_rank(show)]
    return keep, len(result.findings) - len(keep)


def hidden_line(hidden: int, show: str) -> str:
    return f"{hidden} finding(s) below {show} not shown (--show info lists them)" if hidden else ""


def counts(result, empty: str = "none") -> str:
    """Findings by severity, most severe first ("1 high, 2 low"), or ``empty``."""
    parts = [f"{v} {k}" for k, v in result.by_severity().items() if v]
    return ", ".join(parts) if parts else empty


def summary_line(result, fail_on: str, output: str | None = None) -> str:
    """One line: findings by severity, records, files, skipped records with the first located reasons."""
    n = len(result.findings)
    line = (f"poisonscan: {n} finding(s) ({counts(result)}) in {result.records:,} records, "
            f"{result.files} file(s)")
    if result.suppressed:
        line += f", {result.suppressed} suppressed"
    if result.skipped_count:
        first = "; ".join(inert(str(s)) for s in result.skipped[:SKIPS_IN_SUMMARY])
        more = f"; +{result.skipped_count - SKIPS_IN_SUMMARY:,} more" if result.skipped_count > SKIPS_IN_SUMMARY else ""
        line += f"; {result.skipped_count:,} skipped ({first}{more})"
    if fail_on != "never":
        failing = result.exit_code(fail_on)
        line += f"; {'FAIL' if failing else 'pass'} at --fail-on {fail_on}"
    if output:
        line += f"; report written to {output}"
    return line


def stats_table(result) -> str:
    """Stage times of the scan (``--stats``), slowest rules first, with records per second."""
    s = result.stats
    total = s.get("total_seconds", 0.0) or 0.0
    rules = s.get("rule_seconds", {}) or {}
    rows = [("read + embed", s.get("read_embed_seconds"), f"{result.records:,} records"),
            ("  candidate index", s.get("candidate_index_seconds"), "prompt tokens and phrases"),
            ("rules", s.get("rules_seconds"), f"{len(rules)} rules"),
            ("  neighbours", s.get("neighbour_seconds"), "kNN searches inside the rules"),
            *((f"  {code}", sec, "") for code, sec in sorted(rules.items(), key=lambda kv: -kv[1])[:5]),
            ("  combine + classifier", s.get("classifier_seconds"), ""),
            ("judge", s.get("judge_seconds"), "language-model judge"),
            ("report", s.get("report_seconds"), "baseline, map, examples"),
            ("total", total, f"{result.records / total:,.0f} records/s" if total > 0 else "")]
    out = ["poisonscan: stage times"]
    for name, sec, note in rows:
        if sec is None:
            continue
        share = f"{100 * sec / total:5.1f}%" if total > 0 else ""
        out.append(f"  {name:<22} {sec:9.2f} s {share}  {note}".rstrip())
    if "transformer_records" in s:
        out.append(f"  transformer (cascade): {s['transformer_records']:,} records, "
                   f"{s.get('transformer_embedded', 0):,} texts embedded, {s.get('transformer_cached', 0):,} cached")
    for name, b in (s.get("transformer_budgets") or {}).items():
        out.append(f"    second looks, {name}: {b['rows']:,} of {b['limit']:,} rows, {b['transformer_items']:,} by the "
                   f"transformer, {b['static_items']:,} on static vectors"
                   + (" (budget spent)" if b["rows"] >= b["limit"] else ""))
    out.append(f"  embedded texts: {s.get('embedded_texts', 0):,}, from the cache: {s.get('cached_texts', 0):,}")
    out.append(f"  record features from the cache: {s.get('features_cached', 0):,} of {result.records:,}")
    if s.get("vectors_carried"):
        out.append(f"  static vectors from the last scan's memo: {s['vectors_carried']:,} of {result.records:,}")
    if s.get("graphs_carried"):
        out.append(f"  neighbour graphs from an earlier scan's memo: {s['graphs_carried']} (the same vectors)")
    return "\n".join(out)
