"""Baselines: accepted findings, recorded by content fingerprint, hidden from later scans.

A fingerprint is the rule code plus the sorted content hashes of the member records, so it survives
reordering, moves between files and edits to records outside the bundle. A bundle that gains or
loses records is a different bundle and is reported again.

Each entry carries a ``reason`` (why it was accepted), shown by ``baseline list`` and written to SARIF as the
suppression's justification. An entry that matches no finding of a scan is *stale*; ``baseline prune``
removes the entries a scan (or its JSON report) no longer produces.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .fileutil import write_atomic
from .errors import ConfigError, InputError

VERSION = 1


def read_report(report_path: str | os.PathLike) -> dict:
    try:
        report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{report_path}: cannot read report ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{report_path}: not JSON (line {exc.lineno}: {exc.msg}); "
                         "make it with: poisonscan scan DATA --format json -o REPORT.json") from exc
    if not isinstance(report, dict) or report.get("tool", {}).get("name") != "poisonscan" \
            or not isinstance(report.get("findings"), list):
        raise InputError(f"{report_path}: not a poisonscan JSON report (poisonscan scan DATA --format json)")
    return report


def _keyed(entry: dict, key: str) -> bool:
    """``--reason-for`` keys: a rule code or the start of a fingerprint."""
    return entry["fingerprint"].startswith(key) or entry.get("rule") == key


def _reason_for(entry: dict, reason: str | None, per_entry: dict[str, str]) -> str | None:
    """A per-entry reason (keyed by a fingerprint prefix or a rule code) wins over the one for every entry."""
    return next((text for key, text in per_entry.items() if _keyed(entry, key)), reason)


def create(report_path: str | os.PathLike, out_path: str | os.PathLike, reason: str | None = None,
           per_entry: dict[str, str] | None = None) -> dict:
    """Write a baseline of every finding in a JSON report; return it. Reasons an existing baseline at
    ``out_path`` gave to the same fingerprints are kept unless a new reason is given."""
    report = read_report(report_path)
    per_entry = per_entry or {}
    previous = {}
    if Path(out_path).is_file():
        try:
            previous = entries(out_path)
        except ConfigError:
            previous = {}
    out = {}
    for i, f in enumerate(report["findings"]):
        fp = f.get("fingerprint") if isinstance(f, dict) else None
        if not isinstance(fp, str) or not fp:
            raise InputError(f"{report_path}: finding {i + 1} has no fingerprint")
        entry = {"fingerprint": fp, "rule": f.get("rule"), "severity": f.get("severity"),
                 "records": len(f.get("records", [])), "message": f.get("message", "")[:300]}
        why = _reason_for(entry, reason, per_entry) or previous.get(fp, {}).get("reason")
        if why:
            entry["reason"] = why
        out[fp] = entry
    unused = [k for k in per_entry if not any(_keyed(e, k) for e in out.values())]
    if unused:
        raise InputError(f"--reason-for {unused[0]}: matches no finding of {report_path} (give a rule code or the "
                         "start of a fingerprint)")
    return write(out_path, out.values())


def write(out_path: str | os.PathLike, items) -> dict:
    ordered = sorted(items, key=lambda e: (e.get("rule") or "", e["fingerprint"]))
    baseline = {"tool": "poisonscan", "version": VERSION, "findings": ordered}
    try:
        write_atomic(out_path, json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InputError(f"{out_path}: cannot write baseline ({exc.strerror or exc})") from exc
    return baseline


def entries(path: str | os.PathLike) -> dict[str, dict]:
    """Fingerprint -> entry (rule, severity, records, message, reason) of a baseline file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: baseline is not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("tool") != "poisonscan" or not isinstance(data.get("findings"), list):
        raise ConfigError(f"{path}: not a poisonscan baseline (make one with: poisonscan baseline create REPORT.json)")
    if data.get("version") != VERSION:
        raise ConfigError(f"{path}: baseline version {data.get('version')!r} is not supported (expected {VERSION})")
    out = {}
    for i, e in enumerate(data["findings"]):
        if not isinstance(e, dict) or not isinstance(e.get("fingerprint"), str):
            raise ConfigError(f"{path}: entry {i + 1} has no fingerprint")
        if "reason" in e and not isinstance(e["reason"], str):
            raise ConfigError(f"{path}: entry {i + 1} has a reason that is not a string")
        out[e["fingerprint"]] = e
    return out


def prune(path: str | os.PathLike, live: set[str], dry_run: bool = False) -> list[dict]:
    """The entries whose fingerprint is not in ``live`` (what a scan found, suppressed or not), removed from the
    file unless ``dry_run``. The file is rewritten only when something was removed."""
    current = entries(path)
    stale = [e for fp, e in current.items() if fp not in live]
    if stale and not dry_run:
        write(path, [e for fp, e in current.items() if fp in live])
    return stale


def live_fingerprints(report: dict) -> set[str]:
    """Every fingerprint a JSON report saw: its findings and those its baseline suppressed."""
    found = {f.get("fingerprint") for f in report["findings"] if isinstance(f, dict)}
    return found | set(report.get("baseline", {}).get("suppressed", []))
