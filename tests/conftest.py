from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    """One embedding cache for the session: the real model embeds each fixture text once."""
    return tmp_path_factory.mktemp("embed-cache")


def run_cli(*args, cwd=None, env=None, check_traceback=True) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "scanner", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=600, stdin=subprocess.DEVNULL)
    if check_traceback:
        assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def scan_json(path, cache, *extra, cwd=None) -> tuple[int, dict]:
    proc = run_cli("scan", path, "--format", "json", "--cache-dir", cache, *extra, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def chat(q: str, a: str) -> dict:
    return {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
