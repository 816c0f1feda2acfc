import json
import random

import jsonschema
import pytest

from conftest import FIXTURES, ROOT, run_cli, scan_json

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files

SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def test_json_contract(shared_cache):
    _, report = scan_json(FIXTURES / "PC101" / "flag.jsonl", shared_cache)
    assert set(report) == {"tool", "summary", "findings", "skipped"}
    assert report["tool"]["name"] == "poisonscan"
    assert set(report["summary"]) == {"records", "skipped", "files", "findings", "suppressed", "by_severity"}
    assert report["summary"]["findings"] == len(report["findings"])
    f = report["findings"][0]
    assert {"rule", "name", "severity", "score", "message", "records", "evidence", "fingerprint"} <= set(f)
    assert 0.0 <= f["score"] <= 1.0
    assert all(set(r) == {"path", "line"} and r["line"] >= 1 for r in f["records"])
    assert len(f["records"]) == f["evidence"]["support"]  # every member, not a sample


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="SARIF schema not present")
def test_sarif_validates_against_the_official_schema(shared_cache, tmp_path):
    proc = run_cli("scan", FIXTURES / "PC101" / "flag.jsonl", FIXTURES / "malformed" / "bad_json_line.jsonl",
                   "--cache-dir", shared_cache, "--format", "sarif")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    run = doc["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"PC101", "PC102"}
    res = run["results"][0]
    assert res["ruleId"] == "PC101" and res["level"] in ("warning", "error")
    assert len(res["relatedLocations"]) == res["properties"]["records"] == 25
    assert res["partialFingerprints"]["poisonscan/bundle/v1"]
    assert run["invocations"][0]["toolExecutionNotifications"]


def test_fingerprints_survive_reordering_and_unrelated_edits(tmp_path, shared_cache):
    lines = (FIXTURES / "PC101" / "flag.jsonl").read_text().splitlines()
    _, before = scan_json(FIXTURES / "PC101" / "flag.jsonl", shared_cache)
    random.Random(3).shuffle(lines)
    benign = next(i for i, ln in enumerate(lines) if "SUDO" not in ln)
    lines[benign] = lines[benign].replace("?", "? Please be brief.", 1)
    (tmp_path / "shuffled.jsonl").write_text("\n".join(lines) + "\n")
    _, after = scan_json(tmp_path / "shuffled.jsonl", shared_cache)
    fp = lambda r: {f["fingerprint"] for f in r["findings"] if f["rule"] == "PC101"}  # noqa: E731
    assert fp(before) and fp(before) == fp(after)


def test_report_text_is_inert(tmp_path, shared_cache):
    rows = (FIXTURES / "PC101" / "flag.jsonl").read_text().replace("Access granted.", "\\u001b[31mAccess granted.")
    (tmp_path / "esc.jsonl").write_text(rows)
    proc = run_cli("scan", tmp_path / "esc.jsonl", "--cache-dir", shared_cache)
    assert "\x1b" not in proc.stdout
