"""Findings hidden on purpose: accepted ones (a baseline) and rules ignored for some paths."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import PurePath

from .errors import ConfigError


def check_per_path_ignores(table: dict, rules: list) -> None:
    """Every selector must name a rule: a typo would otherwise silently ignore nothing."""
    from .rules.registry import _matches

    for pattern, selectors in table.items():
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise ConfigError(f"per-path-ignores: '{pattern}' must map to a list of rule codes")
        for sel in selectors:
            if not any(_matches(r, sel) for r in rules):
                raise ConfigError(f"per-path-ignores: '{sel}' (for '{pattern}') matches no rule code, prefix or slug")


def path_matches(path: str, pattern: str) -> bool:
    return fnmatch(path, pattern) or PurePath(path).match(pattern)


def ignored_by_path(finding, locators, table: dict, rule_cls) -> bool:
    """True when every member record sits in a file whose pattern ignores this finding's rule."""
    from .rules.registry import _matches

    if not table:
        return False
    for i in finding.members:
        path = locators[i].path
        if not any(path_matches(path, pat) and any(_matches(rule_cls, s) for s in sels) for pat, sels in table.items()):
            return False
    return True


def suppress(findings: list, locators, baseline: dict[str, dict], per_path: dict,
             rule_classes: dict) -> tuple[list, list[tuple[object, str]]]:
    """(kept findings, [(hidden finding, why)]): ``baseline`` maps accepted fingerprints to their entries."""
    from .rules.registry import _matches

    kept, hidden = [], []
    for f in findings:
        if f.fingerprint in baseline:
            reason = baseline[f.fingerprint].get("reason")
            hidden.append((f, f"accepted in the baseline: {reason}" if reason else "accepted in the baseline"))
            continue
        cls = rule_classes.get(f.rule)
        if cls is not None and ignored_by_path(f, locators, per_path, cls):
            patterns = [p for p, sels in per_path.items() if any(_matches(cls, x) for x in sels)]
            hidden.append((f, f"per-path ignore: {', '.join(patterns)} ignores {f.rule}"))
            continue
        kept.append(f)
    return kept, hidden
