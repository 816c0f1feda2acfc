"""Static analysis of answer code with bandit (AST only; the code is never run or imported)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

# Checks that flag style, hygiene or an import rather than an exploitable flaw in a finished answer:
# asserts, pseudo-random numbers, imports of a module, try/except/pass, subprocess without a shell,
# B113 (an HTTP request without a timeout: availability hygiene, CWE-400) and B108 (any string that
# looks like a /tmp path). B113 and B108 fire on deliberately secure code as often as on insecure
# code (see docs/rules/code-and-numbers.md for the rates measured on benign and secure code).
IGNORED_TESTS = {"B101", "B311", "B404", "B403", "B405", "B406", "B407", "B408", "B409", "B410", "B411", "B412",
                 "B413", "B401", "B402", "B110", "B112", "B603", "B113", "B108"}


def run_bandit(folder: Path, files: list[Path] | None = None) -> dict[int, list[dict]]:
    """Issues per record index for every ``<index>.py`` in the folder, or for the given ``files`` of it
    (medium/high severity only)."""
    files = sorted(folder.glob("*.py")) if files is None else files
    if not files:
        return {}
    logging.getLogger("bandit").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from bandit.core import config as b_config
        from bandit.core import manager as b_manager

        mgr = b_manager.BanditManager(b_config.BanditConfig(), "file", debug=False, verbose=False, quiet=True)
        mgr.discover_files([str(f) for f in files], recursive=False)
        mgr.run_tests()
    out: dict[int, list[dict]] = {}
    for issue in mgr.get_issue_list():
        if issue.test_id in IGNORED_TESTS or str(issue.severity) == "LOW":
            continue
        index = int(Path(issue.fname).stem)
        out.setdefault(index, []).append({"test": issue.test_id, "name": issue.test,
                                          "severity": str(issue.severity), "text": issue.text})
    return out


def bandit_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bandit")
    except PackageNotFoundError:
        return "unknown"
