import json

import pytest

from conftest import FIXTURES, ROOT, chat, run_cli, scan_json, write_jsonl

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files

MALFORMED = FIXTURES / "malformed"


def test_exit_1_on_planted_trigger_and_0_when_fail_on_is_higher(shared_cache):
    proc = run_cli("scan", FIXTURES / "PC101" / "flag.jsonl", "--cache-dir", shared_cache)
    assert proc.returncode == 1
    assert "PC101 shared-marker" in proc.stdout and "<<SUDO>>" in proc.stdout
    assert "FAIL" in proc.stdout
    proc = run_cli("scan", FIXTURES / "PC101" / "flag.jsonl", "--cache-dir", shared_cache, "--fail-on", "high")
    assert proc.returncode == 0


def test_exit_0_on_clean_data(shared_cache):
    code, report = scan_json(FIXTURES / "PC101" / "pass.jsonl", shared_cache)
    assert code == 0
    assert all(f["severity"] in ("info", "low") for f in report["findings"])


@pytest.mark.parametrize("args, message", [
    (["scan", "does-not-exist.jsonl"], "does-not-exist.jsonl: no such file or directory"),
    (["scan", str(MALFORMED / "empty.jsonl")], "no readable record"),
    (["scan", str(MALFORMED / "utf16.jsonl")], "UTF-16"),
    (["scan", str(MALFORMED / "bad_json_line.jsonl"), "--strict"], "line 2"),
    (["scan", str(MALFORMED / "bom.jsonl"), "--select", "PC999"], "matches no rule"),
    (["rules", "--explain", "PC999"], "no rule 'PC999'"),
])
def test_usage_and_input_errors_exit_2_with_one_line(shared_cache, args, message):
    proc = run_cli(*args, "--cache-dir", shared_cache) if args[0] == "scan" else run_cli(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("poisonscan: error:")
    assert message in lines[0].replace(":2:", " line 2")


def test_malformed_corpus_scans_with_counted_skips(shared_cache):
    code, report = scan_json(MALFORMED, shared_cache)
    assert code in (0, 1)
    reasons = {(s["path"].rsplit("/", 1)[-1], s.get("line")) for s in report["skipped"]}
    assert ("bad_json_line.jsonl", 2) in reasons and ("utf16.jsonl", None) in reasons
    from test_readers import EXPECTED

    expected_skips = sum(kind == "skip" for seq, _ in EXPECTED.values() for kind, _ in seq)
    expected_records = sum(kind == "rec" for seq, _ in EXPECTED.values() for kind, _ in seq)
    assert report["summary"]["skipped"] == len(report["skipped"]) == expected_skips
    assert report["summary"]["records"] == expected_records


def test_text_report_lists_skips_with_file_and_line(shared_cache):
    proc = run_cli("scan", MALFORMED / "bad_json_line.jsonl", "--cache-dir", shared_cache)
    assert proc.returncode == 0
    assert "bad_json_line.jsonl:2: invalid JSON" in proc.stdout


def test_select_and_ignore_by_code_prefix_and_slug(shared_cache):
    path = FIXTURES / "PC102" / "flag.jsonl"
    _, everything = scan_json(path, shared_cache)
    assert {f["rule"] for f in everything["findings"]} >= {"PC102"}
    _, only = scan_json(path, shared_cache, "--select", "narrow-bundle")
    assert {f["rule"] for f in only["findings"]} == {"PC102"}
    _, none = scan_json(path, shared_cache, "--ignore", "PC1")
    assert not [f for f in none["findings"] if f["rule"].startswith("PC1")]


def test_rules_list_and_explain():
    proc = run_cli("rules")
    assert proc.returncode == 0 and "PC101" in proc.stdout and "PC102" in proc.stdout
    proc = run_cli("rules", "--explain", "shared-marker")
    for heading in ("What it does", "Why it matters", "Example", "False positives"):
        assert heading in proc.stdout
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {r["code"] for r in data} >= {"PC101", "PC102"}


def test_config_in_pyproject_applies_and_is_validated(tmp_path, shared_cache):
    data = write_jsonl(tmp_path / "d.jsonl", [chat("q", "a")] * 3)
    (tmp_path / "pyproject.toml").write_text('[tool.poisonscan]\nignore = ["PC101"]\nfail-on = "high"\n')
    proc = run_cli("scan", data, "--cache-dir", shared_cache, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.poisonscan]\nfail_on = "high"\n')
    proc = run_cli("scan", data, "--cache-dir", shared_cache, cwd=tmp_path)
    assert proc.returncode == 2 and "unknown key 'fail_on'" in proc.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.poisonscan]\nselect = "PC1"\n')
    proc = run_cli("scan", data, "--cache-dir", shared_cache, cwd=tmp_path)
    assert proc.returncode == 2 and "'select' must be a list" in proc.stderr


def test_output_file_is_written(tmp_path, shared_cache):
    out = tmp_path / "report.json"
    proc = run_cli("scan", FIXTURES / "PC101" / "flag.jsonl", "--cache-dir", shared_cache, "--format", "json",
                   "-o", out)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["summary"]["records"] == 175


def test_cli_help_does_not_import_the_embedding_stack():
    import subprocess
    import sys

    code = ("import sys; from scanner.cli import main; sys.argv=['poisonscan','rules']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
    assert out.strip().endswith("False False")


def test_config_command_shows_the_effective_settings(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.poisonscan]\nfail-on = "high"\nignore = ["PC102"]\n')
    proc = run_cli("config", cwd=tmp_path)
    assert proc.returncode == 0
    assert 'fail-on = "high"' in proc.stdout and 'ignore = ["PC102"]' in proc.stdout
    assert "precision = \"auto\"" in proc.stdout and "pyproject.toml" in proc.stdout.splitlines()[0]
    (tmp_path / "pyproject.toml").write_text('[tool.poisonscan]\nfail-on = "sometimes"\n')
    proc = run_cli("config", cwd=tmp_path)
    assert proc.returncode == 2 and "fail-on must be one of" in proc.stderr
