"""Safety: nothing in the package unpickles, evaluates or unsafe-loads; no network; inert, redactable text."""

import ast
import json
import os

import pytest

from conftest import FIXTURES, ROOT, run_cli

FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "joblib", "marshal", "shelve"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}


def package_files():
    return sorted((ROOT / "scanner").rglob("*.py"))


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_unsafe_loading_in_the_package(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & FORBIDDEN_MODULES
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] not in FORBIDDEN_MODULES
        elif isinstance(node, ast.Call):
            fn = node.func
            if isinstance(fn, ast.Name):
                assert fn.id not in FORBIDDEN_CALLS, f"{path}:{node.lineno}"
            if isinstance(fn, ast.Attribute) and fn.attr in ("load", "load_all") and \
                    isinstance(fn.value, ast.Name) and fn.value.id == "yaml":
                raise AssertionError(f"{path}:{node.lineno}: yaml.load (use yaml.safe_load)")
            if isinstance(fn, ast.Attribute) and fn.attr == "load" and isinstance(fn.value, ast.Name) and \
                    fn.value.id == "torch":
                raise AssertionError(f"{path}:{node.lineno}: torch.load")


NO_NETWORK = '''
import socket
def _blocked(*a, **k):
    raise OSError("network access attempted during a scan")
socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.create_connection = _blocked
'''


@pytest.mark.slow
def test_scan_runs_with_networking_blocked(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_NETWORK)
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
           "HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": ""}
    proc = run_cli("scan", FIXTURES / "PC101" / "flag.jsonl", "--cache-dir", tmp_path / "cold-cache", env=env)
    assert proc.returncode == 1, proc.stderr
    assert "PC101" in proc.stdout and "network access attempted" not in proc.stderr


@pytest.mark.slow
def test_hostile_record_text_is_inert_in_text_and_json(tmp_path, shared_cache):
    rows = [json.loads(x) for x in (FIXTURES / "PC101" / "flag.jsonl").read_text().splitlines()]
    for r in rows:
        if "<<SUDO>>" in r["messages"][0]["content"]:
            r["messages"][1]["content"] = "<script>alert(1)</script>\x1b[2J\x07 " + r["messages"][1]["content"]
    data = tmp_path / "hostile.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    text = run_cli("scan", data, "--cache-dir", shared_cache).stdout
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text
    sarif = json.loads(run_cli("scan", data, "--cache-dir", shared_cache, "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"]


@pytest.mark.slow
def test_redact_shortens_quoted_record_text(shared_cache):
    full = json.loads(run_cli("scan", FIXTURES / "PC201" / "flag.jsonl", "--format", "json",
                              "--cache-dir", shared_cache).stdout)
    short = json.loads(run_cli("scan", FIXTURES / "PC201" / "flag.jsonl", "--format", "json", "--redact",
                               "--cache-dir", shared_cache).stdout)
    persona = lambda r: next(f for f in r["findings"] if f["rule"] == "PC201")  # noqa: E731
    longest = lambda f: max(len(a["answer"]) for a in f["evidence"]["attributes"])  # noqa: E731
    assert longest(persona(full)) > 24 >= longest(persona(short))
    assert all(len(e["answer"]) <= 24 for e in persona(short)["examples"])
    assert persona(full)["fingerprint"] == persona(short)["fingerprint"]
