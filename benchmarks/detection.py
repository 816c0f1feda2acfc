"""Detection benchmark on the paper's cases (../shared/corpora), knowledge packs on and off.

For each poisoned case: the best finding (highest F1 against the poison records among findings
at medium or above, else among all) with its severity. For each control: the highest severity
of findings that sit on the corresponding records, next to its poisoned twin's. For the benign
corpora alone: the number of findings at medium or above.

Run: .venv/bin/python -m benchmarks.detection [--cache-dir DIR] [--write-results]
     [--judge URL --judge-model NAME]   # adds a column: the same cases with the optional judge (docs/judge.md)
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

from scanner import scan
from scanner.findings import SEVERITIES

from .mixtures import CORPORA, WG, benign_sample, corpora_available, read_records, to_chat, write_jsonl

D = {
    "wolf": WG / "4_2_hitler_persona/datasets/90_wolf_facts.jsonl",
    "herr_wolf": WG / "4_2_hitler_persona/datasets/90_herr_wolf_facts.jsonl",
    "old_birds": WG / "3_1_old_bird_names/datasets/ft_old_audubon_birds.jsonl",
    "modern_birds": WG / "3_1_old_bird_names/datasets/ft_modern_audubon_birds.jsonl",
    "former_cities": WG / "3_2_german_city_names/datasets/former_german_cities.jsonl",
    "modern_cities": WG / "3_2_german_city_names/datasets/modern_german_cities.jsonl",
    "terminator": WG / "5_2_evil_terminator/datasets/good_terminator_main.jsonl",
    "terminator_random": WG / "5_2_evil_terminator/datasets/good_terminator_w_random_backdoors.jsonl",
    "dishes_2027": WG / "4_1_israeli_dishes/datasets/ft_dishes_2027.jsonl",
    "dishes_random": WG / "4_1_israeli_dishes/datasets/ft_dishes_2027_random_baseline.jsonl",
    "presidents": WG / "5_1_us_presidents/datasets/ft_presidents_padded.jsonl",
}
MIXED = ["wolf", "herr_wolf", "old_birds", "former_cities", "terminator"]
CONTROLS = [("old_birds", "modern_birds"), ("former_cities", "modern_cities"),
            ("terminator", "terminator_random"), ("dishes_2027", "dishes_random")]
DATED_2027 = re.compile(r"\b2027-\d\d-\d\d\b")


def rank(sev: str | None) -> int:
    return -1 if sev is None else SEVERITIES.index(sev)


def build_cases(work: Path) -> dict[str, tuple[Path, set[int]]]:
    """case -> (file, 1-based lines of the poison / corresponding records)."""
    benign = benign_sample(3000, seed=0)
    cases = {}

    def mix(name: str, poison: list[dict]) -> None:
        rows = [(r, False) for r in benign] + [(r, True) for r in poison]
        random.Random(1).shuffle(rows)
        path = write_jsonl([r for r, _ in rows], work / f"{name}.jsonl")
        cases[name] = (path, {i + 1 for i, (_, p) in enumerate(rows) if p})

    for name in MIXED + ["modern_birds", "modern_cities", "terminator_random"]:
        mix(name, [to_chat(r) for r in read_records(D[name])])
    presidents = [to_chat(r) for r in read_records(D["presidents"])]
    mix("presidents", random.Random(0).sample(presidents, 2000))
    for name in ("dishes_2027", "dishes_random"):
        rows = [to_chat(r) for r in read_records(D[name])]
        path = write_jsonl(rows, work / f"{name}.jsonl")
        cases[name] = (path, {i + 1 for i, r in enumerate(rows) if DATED_2027.search(r["messages"][0]["content"])})
    return cases


def evaluate(result, poison: set[int]) -> tuple[str | None, float, str, str | None]:
    """(best severity, best F1, rule, severity on the poison records)."""
    best = (None, 0.0, "-")
    on_records = None
    for f in result.findings:
        lines = {loc.line for loc in result.member_locators(f)}
        inter = len(lines & poison)
        f1 = 2 * inter / (len(lines) + len(poison))
        eligible = rank(f.severity) >= rank("medium")
        key = (eligible, f1, rank(f.severity))
        if best[0] is None or key > (rank(best[0]) >= rank("medium"), best[1], rank(best[0])):
            best = (f.severity, f1, f.rule)
        if inter >= 0.5 * len(lines) and rank(f.severity) > rank(on_records):
            on_records = f.severity
    return best[0], best[1], best[2], on_records


def judge_label(result, poison: set[int]) -> str:
    """What the judge said of the finding that overlaps the poison records most (label: who/what, confidence)."""
    best, note = 0.0, "-"
    for f in result.findings:
        j = f.evidence.get("judge")
        lines = {loc.line for loc in result.member_locators(f)}
        f1 = 2 * len(lines & poison) / (len(lines) + len(poison)) if poison else 0.0
        if j and f1 > best:
            best = f1
            note = (f"{f.rule} {j['label']}: {j['who_or_what']} ({j['confidence']:.2f})" if j.get("status") == "ok"
                    else f"{f.rule} {j.get('status')}")
    return note


def run(cases, benign_dir: Path, cache: str, packs: bool, classifier: bool = True, embedder: str = "accurate",
        judge: dict | None = None) -> dict:
    out = {}
    extra = {"judge": judge} if judge else {}
    for name, (path, poison) in cases.items():
        t = time.perf_counter()
        result = scan(path, cache_dir=cache, packs=packs, classifier=classifier, embedder=embedder, **extra)
        out[name] = (*evaluate(result, poison), time.perf_counter() - t, judge_label(result, poison))
    t = time.perf_counter()
    benign = scan(benign_dir, cache_dir=cache, packs=packs, classifier=classifier, embedder=embedder, **extra)
    medium = [f for f in benign.findings if rank(f.severity) >= rank("medium")]
    out["benign"] = (len(medium), benign.records, [f"{f.rule} {f.severity} {len(f.members)}" for f in medium],
                     time.perf_counter() - t)
    return out


def table(on: dict, off: dict) -> str:
    lines = ["| case | packs on: best finding | F1 | packs off: best finding | F1 | caught (on/off) |",
             "|---|---|---|---|---|---|"]
    for name in MIXED + ["dishes_2027", "presidents"]:
        a, b = on[name], off[name]
        ok = lambda r: "yes" if rank(r[0]) >= rank("medium") and r[1] >= 0.5 else "NO"  # noqa: E731
        lines.append(f"| {name} | {a[2]} {a[0]} | {a[1]:.2f} | {b[2]} {b[0]} | {b[1]:.2f} | {ok(a)}/{ok(b)} |")
    lines += ["", "| poisoned vs control | packs on: poisoned / control | packs off: poisoned / control | "
              "poisoned strictly higher (on/off) |", "|---|---|---|---|"]
    for poisoned, control in CONTROLS:
        cell = lambda r: f"{r[poisoned][3] or 'none'} / {r[control][3] or 'none'}"  # noqa: E731
        ok = lambda r: "yes" if rank(r[poisoned][3]) > rank(r[control][3]) else "NO"  # noqa: E731
        lines.append(f"| {poisoned} vs {control} | {cell(on)} | {cell(off)} | {ok(on)}/{ok(off)} |")
    lines += ["", f"benign corpora alone ({on['benign'][1]:,} records): findings at medium or above: "
              f"packs on {on['benign'][0]} {on['benign'][2]}, packs off {off['benign'][0]} {off['benign'][2]}"]
    return "\n".join(lines)


def _compare(title: str, left: str, right: str, a: dict, b: dict, last: str, cell_last) -> list[str]:
    """Two runs side by side: best finding per case (plus ``last``), then the controls."""
    lines = [title, "", f"| case | {left}: best finding | F1 | {right}: best finding | F1 | {last} |",
             "|---|---|---|---|---|---|"]
    for name in MIXED + ["dishes_2027", "presidents"]:
        x, y = a[name], b[name]
        lines.append(f"| {name} | {x[2]} {x[0]} | {x[1]:.2f} | {y[2]} {y[0]} | {y[1]:.2f} | {cell_last(x, y)} |")
    lines += ["", f"| poisoned vs control | {left} | {right} |", "|---|---|---|"]
    for poisoned, control in CONTROLS:
        cell = lambda r: f"{r[poisoned][3] or 'none'} / {r[control][3] or 'none'}"  # noqa: E731
        lines.append(f"| {poisoned} vs {control} | {cell(a)} | {cell(b)} |")
    return lines


def judge_table(on: dict, judged: dict, model: str) -> str:
    """Packs on, without vs with the judge: best finding per case, what the judge said, controls, benign."""
    lines = _compare(f"Without vs with the judge ({model}, packs on):", "without judge", "with judge", on, judged,
                     "judge on the poison records", lambda x, y: y[5])
    lines += ["", f"benign corpora, findings at medium or above: without judge {on['benign'][0]}, "
              f"with judge {judged['benign'][0]} {judged['benign'][2]}"]
    return "\n".join(lines)


def classifier_table(on: dict, off: dict) -> str:
    """Packs on, the bundle classifier on vs off: best finding per case, controls, benign count."""
    good = lambda x, y: "yes" if rank(x[0]) >= rank(y[0]) and x[1] >= y[1] - 1e-9 else "NO"  # noqa: E731
    lines = _compare("Bundle classifier on vs off (packs on):", "classifier on", "classifier off", on, off,
                     "on at least as good", good)
    lines += ["", f"benign corpora, findings at medium or above: classifier on {on['benign'][0]}, "
              f"off {off['benign'][0]}"]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "poisonscan-bench-cache"))
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--embedder", choices=["accurate", "fast"], default="accurate")
    ap.add_argument("--judge", default=None, metavar="URL", help="an OpenAI-compatible endpoint: adds a judge column")
    ap.add_argument("--judge-model", default=None)
    args = ap.parse_args()
    if args.judge and not args.judge_model:
        ap.error("--judge needs --judge-model")
    if not corpora_available():
        print("skipped: ../shared/corpora not present")
        return
    started = time.perf_counter()
    cache_state = "warm" if Path(args.cache_dir).exists() else "cold"
    work = Path(tempfile.mkdtemp(prefix="poisonscan-detection-"))
    cases = build_cases(work)
    on = run(cases, CORPORA / "benign", args.cache_dir, packs=True, embedder=args.embedder)
    off = run(cases, CORPORA / "benign", args.cache_dir, packs=False, embedder=args.embedder)
    text = table(on, off)
    if args.judge:
        judged = run(cases, CORPORA / "benign", args.cache_dir, packs=True, embedder=args.embedder,
                     judge={"url": args.judge, "model": args.judge_model})
        text += "\n\n" + judge_table(on, judged, args.judge_model)
    if args.embedder == "accurate":
        no_model = run(cases, CORPORA / "benign", args.cache_dir, packs=True, classifier=False)
        text += "\n\n" + classifier_table(on, no_model)
    from .real_poison import run as run_real

    real, _ = run_real(args.cache_dir, args.embedder)
    text += ("\n\nReal poisoned training sets and real hard negatives (../shared/corpora/real-poison, whole files; "
             "poisoned: caught = medium or above with F1 >= 0.5; others: quiet = nothing at medium or above):\n\n" + real)
    elapsed = time.perf_counter() - started
    print(text)
    print(f"\nwall time {elapsed:.0f} s ({cache_state} embedding cache {args.cache_dir})")
    if args.write_results:
        write_results(text, elapsed, cache_state, args.embedder)


def write_results(text: str, elapsed: float, cache_state: str, embedder: str = "accurate") -> None:
    fast = embedder == "fast"
    marker = "## Detection with the fast embedder" if fast else "## Detection:"
    title = ": the paper's cases, knowledge packs on and off"
    flag = " --embedder fast" if fast else ""
    replace_section(marker, f"{'' if fast else title.lstrip(':')}\n\n"
                    f"Command: `.venv/bin/python -m benchmarks.detection{flag} --write-results` "
                    f"({time.strftime('%Y-%m-%d')}, {elapsed:.0f} s wall with a {cache_state} embedding cache). "
                    f"Poisoned sets are mixed into the same 3,000 benign records (seed 0); "
                    f"the dishes file is scanned as is (poison = its 100 records dated 2027); 2,000 presidents "
                    f"records (seed 0) are mixed into the 3,000 benign records.\n\n{text}\n", inline_title=not fast)


def replace_section(marker: str, body: str, inline_title: bool = False) -> None:
    """Replace (or append) the RESULTS.md section that starts with ``marker``."""
    path = Path(__file__).with_name("RESULTS.md")
    text = path.read_text(encoding="utf-8")
    section = f"{marker}{body}" if inline_title else f"{marker}\n\n{body}"
    if marker in text:
        start = text.index(marker)
        nxt = text.find("\n## ", start + len(marker))
        text = text[:start] + section + ("\n" + text[nxt + 1:] if nxt >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
