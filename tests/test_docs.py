"""The user guide stays true: generated rule pages, the quick start's demo output, the API example."""

from __future__ import annotations

import pytest
import re
import subprocess
import sys

import yaml

from conftest import ROOT, run_cli
from scanner.rules.docs import family_pages
from scanner.rules.registry import all_rules

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


def test_rule_pages_are_generated_from_the_rules_and_up_to_date():
    pages = family_pages(all_rules())
    for name, text in pages.items():
        committed = ROOT / "docs" / "rules" / name
        assert committed.is_file(), f"run: poisonscan rules --write-docs docs/rules ({name} missing)"
        assert committed.read_text(encoding="utf-8") == text, f"docs/rules/{name} is stale: regenerate it"
    everything = "".join(pages.values())
    for rule in all_rules():
        assert f"## {rule.code} {rule.slug}" in everything
    for heading in ("What it does", "Why it matters", "Example", "False positives"):
        assert everything.count(f"### {heading}") == len(all_rules())


def test_quick_start_reproduces_the_readme_demo(shared_cache):
    quick = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = re.search(r"```bash\n(python3 -m venv .*?)\n```", readme).group(1)
    assert setup in quick                       # the same command as the README
    shown = re.search(r"```text\n(.*?)```", quick, re.S).group(1).strip().splitlines()
    proc = run_cli("scan", "examples/demo.jsonl", "--fail-on", "never", "--cache-dir", shared_cache, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    actual = [line for line in proc.stdout.splitlines() if not line.startswith(" ")]
    assert [x for x in shown if x] == [x for x in actual if x]


def test_api_examples_run(tmp_path):
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", api, re.S)
    assert len(blocks) >= 2
    for code in blocks:
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    first = subprocess.run([sys.executable, "-c", blocks[0]], cwd=ROOT, capture_output=True, text=True,
                           timeout=600).stdout
    assert "HIGH     PC101 shared-marker: 40 records" in first and "'records': 400" in first


def test_github_actions_workflow_uploads_the_sarif_it_writes():
    wf = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions-poisonscan.yml").read_text(encoding="utf-8"))
    steps = wf["jobs"]["scan"]["steps"]
    scan = next(s for s in steps if "--format sarif" in s.get("run", ""))
    out = re.search(r"--output (\S+)", scan["run"]).group(1)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == out
    assert wf["permissions"]["security-events"] == "write"
    assert (ROOT / "docs" / "ci.md").read_text(encoding="utf-8").count("github-actions-poisonscan.yml") >= 1
