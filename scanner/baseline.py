"""Baselines: accepted findings, recorded by content fingerprint, hidden from later scans.

A fingerprint is the rule code plus the sorted content hashes of the member records, so it survives
reordering, moves between files and edits to records outside the bundle. A bundle that gains or
loses records is a different bundle and is reported again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .fileutil import write_atomic
from .errors import ConfigError, InputError

VERSION = 1


def create(report_path: str | os.PathLike, out_path: str | os.PathLike) -> dict:
    """Write a baseline of every finding in a JSON report; return it."""
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
    entries = {}
    for i, f in enumerate(report["findings"]):
        fp = f.get("fingerprint") if isinstance(f, dict) else None
        if not isinstance(fp, str) or not fp:
            raise InputError(f"{report_path}: finding {i + 1} has no fingerprint")
        entries[fp] = {"fingerprint": fp, "rule": f.get("rule"), "severity": f.get("severity"),
                       "records": len(f.get("records", [])), "message": f.get("message", "")[:300]}
    ordered = sorted(entries.values(), key=lambda e: (e["rule"] or "", e["fingerprint"]))
    baseline = {"tool": "poisonscan", "version": VERSION, "findings": ordered}
    try:
        write_atomic(out_path, json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InputError(f"{out_path}: cannot write baseline ({exc.strerror or exc})") from exc
    return baseline


def load(path: str | os.PathLike) -> set[str]:
    """The accepted fingerprints of a baseline file."""
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
    out = set()
    for i, e in enumerate(data["findings"]):
        if not isinstance(e, dict) or not isinstance(e.get("fingerprint"), str):
            raise ConfigError(f"{path}: entry {i + 1} has no fingerprint")
        out.add(e["fingerprint"])
    return out
