"""The terminal: the one-line stderr summary, --format concise, --show, --stats and --progress; baseline
reasons, list, stale entries and prune; SARIF --include-suppressed against the official schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from scanner.findings import Finding
from scanner.records import Locator, Skip
from scanner.report.concise import render_concise
from scanner.report.terminal import stats_table, summary_line
from scanner.report.text import render_text
from scanner.result import ScanResult
from scanner.rules.registry import all_rules

from conftest import ROOT, run_cli

DEMO = ROOT / "examples" / "demo.jsonl"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def synthetic_result(skips: int = 5) -> ScanResult:
    findings = [Finding("PC101", "shared-marker", "high", 0.9, "forty records carry a marker", list(range(40))),
                Finding("PC103", "narrow-template", "low", 0.3, "a template repeats", list(range(50, 70)))]
    for n, f in enumerate(findings):
        f.fingerprint = f"{n:032x}"
    locators = {i: Locator("data.jsonl", line=i + 1) for i in range(100)}
    skipped = [Skip(Locator("data.jsonl", line=200 + i), "invalid JSON: Expecting value (column 1)") for i in range(skips)]
    return ScanResult(records=100, files=1, findings=findings, locators=locators, skipped=skipped,
                      skipped_count=skips, stats={"read_embed_seconds": 2.0, "rules_seconds": 1.0,
                                                  "rule_seconds": {"PC101": 0.7, "PC103": 0.3},
                                                  "neighbour_seconds": 0.4, "total_seconds": 4.0})


def test_summary_line_counts_severities_and_locates_the_first_skips():
    line = summary_line(synthetic_result(), "medium", "out.sarif")
    assert "\n" not in line
    assert line.startswith("poisonscan: 2 finding(s) (1 high, 1 low) in 100 records, 1 file(s)")
    assert "5 skipped (data.jsonl:200: invalid JSON" in line and "data.jsonl:202" in line and "+2 more" in line
    assert "data.jsonl:203" not in line
    assert line.endswith("FAIL at --fail-on medium; report written to out.sarif")
    assert "pass at --fail-on critical" in summary_line(synthetic_result(0), "critical")


def test_concise_is_one_line_per_finding_and_show_collapses_the_rest():
    lines = render_concise(synthetic_result(), "medium").splitlines()
    assert len(lines) == 3
    assert lines[0].split()[:4] == ["HIGH", "PC101", "40", "records"]
    assert "[data.jsonl:1, data.jsonl:2, data.jsonl:3 +37]" in lines[0]
    assert lines[-1].startswith("2 finding(s) (1 high, 1 low) in 100 records, 5 skipped; FAIL")
    shown = render_concise(synthetic_result(), "medium", show="medium").splitlines()
    assert [x.split()[1] for x in shown[:1]] == ["PC101"]
    assert shown[1] == "1 finding(s) below medium not shown (--show info lists them)"
    text = render_text(synthetic_result(), "medium", show="high")
    assert "PC101 shared-marker" in text and "PC103" not in text and "1 finding(s) below high" in text


def test_stats_table_lists_stages_and_the_slowest_rules():
    table = stats_table(synthetic_result())
    assert "read + embed" in table and "neighbours" in table and "25 records/s" in table
    assert table.index("PC101") < table.index("PC103")


def test_stats_table_says_how_many_static_vectors_and_graphs_a_rescan_carried_over():
    result = synthetic_result()
    assert "last scan's memo" not in stats_table(result)
    result.stats["vectors_carried"] = result.records - 2
    assert f"static vectors from the last scan's memo: {result.records - 2:,} of {result.records:,}" in \
        stats_table(result)
    assert "neighbour graphs" not in stats_table(result)
    result.stats["graphs_carried"] = 2
    assert "neighbour graphs from an earlier scan's memo: 2 (the same vectors)" in stats_table(result)


def test_stats_table_shows_what_the_cascade_budgets_spent():
    result = synthetic_result()
    result.stats.update(transformer_records=2368, transformer_embedded=2996, transformer_cached=0,
                        transformer_budgets={"PC102": {"rows": 8064, "limit": 8000, "transformer_items": 49,
                                                       "static_items": 1705}})
    table = stats_table(result)
    assert "transformer (cascade): 2,368 records" in table
    assert "second looks, PC102: 8,064 of 8,000 rows, 49 by the transformer, 1,705 on static vectors " \
           "(budget spent)" in table
    result.stats["transformer_budgets"]["PC102"].update(rows=610, static_items=0)
    assert stats_table(result).rstrip().endswith("0 on static vectors") or "0 on static vectors\n" in stats_table(result)
    assert "second looks" not in stats_table(synthetic_result())


# -- through the CLI, with the real model ---------------------------------------------------------------
def _data_with_bad_lines(tmp_path):
    path = tmp_path / "data.jsonl"
    lines = DEMO.read_text(encoding="utf-8").splitlines()
    lines[3] = "{not json"
    lines[10] = '{"unknown": 1}'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_cli_summary_concise_show_stats_and_progress(tmp_path, shared_cache):
    data = _data_with_bad_lines(tmp_path)
    proc = run_cli("scan", data, "--cache-dir", shared_cache, "-o", tmp_path / "r.txt", "--stats", "--progress")
    assert proc.returncode == 1
    summary = [x for x in proc.stderr.splitlines() if "finding(s)" in x]
    assert len(summary) == 1
    assert "2 skipped (" in summary[0] and "data.jsonl:4: invalid JSON" in summary[0] and "data.jsonl:11" in summary[0]
    assert f"report written to {tmp_path / 'r.txt'}" in summary[0]
    stages = [x for x in proc.stderr.splitlines() if x.startswith("poisonscan: ") and " in " in x and " s" in x]
    assert any(x.startswith("poisonscan: read+embed: 398 records in ") and "records/s" in x for x in stages)
    assert any(x.startswith(f"poisonscan: rules: {len(all_rules())} rules in") for x in stages), stages
    assert "poisonscan: stage times" in proc.stderr and "PC101" in proc.stderr and "total" in proc.stderr

    concise = run_cli("scan", data, "--cache-dir", shared_cache, "--format", "concise", "--show", "fail-on",
                      "--fail-on", "high")
    out = concise.stdout.splitlines()
    assert concise.returncode == 1 and out[0].startswith("HIGH") and "PC101" in out[0] and "[data.jsonl:" not in out[0]
    assert f"{data}:" in out[0]
    assert any("below high not shown" in x for x in out) and out[-1].endswith("FAIL at --fail-on high")
    assert "finding(s) (" not in concise.stderr  # a human report on stdout carries its own summary

    quiet = run_cli("scan", data, "--cache-dir", shared_cache, "--format", "json", "--quiet")
    assert quiet.stderr == "" and json.loads(quiet.stdout)["summary"]["skipped"] == 2


@pytest.mark.slow
def test_baseline_reasons_list_stale_prune_and_sarif_suppressions(tmp_path, shared_cache):
    data = tmp_path / "data.jsonl"
    data.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    report = tmp_path / "report.json"
    run_cli("scan", data, "--cache-dir", shared_cache, "--format", "json", "-o", report)
    findings = json.loads(report.read_text())["findings"]
    assert len(findings) >= 2
    base = tmp_path / "base.json"
    bad = run_cli("baseline", "create", report, "-o", base, "--reason-for", "PC999=nothing")
    assert bad.returncode == 2 and "--reason-for PC999: matches no finding" in bad.stderr
    made = run_cli("baseline", "create", report, "-o", base, "--reason", "reviewed by the data team",
                   "--reason-for", f"{findings[0]['fingerprint'][:12]}=the trigger is the task")
    assert made.returncode == 0, made.stderr
    listed = run_cli("baseline", "list", base, "--format", "json")
    reasons = {e["fingerprint"]: e["reason"] for e in json.loads(listed.stdout)}
    assert reasons[findings[0]["fingerprint"]] == "the trigger is the task"
    assert set(reasons.values()) == {"the trigger is the task", "reviewed by the data team"}
    text = run_cli("baseline", "list", base)
    assert "reason: the trigger is the task" in text.stdout and findings[0]["fingerprint"][:16] in text.stdout

    # recreating the baseline keeps the reasons already given
    run_cli("baseline", "create", report, "-o", base)
    assert {e["fingerprint"]: e["reason"] for e in json.loads(base.read_text())["findings"]} == reasons

    # a stale entry: an accepted finding no scan produces any more
    doc = json.loads(base.read_text())
    doc["findings"].append({"fingerprint": "f" * 64, "rule": "PC102", "severity": "low", "records": 20,
                            "message": "gone", "reason": "old"})
    base.write_text(json.dumps(doc))
    sarif = run_cli("scan", data, "--cache-dir", shared_cache, "--baseline", base, "--format", "sarif",
                    "--include-suppressed")
    assert sarif.returncode == 0
    assert "1 baseline entry matched no finding of this scan: ffffffffffffffff (PC102, 20 records)" in sarif.stderr
    out = json.loads(sarif.stdout)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(out, json.loads(SARIF_SCHEMA.read_text()))
    results = out["runs"][0]["results"]
    assert len(results) == len(findings)
    assert all(r["suppressions"][0]["kind"] == "external" for r in results)
    just = {r["partialFingerprints"]["poisonscan/bundle/v1"]: r["suppressions"][0]["justification"] for r in results}
    assert just[findings[0]["fingerprint"]] == "accepted in the baseline: the trigger is the task"
    plain = json.loads(run_cli("scan", data, "--cache-dir", shared_cache, "--baseline", base, "--format",
                               "sarif").stdout)
    assert plain["runs"][0]["results"] == []
    assert run_cli("scan", data, "--baseline", base, "--include-suppressed").returncode == 2

    # prune from a report made with the baseline, then from a scan of the data: only the stale entry goes
    with_base = tmp_path / "with-base.json"
    run_cli("scan", data, "--cache-dir", shared_cache, "--baseline", base, "--format", "json", "-o", with_base)
    assert json.loads(with_base.read_text())["baseline"]["stale"] == ["f" * 64]
    dry = run_cli("baseline", "prune", base, "--report", with_base, "--dry-run")
    assert "would remove ffffffffffffffff PC102" in dry.stderr and len(json.loads(base.read_text())["findings"]) == len(findings) + 1
    pruned = run_cli("baseline", "prune", base, data, "--cache-dir", shared_cache)
    assert pruned.returncode == 0 and "1 stale entry removed" in pruned.stderr
    assert {e["fingerprint"] for e in json.loads(base.read_text())["findings"]} == {f["fingerprint"] for f in findings}
    again = run_cli("baseline", "prune", base, "--report", with_base)
    assert "0 stale entries removed" in again.stderr
