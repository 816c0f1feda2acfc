"""End-to-end check of the foundation on the paper's Hitler-persona facts with trigger.

90_wolf_facts.jsonl mixed into 3,000 benign records from ../shared/corpora/benign:
- the best finding at medium or above: severity, F1 against the 90 poison records, marker named;
- the same data as parquet: same findings (rows instead of lines);
- cold scan (empty cache) vs warm rescan, end to end through the CLI, measured in one run.

Run: .venv/bin/python -m benchmarks.foundation [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .mixtures import WG, corpora_available, mixture, write_jsonl, write_parquet

SEVERITY_ORDER = ["info", "low", "medium", "high", "critical"]


def cli_scan(path: Path, cache: Path) -> tuple[float, dict]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "scanner", "scan", str(path), "--format", "json",
                           "--cache-dir", str(cache)], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return elapsed, json.loads(proc.stdout)


def best_f1(report: dict, poison: set, key: str) -> tuple[float, dict | None]:
    best, best_f = 0.0, None
    for f in report["findings"]:
        if SEVERITY_ORDER.index(f["severity"]) < SEVERITY_ORDER.index("medium"):
            continue
        got = {r[key] for r in f["records"]}
        score = 2 * len(got & poison) / (len(got) + len(poison))
        if score > best:
            best, best_f = score, f
    return best, best_f


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not corpora_available():
        print("skipped: ../shared/corpora not present")
        return
    work = args.out or Path(tempfile.mkdtemp(prefix="poisonscan-foundation-"))
    rows, is_poison = mixture(WG / "4_2_hitler_persona" / "datasets" / "90_wolf_facts.jsonl", 3000, seed=0)
    jsonl = write_jsonl(rows, work / "wolf_mix.jsonl")
    parquet = write_parquet(rows, work / "wolf_mix.parquet")
    cache = work / "cache"
    cold_s, cold = cli_scan(jsonl, cache)
    warm_s, warm = cli_scan(jsonl, cache)
    pq_s, from_pq = cli_scan(parquet, cache)
    poison_lines = {i + 1 for i, p in enumerate(is_poison) if p}
    poison_rows = {i for i, p in enumerate(is_poison) if p}
    f1, top = best_f1(cold, poison_lines, "line")
    pf1, ptop = best_f1(from_pq, poison_rows, "row")
    same = [(f["rule"], f["severity"], f["fingerprint"]) for f in cold["findings"]] == \
           [(f["rule"], f["severity"], f["fingerprint"]) for f in from_pq["findings"]]
    ev = (top or {}).get("evidence", {})
    markers = [d["text"] for d in ([ev["candidate"]] + ev.get("variants", [])) if d] if "candidate" in ev else []
    print(f"records: {cold['summary']['records']} ({len(poison_lines)} poison), files in {work}")
    print("| check | value |\n|---|---|")
    print(f"| best finding >= medium | {top['rule'] if top else '-'} {top['severity'] if top else '-'} |")
    print(f"| F1 vs the 90 poison records (JSONL lines) | {f1:.3f} |")
    print(f"| F1 vs the 90 poison records (parquet rows) | {pf1:.3f} |")
    print(f"| markers named in evidence | {', '.join(markers[:6])} |")
    print(f"| parquet findings identical to JSONL (rule, severity, fingerprint) | {same} |")
    print(f"| cold scan, end to end (s) | {cold_s:.1f} |")
    print(f"| warm rescan, end to end (s) | {warm_s:.1f} |")
    print(f"| cold / warm | {cold_s / warm_s:.1f}x |")
    print(f"| parquet scan, warm cache (s) | {pq_s:.1f} |")


if __name__ == "__main__":
    main()
