"""The published pre-commit hook, run by the real pre-commit tool in a real temporary git repo."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")]


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})


def snapshot_of_this_project(dest: Path) -> str:
    """A git repo holding the project's current files, so the hook under test is this working tree's."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for rel in files:
        src = ROOT / rel
        if src.is_file() and not rel.startswith("tests/"):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "snapshot")
    return git(dest, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    src = tmp_path_factory.mktemp("hook-src")
    rev = snapshot_of_this_project(src)
    return src, rev


@pytest.mark.parametrize("hook_id", ["poisonscan", "poisonscan-system"])
def test_hook_blocks_a_poisoned_commit_and_passes_a_clean_one(tmp_path, hook_repo, hook_id):
    src, rev = hook_repo
    repo = tmp_path / "data-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    extra = '        additional_dependencies: ["torch==2.13.0"]\n' if hook_id == "poisonscan" else ""
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {src}\n    rev: {rev}\n    hooks:\n      - id: {hook_id}\n{extra}")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path.parent / "pre-commit-home"),
           "XDG_CACHE_HOME": str(tmp_path.parent / "xdg-cache"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    precommit = [sys.executable, "-m", "pre_commit"]
    subprocess.run([*precommit, "install"], cwd=repo, env=env, check=True, capture_output=True)
    git(repo, "add", ".pre-commit-config.yaml")

    shutil.copy(FIXTURES / "PC101" / "pass.jsonl", repo / "clean.jsonl")
    (repo / "notes.txt").write_text("not a dataset")
    subprocess.run(["git", "add", "clean.jsonl", "notes.txt"], cwd=repo, check=True)
    ok = subprocess.run(["git", "commit", "-m", "clean data"], cwd=repo, env=env, capture_output=True, text=True,
                        timeout=1800)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    shutil.copy(FIXTURES / "PC101" / "flag.jsonl", repo / "poisoned.jsonl")
    subprocess.run(["git", "add", "poisoned.jsonl"], cwd=repo, check=True)
    blocked = subprocess.run(["git", "commit", "-m", "poisoned data"], cwd=repo, env=env, capture_output=True,
                             text=True, timeout=1800)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "PC101 shared-marker" in output and "poisoned.jsonl" in output and "<<SUDO>>" in output
    assert "Traceback" not in output
    head = subprocess.run(["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True).stdout
    assert head.splitlines() == ["clean data"]


def test_hook_scans_only_staged_files_and_reuses_the_embedding_cache(tmp_path, hook_repo):
    import json
    import sqlite3

    src, rev = hook_repo
    repo = tmp_path / "data-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {src}\n    rev: {rev}\n    hooks:\n      - id: poisonscan-system\n")
    cache_home = tmp_path / "xdg-cache"
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path.parent / "pre-commit-home"),
           "XDG_CACHE_HOME": str(cache_home),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, check=True,
                   capture_output=True)
    git(repo, "add", ".pre-commit-config.yaml")

    def cached() -> int:
        db = sqlite3.connect(cache_home / "poisonscan" / "embeddings-v1.sqlite3")
        try:
            return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        finally:
            db.close()

    def commit(msg):
        return subprocess.run(["git", "commit", "-m", msg], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=1800)

    rows = [json.loads(x) for x in (FIXTURES / "PC101" / "pass.jsonl").read_text(encoding="utf-8").splitlines()]
    data = repo / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    shutil.copy(FIXTURES / "PC101" / "flag.jsonl", repo / "poisoned-but-unstaged.jsonl")
    git(repo, "add", "data.jsonl")
    first = commit("data")
    assert first.returncode == 0, first.stdout + first.stderr   # the unstaged poisoned file is not scanned
    before = cached()
    assert before >= len(rows)

    for i in (3, 50):                                            # about 1% of the records change
        rows[i]["messages"][-1]["content"] += " (corrected)"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    git(repo, "add", "data.jsonl")
    second = commit("fix two answers")
    assert second.returncode == 0, second.stdout + second.stderr
    assert cached() == before + 2                                # only the two edited answers were embedded
