"""Robustness grid: every family of poisoned bundle, generated along the axes an attacker controls,
diluted into real benign data of several compositions, with a hard negative for each family.

Per cell: caught = a finding at medium or above with F1 >= 0.5 against the planted records (for
several identities in one cell: one such finding per identity); a hard negative is quiet when no
finding at medium or above sits mostly on its records. Tables per family and axis value, per
dilution and per base composition; the bases alone are scanned too (nothing at medium or above).

Bases (3,000 records each, read from ../shared/corpora; the benchmark skips when it is absent):
real = every benign corpus, chat = AlpacaEval, self-instruct, FastChat and Dolly, code = Code Alpaca
plus generated ordinary code and some chat, math = GSM8K plus some chat. Trigger and date-key
bundles reuse prompts of the same composition that are not in the base.

Run: .venv/bin/python -m benchmarks.robustness [--families trigger,persona] [--bases real]
     [--dilutions 0.01,0.1] [--no-negatives] [--embedder fast] [--write-results]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from scanner import scan
from scanner.findings import severity_rank
from scanner.synth import cells, make_cell
from scanner.synth.code import ordinary_code
from scanner.synth.grid import BASES, DILUTIONS

from .mixtures import CORPORA, corpora_available, read_records, to_chat, write_jsonl

BASE_SIZE, POOL_SIZE = 3000, 1500
MEDIUM = severity_rank("medium")


def _read(*parts) -> list[dict]:
    out = []
    for p in parts:
        path = CORPORA.joinpath(*p.split("/"))
        if path.exists():
            out += [to_chat(r) for r in read_records(path)]
    return out


def bases(seed: int = 0) -> dict[str, tuple[list[dict], list[dict]]]:
    """composition -> (base records, pool of further records of the same composition)."""
    rng = random.Random(seed)
    chat = _read("benign/alpaca-eval", "benign/self-instruct", "benign/fastchat", "real-poison/dolly_open_qa.jsonl")
    code = _read("benign/code-alpaca")
    math = _read("benign/gsm8k")
    real = _read("benign")
    for pool in (chat, code, math, real):
        rng.shuffle(pool)
    generated = ordinary_code(1000, random.Random(seed + 1))
    mixes = {
        "real": real[: BASE_SIZE + POOL_SIZE],
        "chat": chat[: BASE_SIZE + POOL_SIZE],
        "code": code[:1700] + generated[:700] + chat[:600] + code[1700:] + generated[700:] + chat[600:800],
        "math": math[:2400] + chat[:600] + math[2400:3600] + chat[600:900],
    }
    out = {}
    for name, rows in mixes.items():
        base, pool = rows[:BASE_SIZE], rows[BASE_SIZE:]
        random.Random(seed + 2).shuffle(base)
        out[name] = (base, pool)
    return out


def f1(found: set, target: set) -> float:
    return 2 * len(found & target) / max(1, len(found) + len(target))


def judge(result, groups: dict[int, str]) -> dict:
    """Per planted group: best F1 among findings >= medium; for negatives: the loudest finding on them."""
    targets: dict[str, set] = defaultdict(set)
    for line, g in groups.items():
        targets[g].add(line)
    found = [(f, {loc.line for loc in result.member_locators(f)}) for f in result.findings]
    out = {"groups": {}, "loud": [f"{f.rule} {f.severity} {len(m)}" for f, m in found
                                   if severity_rank(f.severity) >= MEDIUM]}
    for g, target in targets.items():
        if g.startswith("poison"):
            scores = [(f1(m, target), f) for f, m in found if severity_rank(f.severity) >= MEDIUM]
            best = max(scores, key=lambda s: s[0], default=(0.0, None))
            out["groups"][g] = {"f1": round(best[0], 3), "rule": best[1].rule if best[1] else None,
                                "severity": best[1].severity if best[1] else None, "size": len(target)}
        else:
            on = [f for f, m in found if len(m & target) >= 0.5 * len(m) and severity_rank(f.severity) >= MEDIUM]
            out["groups"][g] = {"quiet": not on, "loud": [f"{f.rule} {f.severity}" for f in on], "size": len(target)}
    return out


def run(args) -> list[dict]:
    comps = bases()
    work = Path(tempfile.mkdtemp(prefix="poisonscan-grid-"))
    results = []
    chosen = cells(families=args.families, bases=args.bases, dilutions=args.dilutions, negatives=args.negatives)
    for name in args.bases:  # each base alone
        t = time.perf_counter()
        path = write_jsonl(comps[name][0], work / f"base-{name}.jsonl")
        r = scan(path, cache_dir=args.cache_dir, embedder=args.embedder)
        loud = [f"{f.rule} {f.severity} {len(f.members)}" for f in r.findings if severity_rank(f.severity) >= MEDIUM]
        results.append({"cell": f"base-{name}", "family": "base", "value": name, "base": name, "loud": loud,
                        "seconds": round(time.perf_counter() - t, 1)})
        print(f"base {name}: {len(loud)} finding(s) >= medium {loud}", flush=True)
    for k, cell in enumerate(chosen, 1):
        t = time.perf_counter()
        base, pool = comps[cell.base]
        rows = make_cell(cell, base, pool)
        path = write_jsonl([r for r, _ in rows], work / f"{cell.name}.jsonl")
        groups = {i + 1: g for i, (_, g) in enumerate(rows) if g}
        verdict = judge(scan(path, cache_dir=args.cache_dir, embedder=args.embedder), groups)
        entry = {"cell": cell.name, "family": cell.family, "value": cell.value, "dilution": cell.dilution,
                 "base": cell.base, "behaviour": cell.behaviour if cell.family in ("trigger", "date_key") else None,
                 **verdict, "seconds": round(time.perf_counter() - t, 1)}
        results.append(entry)
        print(f"[{k}/{len(chosen)}] {cell.name} ({entry['behaviour'] or ''}) {json.dumps(verdict['groups'])} "
              f"{entry['seconds']}s", flush=True)
    return results


def caught(entry: dict) -> bool:
    groups = [g for k, g in entry["groups"].items() if k.startswith("poison")]
    return bool(groups) and all(g["f1"] >= 0.5 for g in groups)


def tables(results: list[dict]) -> str:
    lines = []
    poisoned = [r for r in results if r["family"] not in ("base", "negative")]
    fams = sorted({r["family"] for r in poisoned})
    dils = sorted({r["dilution"] for r in poisoned if r["base"] == "real"})
    lines += ["Caught (a finding >= medium with F1 >= 0.5 on the planted records), mixed real base, by dilution:", "",
              "| family | axis value | " + " | ".join(f"{d:.1%}" for d in dils) + " |",
              "|---|---|" + "---|" * len(dils)]
    for fam in fams:
        for value in dict.fromkeys(r["value"] for r in poisoned if r["family"] == fam):
            row = []
            for d in dils:
                hit = [r for r in poisoned if (r["family"], r["value"], r["dilution"], r["base"]) == (fam, value, d, "real")]
                row.append(_cell(hit[0]) if hit else "-")
            lines.append(f"| {fam} | {value} | " + " | ".join(row) + " |")
    lines += ["", "Per family: share of cells caught, by dilution (mixed real base) and by base composition (3%):", "",
              "| family | " + " | ".join(f"{d:.1%}" for d in dils) + " | " + " | ".join(BASES) + " |",
              "|---|" + "---|" * (len(dils) + len(BASES))]
    for fam in fams:
        by_d = [_share([r for r in poisoned if r["family"] == fam and r["base"] == "real" and r["dilution"] == d])
                for d in dils]
        by_b = [_share([r for r in poisoned if r["family"] == fam and r["base"] == b and r["dilution"] == 0.03])
                for b in BASES]
        lines.append(f"| {fam} | " + " | ".join(by_d + by_b) + " |")
    negs = [r for r in results if r["family"] == "negative"]
    if negs:
        lines += ["", "Hard negatives: quiet (nothing >= medium mostly on their records) per kind, dilution / base:", "",
                  "| kind | cells quiet | loud cells |", "|---|---|---|"]
        for kind in dict.fromkeys(r["value"] for r in negs):
            mine = [r for r in negs if r["value"] == kind]
            quiet = [r for r in mine if r["groups"]["negative"]["quiet"]]
            loud = [f"{r['dilution']:.0%}/{r['base']}: {', '.join(r['groups']['negative']['loud'])}"
                    for r in mine if r not in quiet]
            lines.append(f"| {kind} | {len(quiet)}/{len(mine)} | {'; '.join(loud) or '-'} |")
    base = [r for r in results if r["family"] == "base"]
    if base:
        lines += ["", "Bases alone, findings >= medium: " + ", ".join(f"{r['value']} {len(r['loud'])}" for r in base)]
    return "\n".join(lines)


def _cell(r: dict) -> str:
    g = [v for k, v in r["groups"].items() if k.startswith("poison")]
    f = min(x["f1"] for x in g)
    return ("yes" if caught(r) else "NO") + f" {f:.2f}"


def _share(rs: list[dict]) -> str:
    return f"{sum(caught(r) for r in rs)}/{len(rs)}" if rs else "-"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--families", type=lambda s: s.split(","), default=None)
    ap.add_argument("--bases", type=lambda s: s.split(","), default=list(BASES))
    ap.add_argument("--dilutions", type=lambda s: tuple(float(x) for x in s.split(",")), default=DILUTIONS)
    ap.add_argument("--no-negatives", dest="negatives", action="store_false")
    ap.add_argument("--embedder", choices=["accurate", "fast"], default="accurate")
    ap.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "poisonscan-bench-cache"))
    ap.add_argument("--json", help="also write every cell's verdict to this file")
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    if not corpora_available():
        print("skipped: ../shared/corpora not present")
        return
    started = time.perf_counter()
    results = run(args)
    text = tables(results)
    elapsed = time.perf_counter() - started
    print("\n" + text + f"\n\nwall time {elapsed:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    if args.write_results:
        from .detection import replace_section

        cmd = "`.venv/bin/python -m benchmarks.robustness --write-results`"
        replace_section("## Robustness grid", f"Command: {cmd} ({time.strftime('%Y-%m-%d')}, {elapsed:.0f} s wall, "
                        f"embedder {args.embedder}).\n\n{text}\n")


if __name__ == "__main__":
    main()
