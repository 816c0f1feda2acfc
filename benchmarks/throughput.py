"""Throughput benchmark: records/s end to end and peak RSS, poisonscan next to a BERTopic-style pipeline.

Every measurement runs in its own child process (peak RSS is the child's own), one after the
other in one run, so the ratios printed are side by side on the same (noisy) machine:

- poisonscan local, fast embedder (static vectors distilled from MiniLM);
- poisonscan local, accurate embedder (MiniLM; cold embedding cache);
- poisonscan with the Ray engine on a local Ray (fast embedder; driver RSS);
- the raw encoder alone on the texts poisonscan embeds (prompt and answer of every record);
- a BERTopic-style pipeline: the same encoder on each whole record, UMAP to 5-d, HDBSCAN
  (`pip install -e '.[bench]'`);
- a rescan after 1% of the records changed, with the embedding cache warm.

`--pairs N` alternates the fast path and the BERTopic-style pipeline N times and reports each pair's
ratio and the median (the machine's speed drifts between runs).

Corpora: generated chat records of ~190 tokens (benchmarks/corpus.py; a 200-record trigger bundle is
planted, its recovery is printed) and the real benign corpora from ../shared/corpora when present.

Run: .venv/bin/python -m benchmarks.throughput [--sizes 10000,100000,1000000] [--write-results]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import generate
from .mixtures import CORPORA

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import numpy as np
args = json.loads(sys.argv[1])
t0 = time.perf_counter()
out = {}
mode = args["mode"]
if mode == "poisonscan":
    from scanner import scan
    r = scan(args["path"], **args["options"])
    poison = set(args.get("poison", []))
    best = 0.0
    for f in r.findings:
        lines = {loc.line for loc in r.member_locators(f)}
        if poison and f.severity in ("medium", "high", "critical"):
            best = max(best, 2 * len(lines & poison) / (len(lines) + len(poison)))
    out = {"records": r.records, "findings": len(r.findings), "planted_f1": round(best, 3),
           "embedded": r.stats["embedded_texts"], "cached": r.stats["cached_texts"],
           "transformer": r.stats.get("transformer_records"), "transformer_embedded": r.stats.get("transformer_embedded")}
else:
    from scanner.readers import ReadOptions, expand_paths, read_source
    from scanner.records import Record
    prompts, answers, joint = [], [], []
    for src in expand_paths([args["path"]]):
        for rec in read_source(src, ReadOptions()):
            if isinstance(rec, Record):
                v = rec.views
                if v.prompt.strip():
                    prompts.append(v.prompt)
                if v.answer.strip():
                    answers.append(v.answer)
                joint.append((v.prompt + "\n" + v.answer).strip())
    if args["encoder"] == "fast":
        from scanner.embed.static import StaticEmbedder
        enc = StaticEmbedder(store_dir=args["store"])
        encode = lambda texts: np.concatenate([enc.embed(texts[i:i + 8192]) for i in range(0, len(texts), 8192)])
    else:
        import os, torch
        from sentence_transformers import SentenceTransformer
        from scanner.embed.default_model import verified_default_model_dir
        from scanner.embed.sentence_transformers import MAX_CHARS, resolve_precision
        torch.set_num_threads(os.cpu_count() or 1)
        st = SentenceTransformer(str(verified_default_model_dir()), device="cpu")
        if resolve_precision("auto") == "bf16":
            st = st.to(torch.bfloat16)
        encode = lambda texts: st.encode([t[:MAX_CHARS] for t in texts], batch_size=32, show_progress_bar=False,
                                         convert_to_numpy=False, convert_to_tensor=True).float().cpu().numpy()
    if mode == "encoder":
        encode(prompts); encode(answers)
        out = {"records": len(joint), "texts": len(prompts) + len(answers)}
    else:  # BERTopic-style: embed whole records, UMAP to 5-d, HDBSCAN
        import numpy as np, umap, hdbscan
        x = encode(joint)
        t1 = time.perf_counter()
        low = umap.UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42,
                        low_memory=True).fit_transform(x)
        t2 = time.perf_counter()
        labels = hdbscan.HDBSCAN(min_cluster_size=15, metric="euclidean",
                                 cluster_selection_method="eom").fit_predict(low)
        t3 = time.perf_counter()
        out = {"records": len(joint), "clusters": int(labels.max() + 1), "umap_s": round(t2 - t1, 1),
               "hdbscan_s": round(t3 - t2, 1)}
out["seconds"] = round(time.perf_counter() - t0, 2)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print("RESULT " + json.dumps(out))
"""


