"""The real poisoned training sets and real hard negatives of ../shared/corpora/real-poison.

For a poisoned file: the best finding (highest F1 against its poison lines among findings at
medium or above, else among all) with its severity; caught = medium or above with F1 >= 0.5.
For a benign or control file: the findings at medium or above (quiet = none). Knowledge packs on
and off, the bundle classifier on.
"""

from __future__ import annotations

import json
import time

from scanner import scan

from .mixtures import CORPORA

REAL = CORPORA / "real-poison"


def labels() -> dict:
    path = REAL / "labels.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def poison_lines(label: dict) -> set[int]:
    lines = label["poison_lines"]
    if lines == "all":
        return set(range(1, label["records"] + 1))
    return set(lines) if isinstance(lines, list) else set()


def evaluate(name: str, label: dict, cache: str, packs: bool, embedder: str) -> dict:
    t = time.perf_counter()
    result = scan(REAL / name, cache_dir=cache, packs=packs, embedder=embedder)
    poison = poison_lines(label)
    loud, best = [], (False, 0.0, None)
    for f in result.findings:
        lines = {loc.line for loc in result.member_locators(f)}
        medium = f.severity in ("medium", "high", "critical")
        if medium:
            loud.append(f"{f.rule} {f.severity} {len(lines)}")
        if poison:
            f1 = 2 * len(lines & poison) / (len(lines) + len(poison))
            if (medium, f1) > best[:2]:
                best = (medium, f1, f)
    f = best[2]
    return {"kind": label["kind"], "records": result.records, "loud": loud, "seconds": time.perf_counter() - t,
            "best": f"{f.rule} {f.severity}" if f else "-", "f1": best[1],
            "named": _named(f), "caught": best[0] and best[1] >= 0.5}


def _named(f) -> str:
    if f is None:
        return ""
    ev = f.evidence
    if "candidate" in ev:
        text = f"{ev['strongest']}: {ev['seen_as'][0] if ev.get('seen_as') else ev['candidate']['text']}"
    else:
        text = ", ".join(list(ev.get("issues", {}))[:2])
    return text.replace("|", "\\|")      # a Markdown table cell


def run(cache: str, embedder: str = "accurate") -> tuple[str, dict]:
    rows = {}
    for name, label in sorted(labels().items(), key=lambda kv: (kv[1]["kind"] != "poisoned", kv[0])):
        rows[name] = (evaluate(name, label, cache, True, embedder), evaluate(name, label, cache, False, embedder))
    lines = ["| file | kind | records | packs on: best finding (what) | F1 | packs off | F1 | verdict (on/off) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, (on, off) in rows.items():
        if on["kind"] == "poisoned":
            verdict = "/".join("caught" if r["caught"] else "MISSED" for r in (on, off))
            lines.append(f"| {name} | poisoned | {on['records']:,} | {on['best']} ({on['named']}) | {on['f1']:.2f} | "
                         f"{off['best']} | {off['f1']:.2f} | {verdict} |")
        else:
            verdict = "/".join("quiet" if not r["loud"] else "LOUD" for r in (on, off))
            lines.append(f"| {name} | {on['kind']} | {on['records']:,} | {', '.join(on['loud']) or 'nothing >= medium'} "
                         f"| - | {', '.join(off['loud']) or 'nothing >= medium'} | - | {verdict} |")
    return "\n".join(lines), rows
