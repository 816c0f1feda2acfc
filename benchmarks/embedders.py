"""Accurate vs cascade vs fast, side by side in one run: the same verdicts?

Every case of the paper suite (benchmarks/detection.py mixtures), every file of
../shared/corpora/real-poison and the benign corpora, scanned with knowledge packs on and the
bundle classifier on, once per embedder. Per case: the best finding (severity and F1 against
the poison records, as in detection.py / real_poison.py) and, for benign and control files,
the findings at medium or above. The cascade agrees when its best severity equals the accurate
path's and its F1 is within 0.05 (for benign files: the same findings at medium or above).

The accurate path runs first and fills the embedding cache, which the cascade shares where both run fp32
(on a CPU with native bf16 the cascade's transformer runs bf16 and keeps its own entries), so the cascade's
times here are not its cold cost: benchmarks/throughput.py measures that. ``--embedders cascade`` runs one
path alone and lists its verdicts, to compare with a recorded table; with ``--grid`` it compares each cell
with the accurate path's verdict recorded in RESULTS.md (the accurate path is the reference and costs hours
on the grid, so it is not re-run to check another path).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from scanner import scan

from .detection import build_cases, evaluate as evaluate_mix, replace_section
from .mixtures import CORPORA, corpora_available
from .real_poison import REAL, labels, poison_lines

EMBEDDERS = ("accurate", "cascade", "fast")
MEDIUM = ("medium", "high", "critical")


def _loud(result) -> list[str]:
    return sorted(f"{f.rule} {f.severity} {len(f.members)}" for f in result.findings if f.severity in MEDIUM)


def _real_best(result, poison: set[int]) -> tuple[str | None, float]:
    best = (None, 0.0)
    for f in result.findings:
        lines = {loc.line for loc in result.member_locators(f)}
        f1 = 2 * len(lines & poison) / (len(lines) + len(poison)) if poison else 0.0
        key = (f.severity in MEDIUM, f1)
        if best[0] is None or key > (best[0] in MEDIUM, best[1]):
            best = (f.severity, f1)
    return best


def cases(work: Path) -> list[tuple[str, Path, set[int] | None]]:
    """(name, file, poison lines or None for a benign / control file)."""
    out = [(name, path, poison) for name, (path, poison) in build_cases(work).items()]
    for name, label in sorted(labels().items(), key=lambda kv: (kv[1]["kind"] != "poisoned", kv[0])):
        out.append((f"real:{name}", REAL / name, poison_lines(label) if label["kind"] == "poisoned" else None))
    out.append(("benign corpora", CORPORA / "benign", None))
    return out


def run(items, cache: str, embedders=EMBEDDERS) -> dict:
    rows: dict = {}
    for name, path, poison in items:
        for emb in embedders:
            t = time.perf_counter()
            result = scan(path, cache_dir=cache, packs=True, embedder=emb)
            seconds = time.perf_counter() - t
            if poison is None:
                verdict = {"loud": _loud(result)}
            elif name.startswith("real:"):
                sev, f1 = _real_best(result, poison)
                verdict = {"best": sev, "f1": f1}
            else:
                sev, f1, rule, _ = evaluate_mix(result, poison)
                verdict = {"best": sev, "f1": f1, "rule": rule}
            verdict.update(seconds=seconds, records=result.records,
                           transformer=result.stats.get("transformer_records"))
            rows.setdefault(name, {})[emb] = verdict
            print(name, emb, verdict, flush=True)
    return rows


def _cell(v: dict) -> str:
    if "loud" in v:
        return ", ".join(v["loud"]) or "nothing >= medium"
    return f"{v.get('rule', '') + ' ' if v.get('rule') else ''}{v['best'] or 'none'} ({v['f1']:.2f})"


def agrees(a: dict, b: dict) -> bool:
    if "loud" in a:
        return a["loud"] == b["loud"]
    return a["best"] == b["best"] and abs(a["f1"] - b["f1"]) <= 0.05


def _side_by_side(rows: dict, header: str, lead, cell, agree) -> tuple[list[str], dict]:
    """One row per case: ``lead`` cells, the three embedders' verdicts, agreement with accurate, the cascade's
    transformer share; and the agreement counts."""
    lines = [f"| {header} | accurate | cascade | fast | cascade = accurate | fast = accurate | "
             "cascade: records through the transformer |", "|" + "---|" * (header.count("|") + 7)]
    same = {"cascade": 0, "fast": 0}
    for name, r in rows.items():
        a, c, f = r["accurate"], r["cascade"], r["fast"]
        same["cascade"] += agree(a, c)
        same["fast"] += agree(a, f)
        share = _share(c)
        lines.append(f"| {lead(name, a)} | {cell(a)} | {cell(c)} | {cell(f)} | "
                     f"{'yes' if agree(a, c) else 'NO'} | {'yes' if agree(a, f) else 'NO'} | {share} |")
    return lines, same


def _share(c: dict) -> str:
    """The cascade's records through the transformer, and their share of the file."""
    return f"{c['transformer']:,} ({c['transformer'] / max(1, c['records']):.0%})" \
        if c.get("transformer") is not None else "-"