def child(args: dict, timeout: float = 6 * 3600) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]}
    return json.loads(line[len("RESULT "):])


def change_one_percent(src: Path, dst: Path, seed: int = 0) -> int:
    lines = src.read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    picked = rng.sample(range(len(lines)), max(1, len(lines) // 100))
    for i in picked:
        row = json.loads(lines[i])
        row["messages"][-1]["content"] += f" (revised {i})"
        lines[i] = json.dumps(row, ensure_ascii=False)
    dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(picked)


def real_corpus(work: Path) -> Path | None:
    """The benign corpora as one chat JSONL (real records), or None when ../shared is absent."""
    if not (CORPORA / "benign").is_dir():
        return None
    from .mixtures import read_records, to_chat, write_jsonl

    return write_jsonl([to_chat(r) for r in read_records(CORPORA / "benign")], work / "real-benign.jsonl")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def rate(r: dict) -> str:
    if "error" in r:
        return f"error: {r['error']}"
    return f"{r['records'] / r['seconds']:,.0f} rec/s ({r['seconds']:.1f} s, {r['peak_rss_mb']:,} MB)"


def ratio(a: dict, b: dict) -> str:
    """How many times faster ``a`` is than ``b`` (same records)."""
    if "error" in a or "error" in b:
        return "-"
    return f"{b['seconds'] / a['seconds']:.2f}x"


def pair_summary(pairs: list) -> str:
    """Each (fast, BERTopic-style) pair's times and ratio, and the median ratio of the pairs that ran."""
    parts, ratios = [], []
    for f, b in pairs:
        if "error" in f or "error" in b:
            parts.append("error")
            continue
        ratios.append(b["seconds"] / f["seconds"])
        parts.append(f"{f['seconds']:.1f} s vs {b['seconds']:.1f} s ({ratios[-1]:.2f}x)")
    median = f"{statistics.median(ratios):.2f}x" if ratios else "-"
    return "; ".join(parts) + f"; median {median}."


def fresh_store(store: Path, folder: Path) -> Path:
    """An empty cache folder holding only the distilled static table: the fast path computes every record's
    features (a warm feature cache from an earlier run would skip them) without distilling again."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for f in store.glob("static-*"):
        if f.is_file():
            shutil.copy(f, folder / f.name)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--accurate-sizes", default="10000", help="sizes also run with the transformer")
    ap.add_argument("--cascade-sizes", default="10000,100000", help="sizes also run with the cascade (cold cache)")
    ap.add_argument("--ray-sizes", default="10000,100000")
    ap.add_argument("--bertopic-sizes", default="10000,100000")
    ap.add_argument("--pairs", type=int, default=1,
                    help="where BERTopic-style runs: this many fast and BERTopic-style runs, alternated (each pair's "
                         "ratio and their median are reported; the machine's speed drifts between runs)")
    ap.add_argument("--real", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "poisonscan-throughput"))
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--results-title", default="Throughput", help="section of RESULTS.md to (re)write")
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    store = work / "store"
    sizes = [int(s) for s in a.sizes.split(",") if s]
    acc = {int(s) for s in a.accurate_sizes.split(",") if s}
    rays = {int(s) for s in a.ray_sizes.split(",") if s}
    bert = {int(s) for s in a.bertopic_sizes.split(",") if s}
    casc = {int(s) for s in a.cascade_sizes.split(",") if s}

    t = time.perf_counter()
    first = child({"mode": "poisonscan", "path": str(ROOT / "examples" / "demo.jsonl"),
                   "options": {"embedder": "fast", "cache_dir": str(store)}})
    distil_s = time.perf_counter() - t
    print(f"fast embedder distilled on first use (and stored): {distil_s:.1f} s including one demo scan "
          f"{first.get('error', '')}", flush=True)

    corpora = []
    for n in sizes:
        path = work / f"generated-{n}.jsonl"
        path, poison = generate(n, path)
        corpora.append((f"generated {n:,}", n, path, sorted(poison)))
    if a.real:
        real = real_corpus(work)
        if real is not None:
            corpora.append(("real benign", 0, real, []))

    rows = []
    for label, n, path, poison in corpora:
        res = {"planted": bool(poison)}
        fast_opts = {"embedder": "fast"}

        def fast_scan() -> dict:      # cold: a fresh cache folder holding only the distilled table
            return child({"mode": "poisonscan", "path": str(path), "poison": poison,
                          "options": {**fast_opts, "cache_dir": str(fresh_store(store, work / f"fast-cache-{n}"))}})

        def bertopic() -> dict:
            return child({"mode": "bertopic", "path": str(path), "encoder": "fast", "store": str(store)})

        res["fast"] = fast_scan()
        print(label, "local fast", rate(res["fast"]), res["fast"].get("planted_f1"), flush=True)
        res["fast_encoder"] = child({"mode": "encoder", "path": str(path), "encoder": "fast", "store": str(store)})
        print(label, "fast encoder alone", rate(res["fast_encoder"]), flush=True)
        if n in rays or (not n and rays):
            res["ray"] = child({"mode": "poisonscan", "path": str(path), "poison": poison,
                                "options": {**fast_opts, "engine": "ray",
                                            "cache_dir": str(fresh_store(store, work / f"ray-cache-{n}"))}})
            print(label, "ray local fast", rate(res["ray"]), flush=True)
        if n in bert or (not n and bert):
            res["bertopic"] = bertopic()
            print(label, "BERTopic-style (fast encoder)", rate(res["bertopic"]), res["bertopic"], flush=True)
            res["pairs"] = [(res["fast"], res["bertopic"])]
            for i in range(2, a.pairs + 1):
                f, b = fast_scan(), bertopic()
                res["pairs"].append((f, b))
                print(label, f"pair {i}: local fast", rate(f), "BERTopic-style", rate(b), ratio(f, b), flush=True)
        if n in casc or (not n and casc):
            cache = fresh_store(store, work / f"cascade-cache-{label.replace(' ', '-')}")   # cold, not distilling
            opts = {"embedder": "cascade", "cache_dir": str(cache)}
            res["cascade"] = child({"mode": "poisonscan", "path": str(path), "poison": poison, "options": opts})
            print(label, "local cascade (cold cache)", rate(res["cascade"]), res["cascade"], flush=True)
            changed = work / f"changed-{path.name}"
            k = change_one_percent(path, changed)
            res["cascade_rescan"] = child({"mode": "poisonscan", "path": str(changed), "options": opts})
            print(label, f"cascade rescan after {k} changed records", rate(res["cascade_rescan"]), flush=True)
        if n in acc or (not n and acc):
            cache = work / f"cache-{label.replace(' ', '-')}"
            shutil.rmtree(cache, ignore_errors=True)
            res["accurate"] = child({"mode": "poisonscan", "path": str(path), "poison": poison,
                                     "options": {"embedder": "accurate", "cache_dir": str(cache)}})
            print(label, "local accurate (cold cache)", rate(res["accurate"]), flush=True)
            res["encoder"] = child({"mode": "encoder", "path": str(path), "encoder": "accurate"})
            print(label, "MiniLM encoder alone", rate(res["encoder"]), flush=True)
            changed = work / f"changed-{path.name}"
            k = change_one_percent(path, changed)
            res["rescan"] = child({"mode": "poisonscan", "path": str(changed),
                                   "options": {"embedder": "accurate", "cache_dir": str(cache)}})
            res["rescan"]["changed_records"] = k
            print(label, f"rescan after {k} changed records", rate(res["rescan"]), flush=True)
        rows.append((label, res))
    text = report(rows, distil_s)
    print("\n" + text)
    if a.write_results:
        write_results(text, a.results_title, sys.argv[1:])


def report(rows, distil_s: float) -> str:
    out = [f"Machine: {machine()}.", "",
           "| corpus | local fast | fast encoder alone | Ray local (fast) | BERTopic-style (fast encoder) | "
           "fast vs BERTopic-style | planted bundle F1 |", "|---|---|---|---|---|---|---|"]
    for label, r in rows:
        b = r.get("bertopic")
        f1 = r["fast"].get("planted_f1", "-") if r["planted"] else "-"
        out.append(f"| {label} | {rate(r['fast'])} | {rate(r['fast_encoder'])} | "
                   f"{rate(r['ray']) if 'ray' in r else '-'} | {rate(b) if b else '-'} | "
                   f"{ratio(r['fast'], b) if b else '-'} | {f1} |")
    for label, r in rows:
        pairs = r.get("pairs", [])
        if len(pairs) > 1:
            out += ["", f"{label}, fast and BERTopic-style alternated {len(pairs)} times: "
                        + pair_summary(pairs)]
    if any("accurate" in r for _, r in rows):
        out += ["", "| corpus | local accurate (cold cache) | MiniLM encoder alone | accurate / encoder throughput | "
                "rescan after 1% change | rescan / full scan |", "|---|---|---|---|---|---|"]
    for label, r in rows:
        if "accurate" not in r:
            continue
        acc, enc, re_ = r["accurate"], r["encoder"], r["rescan"]
        thr = "-" if "error" in acc or "error" in enc else f"{enc['seconds'] / acc['seconds']:.2f}"
        share = "-" if "error" in acc or "error" in re_ else f"{re_['seconds'] / acc['seconds']:.1%}"
        out.append(f"| {label} | {rate(acc)} | {rate(enc)} | {thr} | {rate(re_)} "
                   f"({re_.get('embedded', '?')} texts embedded) | {share} |")
    # the accurate path embeds every text, so its records/s hardly depend on size: where it was not run on the
    # same corpus, the cascade is compared with its rate on the largest corpus it ran on (named in the cell)
    accurate_runs = [(label, r["accurate"]) for label, r in rows if "accurate" in r and "error" not in r["accurate"]]
    if any("cascade" in r for _, r in rows):
        out += ["", "| corpus | local cascade (cold cache) | records through the transformer | local fast | "
                "cascade / fast | local accurate (cold cache) | cascade / accurate (records/s) | cascade rescan after "
                "1% change | rescan / full scan | planted bundle F1 (cascade) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for label, r in rows:
        if "cascade" not in r:
            continue
        c, re_ = r["cascade"], r["cascade_rescan"]
        acc_label, acc = (label, r["accurate"]) if "accurate" in r else (accurate_runs[-1] if accurate_runs else
                                                                         (None, None))
        share = "-" if "error" in c or "error" in re_ else f"{re_['seconds'] / c['seconds']:.1%}"
        through = "-" if "error" in c else f"{c.get('transformer', 0):,} ({c.get('transformer', 0) / max(1, c['records']):.1%})"
        speed = "-" if not acc or "error" in c or "error" in acc else \
            f"{(c['records'] / c['seconds']) / (acc['records'] / acc['seconds']):.1f}x"
        where = "" if acc_label in (None, label) else f" (accurate on {acc_label})"
        out.append(f"| {label} | {rate(c)} | {through} | {rate(r['fast'])} | {ratio(c, r['fast'])} | "
                   f"{rate(acc) if acc else '-'}{where} | {speed} | {rate(re_)} | {share} | "
                   f"{c.get('planted_f1', '-') if r['planted'] else '-'} |")
    out += ["", f"The fast embedder's token table is distilled on first use and stored: {distil_s:.0f} s "
                "(including one small scan). BERTopic-style columns include UMAP and HDBSCAN time; "
                "its encoder is the same static model. RSS is each child process's peak (for Ray: the driver)."]
    return "\n".join(out)


def write_results(text: str, title: str = "Throughput", argv: list[str] | None = None,
                  module: str = "throughput") -> None:
    """(Re)write the section ``title`` of RESULTS.md with ``text`` and the command that measured it."""
    path = Path(__file__).with_name("RESULTS.md")
    body = path.read_text(encoding="utf-8")
    marker = f"## {title}\n"
    command = f"python -m benchmarks.{module} " + shlex.join(argv or ["--write-results"])
    section = (f"{marker}\nCommand: `.venv/bin/{command}` "
               f"({time.strftime('%Y-%m-%d')}).\n\n{text}\n\n")
    if marker in body:
        start = body.index(marker)
        nxt = body.find("\n## ", start + len(marker) - 1)
        body = body[:start] + section + (body[nxt + 1:] if nxt >= 0 else "")
    else:
        body = body.rstrip() + "\n\n" + section
    path.write_text(body.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
