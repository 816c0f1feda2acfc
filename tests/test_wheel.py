"""The built wheel, installed into a fresh virtual environment outside the repository, scans and trains:
no library code looks for the repository's folders (packs, fixtures, corpora)."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def _run(cmd, cwd, **kw):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=1200,
                          stdin=subprocess.DEVNULL, **kw)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def test_installed_wheel_scans_and_trains_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT], tmp_path)
    wheel = next(dist.glob("poisonscan-*.whl"))
    env_dir = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", env_dir], tmp_path)
    py = env_dir / "bin" / "python"
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip())
    # the heavy dependencies (torch, faiss, ...) come from this interpreter's site-packages; poisonscan itself only
    # from the wheel (a path line does not run the editable-install hooks found in that folder)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([py, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel], tmp_path)
    where = _run([py, "-c", "import scanner; print(scanner.__file__)"], tmp_path).stdout.strip()
    assert where.startswith(str(site)), where

    work = tmp_path / "elsewhere"
    work.mkdir()
    data = work / "demo.jsonl"
    data.write_bytes((ROOT / "examples" / "demo.jsonl").read_bytes())
    scan = subprocess.run([env_dir / "bin" / "poisonscan", "scan", data, "--format", "json", "--cache-dir",
                           work / "cache"], cwd=work, capture_output=True, text=True, timeout=1200)
    assert scan.returncode == 1, scan.stderr          # the demo's planted bundle fails the scan
    report = json.loads(scan.stdout)
    assert any(f["severity"] in ("medium", "high", "critical") for f in report["findings"])

    code = ("import json; from scanner.training import train; "
            "m = train(cache_dir='cache', only={0, 41}); "
            "print(json.dumps({'rows': m['training']['rows'], 'base': m['training']['benign_base']}))")
    trained = json.loads(_run([py, "-c", code], work).stdout.strip().splitlines()[-1])
    assert trained["rows"] >= 2 and trained["base"] == "bundled benign base"