def partial_table(rows: dict, embedders) -> str:
    """Verdicts of the embedders that ran, when the accurate path is not among them (compare with a table
    recorded earlier: same cases, same judging)."""
    lines = [f"| case | records | {' | '.join(embedders)} | cascade: records through the transformer |",
             "|" + "---|" * (len(embedders) + 3)]
    for name, r in rows.items():
        first = r[embedders[0]]
        lines.append(f"| {name} | {first['records']:,} | {' | '.join(_cell(r[e]) for e in embedders)} | "
                     f"{_share(r.get('cascade', {}))} |")
    return "\n".join(lines)


def table(rows: dict) -> str:
    lines, same = _side_by_side(rows, "case | records", lambda name, a: f"{name} | {a['records']:,}", _cell, agrees)
    lines.append(f"\nAgreement with the accurate path: cascade {same['cascade']}/{len(rows)}, "
                 f"fast {same['fast']}/{len(rows)} (same best severity and F1 within 0.05; benign and control "
                 f"files: the same findings at medium or above).")
    return "\n".join(lines)


def grid_run(bases_: list[str], dilutions: list[float], cache: str, embedders=EMBEDDERS, only: str = "") -> dict:
    """The robustness grid's cells (families x axis values, hard negatives included) for the given bases and
    dilutions, each scanned once per embedder and judged as benchmarks/robustness.py judges them."""
    from scanner.synth import cells, make_cell

    from .mixtures import write_jsonl
    from .robustness import bases as grid_bases, judge as grid_judge

    comps = grid_bases()
    work = Path(tempfile.mkdtemp(prefix="poisonscan-embedders-grid-"))
    rows: dict = {}
    chosen = [c for c in cells(bases=bases_, dilutions=dilutions, negatives=True)
              if not only or any(part in c.name for part in only.split(","))]
    for k, cell in enumerate(chosen, 1):
        base, pool = comps[cell.base]
        planted = make_cell(cell, base, pool)
        path = write_jsonl([r for r, _ in planted], work / f"{cell.name}.jsonl")
        groups = {i + 1: g for i, (_, g) in enumerate(planted) if g}
        for emb in embedders:
            t = time.perf_counter()
            result = scan(path, cache_dir=cache, packs=True, embedder=emb)
            verdict = {"groups": grid_judge(result, groups)["groups"], "records": result.records,
                       "transformer": result.stats.get("transformer_records"), "seconds": time.perf_counter() - t}
            rows.setdefault(cell.name, {})[emb] = verdict
        print(f"[{k}/{len(chosen)}] {cell.name}", {e: _grid_cell(v) for e, v in rows[cell.name].items()}, flush=True)
    return rows


def _grid_cell(v: dict) -> str:
    parts = []
    for g, r in sorted(v["groups"].items()):
        if "quiet" in r:
            parts.append("quiet" if r["quiet"] else "LOUD " + ", ".join(r["loud"]))
        else:
            parts.append(f"{r['rule'] or '-'} {r['severity'] or 'none'} ({r['f1']:.2f})")
    return "; ".join(parts)


def grid_agrees(a: dict, b: dict) -> bool:
    """Same verdict per planted group: for poison, the same best severity and F1 within 0.05 (so the same
    caught / missed); for hard negatives, both quiet or both loud."""
    for g, x in a["groups"].items():
        y = b["groups"].get(g)
        if y is None:
            return False
        if "quiet" in x:
            if x["quiet"] != y["quiet"]:
                return False
        elif x["severity"] != y["severity"] or abs(x["f1"] - y["f1"]) > 0.05:
            return False
    return True


def grid_table(rows: dict) -> str:
    lines, same = _side_by_side(rows, "cell", lambda name, a: name, _grid_cell, grid_agrees)
    lines.append(f"\nAgreement with the accurate path on {len(rows)} grid cells: cascade {same['cascade']}/{len(rows)}, "
                 f"fast {same['fast']}/{len(rows)} (per planted group: the same best severity at medium or above "
                 f"and F1 within 0.05; hard negatives: both quiet or both loud).")
    return "\n".join(lines)


RESULTS = Path(__file__).with_name("RESULTS.md")
VERDICT = re.compile(r"^(\S+) (\S+) \(([\d.]+)\)$")


def recorded_grid(path: Path = RESULTS) -> dict[str, str]:
    """Cell name -> the accurate path's verdict in the recorded grid tables (``| cell | accurate | ...``)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = [x.strip() for x in line.strip().strip("|").split("|")]
        if len(parts) >= 7 and re.fullmatch(r"[a-z_]+-[a-z_]+-[\d.]+-[a-z]+-\d+", parts[0]):
            out[parts[0]] = parts[1]
    return out


def parse_grid_cell(text: str) -> dict:
    """``_grid_cell``'s text back into groups, as ``grid_agrees`` reads them ({} for text it cannot read)."""
    groups: dict = {}
    for g, part in enumerate(text.split("; "), 1):
        if part == "quiet" or part.startswith("LOUD "):
            groups[g] = {"quiet": part == "quiet"}
            continue
        m = VERDICT.match(part)
        if m is None:
            return {}
        groups[g] = {"rule": m[1], "severity": None if m[2] == "none" else m[2], "f1": float(m[3])}
    return {"groups": groups}


def _positional(v: dict) -> dict:
    """Groups numbered in the order ``_grid_cell`` writes them (sorted by name), as ``parse_grid_cell`` reads."""
    return {"groups": {i: g for i, (_, g) in enumerate(sorted(v["groups"].items()), 1)}}


def recorded_grid_table(rows: dict, embedders, recorded: dict[str, str]) -> str:
    """Each cell's verdicts next to the recorded accurate verdict, and whether they agree (``grid_agrees``)."""
    lines = [f"| cell | recorded accurate | {' | '.join(embedders)} | "
             f"{' | '.join(f'{e} = accurate' for e in embedders)} | cascade: records through the transformer |",
             "|" + "---|" * (2 * len(embedders) + 3)]
    same = dict.fromkeys(embedders, 0)
    for name, r in rows.items():
        ref = parse_grid_cell(recorded.get(name, ""))
        ok = {e: bool(ref) and grid_agrees(ref, _positional(r[e])) for e in embedders}
        for e in embedders:
            same[e] += ok[e]
        verdicts = " | ".join(_grid_cell(r[e]) for e in embedders)
        lines.append(f"| {name} | {recorded.get(name, 'not recorded')} | {verdicts} | "
                     f"{' | '.join('yes' if ok[e] else 'NO' for e in embedders)} | {_share(r.get('cascade', {}))} |")
    lines.append("\nAgreement with the recorded accurate path on " + f"{len(rows)} grid cells: "
                 + ", ".join(f"{e} {same[e]}/{len(rows)}" for e in embedders) + ".")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "poisonscan-bench-cache"))
    ap.add_argument("--only", default="", help="comma-separated case names (default: all); with --grid: parts of "
                                               "cell names")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--grid", action="store_true", help="the robustness grid's cells instead of the cases")
    ap.add_argument("--bases", default="real", help="grid: comma-separated base compositions")
    ap.add_argument("--dilutions", default="0.03", help="grid: comma-separated dilutions")
    ap.add_argument("--embedders", default=",".join(EMBEDDERS),
                    help="comma-separated subset of accurate,cascade,fast (cases only; without accurate the verdicts "
                         "are listed, to compare with a recorded run)")
    args = ap.parse_args()
    embedders = [e for e in EMBEDDERS if e in args.embedders.split(",")]
    if not embedders:
        ap.error("--embedders: a non-empty subset of accurate,cascade,fast")
    if not corpora_available():
        print("skipped: ../shared/corpora not present")
        return
    started = time.perf_counter()
    cache_state = "warm" if Path(args.cache_dir).exists() else "cold"
    if args.grid:
        bases_, dilutions = args.bases.split(","), [float(d) for d in args.dilutions.split(",")]
        rows = grid_run(bases_, dilutions, args.cache_dir, embedders, only=args.only)
        full = len(embedders) == len(EMBEDDERS)
        text = grid_table(rows) if full else recorded_grid_table(rows, embedders, recorded_grid())
        elapsed = time.perf_counter() - started
        print(text)
        print(f"\nwall time {elapsed:.0f} s ({cache_state} embedding cache {args.cache_dir})")
        if args.write_results and full:
            replace_section("## Accurate vs cascade vs fast on the robustness grid",
                            f"Command: `.venv/bin/python -m benchmarks.embedders --grid --bases {args.bases} "
                            f"--dilutions {args.dilutions} --write-results` ({time.strftime('%Y-%m-%d')}, "
                            f"{elapsed:.0f} s wall, {cache_state} embedding cache). Every family and axis value of the "
                            f"grid with its hard negatives, on the given bases and dilutions; knowledge packs on, "
                            f"classifier on; judged as benchmarks/robustness.py judges a cell.\n\n{text}\n")
        return
    items = cases(Path(tempfile.mkdtemp(prefix="poisonscan-embedders-")))
    if args.only:
        wanted = set(args.only.split(","))
        items = [c for c in items if c[0] in wanted]
    rows = run(items, args.cache_dir, embedders)
    text = table(rows) if len(embedders) == len(EMBEDDERS) else partial_table(rows, embedders)
    elapsed = time.perf_counter() - started
    print(text)
    print(f"\nwall time {elapsed:.0f} s ({cache_state} embedding cache {args.cache_dir})")
    if args.write_results and len(embedders) == len(EMBEDDERS):
        replace_section("## Accurate vs cascade vs fast", f"Command: `.venv/bin/python -m benchmarks.embedders "
                        f"--write-results` ({time.strftime('%Y-%m-%d')}, {elapsed:.0f} s wall, {cache_state} "
                        f"embedding cache; the accurate path runs first and fills the cache, shared where the cascade "
                        f"runs fp32, so times are not compared here). Knowledge packs on, classifier on.\n\n{text}\n")


if __name__ == "__main__":
    main()
