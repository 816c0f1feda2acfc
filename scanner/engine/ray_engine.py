"""The Ray Data engine: the streaming pass spread over a Ray cluster, the whole-dataset steps on the driver.

    files --(read tasks: parse, normalise, hash)--> records
          --(feature tasks: per-record signals, marker candidates, code)--> records
          --(embedding actors: one model each, the embedding cache)--> compact rows (no texts)
          --> driver: order by (file, position), float16 matrices, then ``finish_scan``

The driver receives only compact rows (hashes, locators, features, two float16 vectors per
record), so its memory is that of the local engine's compact state. Every step runs the
local engine's own code on the same inputs, so findings are identical.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from ..embed.cache import EmbeddingCache, default_cache_dir
from ..embed.stage import VIEWS, embed_texts
from ..embed.store import RowFile
from ..errors import ConfigError, InputError
from ..features.bandit_scan import run_bandit
from ..features.extract import RecordFeatures, extract
from ..features.markers import candidates
from ..options import ScanOptions
from ..readers import ReadOptions, expand_paths, read_source
from ..records import Locator, Skip, Views
from ..result import ScanResult
from .local import CompactState, Progress, _embedder, _rules, finish_scan

BATCH = 512
BLOCK = 4096


# -- stages (run inside Ray workers) ---------------------------------------------------------------
def _read_file(item: dict) -> list[dict]:
    """All records and skips of one file, in file order, as plain rows."""
    from ..readers import Source

    src = Source(item["path"], item["display"])
    opts = ReadOptions(**json.loads(item["read_opts"]))
    rows = []
    for seq, rec in enumerate(read_source(src, opts)):
        loc = rec.locator
        row = {"src": item["src"], "seq": seq, "path": loc.path, "line": loc.line, "row": loc.row,
               "skip": "", "hash": "", "system": "", "prompt": "", "answer": ""}
        if isinstance(rec, Skip):
            row["skip"] = rec.reason
        else:
            row.update(hash=rec.content_hash, system=rec.views.system, prompt=rec.views.prompt,
                       answer=rec.views.answer)
        rows.append(row)
    return rows


def _features(batch: dict, packs: bool) -> dict:
    feats, marks, codes = [], [], []
    for i in range(len(batch["src"])):
        if batch["skip"][i]:
            feats.append("")
            marks.append("[]")
            codes.append("")
            continue
        views = Views(batch["system"][i], batch["prompt"][i], batch["answer"][i])
        f, code = extract(views, packs)
        feats.append(json.dumps(dataclasses.asdict(f)))
        marks.append(json.dumps(candidates(views)))
        codes.append(code or "")
    return {**batch, "features": np.array(feats, dtype=object), "markers": np.array(marks, dtype=object),
            "code": np.array(codes, dtype=object)}


class _EmbedActor:
    """One embedding model per actor; reads and writes the embedding cache of its node."""

    def __init__(self, opts_json: str):
        self.opts = ScanOptions(**json.loads(opts_json))
        self.embedder = _embedder(self.opts)
        self.cache = None if self.opts.no_cache or not getattr(self.embedder, "cacheable", True) else \
            EmbeddingCache(self.opts.cache_dir or default_cache_dir(), lambda msg: None)

    def __call__(self, batch: dict) -> dict:
        out = {k: batch[k] for k in ("src", "seq", "path", "line", "row", "skip", "hash", "features", "markers",
                                     "code")}
        live = [i for i in range(len(batch["src"])) if not batch["skip"][i]]
        embedded = cached = 0
        for view in VIEWS:
            texts = batch[view]
            present = [i for i in live if str(texts[i]).strip()]
            vectors, e, c = embed_texts(self.embedder, self.cache, [str(texts[i]) for i in present])
            embedded, cached = embedded + e, cached + c
            col = [b""] * len(batch["src"])
            for i, vec in zip(present, vectors):
                col[i] = vec.tobytes()
            out[f"{view}_vec"] = np.array(col, dtype=object)
        out["embedded"] = np.full(len(batch["src"]), 0, dtype=np.int64)
        out["cached"] = np.full(len(batch["src"]), 0, dtype=np.int64)
        if len(batch["src"]):
            out["embedded"][0], out["cached"][0] = embedded, cached
        return out


# -- driver --------------------------------------------------------------------------------------------
def _start_ray(address: str | None):
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("--engine ray needs Ray Data: pip install 'poisonscan[ray]'") from exc
    started_here = False
    if not ray.is_initialized():
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # its notes go to the session's log files
        kwargs = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                      configure_logging=True)
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=os.cpu_count() or 1, **kwargs)
        started_here = True
    from ray.data import DataContext

    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = True
    return ray, started_here


def run_scan_ray(paths: list[str], opts: ScanOptions, address: str | None = None, actors: int | None = None,
                 progress: Progress | None = None) -> ScanResult:
    started = time.perf_counter()
    rules = _rules(opts)
    sources = expand_paths(paths)
    read_opts = ReadOptions(opts.schema, opts.text_field, opts.max_record_bytes)
    ray, started_here = _start_ray(address)
    try:
        rows = _collect(ray, sources, read_opts, opts, actors)
    finally:
        if started_here:
            ray.shutdown()
    work = Path(tempfile.mkdtemp(prefix="poisonscan-"))
    try:
        state = _compact_state(rows, work, opts, progress)
        if not state.hashes:
            first = f"; first problem: {state.skips[0]}" if state.skips else ""
            raise InputError(f"no readable record in {', '.join(paths)} ({state.skipped} skipped{first})")
        return finish_scan(state, sources, read_opts, opts, rules, [], started)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _collect(ray, sources, read_opts: ReadOptions, opts: ScanOptions, actors: int | None) -> list[dict]:
    items = [{"src": i, "path": s.path, "display": s.display, "read_opts": json.dumps(dataclasses.asdict(read_opts))}
             for i, s in enumerate(sources)]
    if not items:
        return []
    opts_json = json.dumps(dataclasses.asdict(opts))
    pool = actors or max(1, int(ray.available_resources().get("CPU", 1)) // 2 or 1)
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    ds = ds.flat_map(_read_file)
    ds = ds.map_batches(_features, fn_kwargs={"packs": opts.packs}, batch_size=BATCH, batch_format="numpy")
    ds = ds.map_batches(_EmbedActor, fn_constructor_args=(opts_json,), batch_size=BATCH, batch_format="numpy",
                        compute=ray.data.ActorPoolStrategy(size=pool))
    rows: list[dict] = []
    for batch in ds.iter_batches(batch_size=4096, batch_format="numpy"):
        n = len(batch["src"])
        rows.extend({k: batch[k][i] for k in batch} for i in range(n))
    return rows


def _compact_state(rows: list[dict], work: Path, opts: ScanOptions, progress: Progress | None) -> CompactState:
    rows.sort(key=lambda r: (int(r["src"]), int(r["seq"])))
    hashes, origin, locators, features, skips = [], [], [], [], []
    skipped = embedded = cached = 0
    markers: dict[str, list[int]] = {}
    files = {v: RowFile(work / f"{v}.f16") for v in VIEWS}
    present = {v: bytearray() for v in VIEWS}
    (work / "code").mkdir()
    ordinal: dict[int, int] = {}
    pending: dict[str, list] = {v: [] for v in VIEWS}
    dim = None
    for r in rows:
        embedded += int(r["embedded"])
        cached += int(r["cached"])
        loc = Locator(str(r["path"]), _int(r["line"]), _int(r["row"]))
        if r["skip"]:
            if opts.strict:
                raise InputError(f"{Skip(loc, str(r['skip']))} (--strict)")
            skipped += 1
            if len(skips) < opts.max_skips_listed:
                skips.append(Skip(loc, str(r["skip"])))
            continue
        index = len(hashes)
        src = int(r["src"])
        origin.append((src, ordinal.get(src, 0)))
        ordinal[src] = ordinal.get(src, 0) + 1
        hashes.append(str(r["hash"]))
        locators.append(loc)
        f = json.loads(r["features"])
        f["era_terms"] = tuple(f["era_terms"])
        features.append(RecordFeatures(**f))
        for key in json.loads(r["markers"]):
            markers.setdefault(key, []).append(index)
        if r["code"]:
            (work / "code" / f"{index}.py").write_text(str(r["code"]), encoding="utf-8", errors="replace")
        for view in VIEWS:
            blob = r[f"{view}_vec"]
            present[view].append(1 if blob else 0)
            vec = np.frombuffer(blob, dtype=np.float16) if blob else None
            dim = dim or (len(vec) if vec is not None else None)
            pending[view].append(vec)
        if len(pending[VIEWS[0]]) >= BLOCK:
            dim = _flush(files, pending, dim)
        if progress and index % BLOCK == 0:
            progress(BLOCK)
    dim = _flush(files, pending, dim)
    n = len(hashes)
    vectors = {v: files[v].finish(n, dim or 384) for v in VIEWS}
    vectors["present_prompt"] = np.frombuffer(bytes(present["prompt"]), dtype=np.uint8).astype(bool)
    vectors["present_answer"] = np.frombuffer(bytes(present["answer"]), dtype=np.uint8).astype(bool)
    code_issues = run_bandit(work / "code")
    return CompactState(hashes, origin, locators, features, {k: v for k, v in markers.items() if len(v) >= 2},
                        code_issues, vectors, skips, skipped, embedded, cached)


def _flush(files: dict, pending: dict, dim: int | None) -> int | None:
    """Append the pending rows of each view as one block (zeros where a view is absent)."""
    for view, vecs in pending.items():
        if not vecs:
            continue
        if dim is None:
            files[view].append(None, len(vecs))
        else:
            block = np.zeros((len(vecs), dim), dtype=np.float16)
            for i, vec in enumerate(vecs):
                if vec is not None:
                    block[i] = vec
            files[view].append(block, len(vecs))
        vecs.clear()
    return dim


def _int(value) -> int | None:
    if value is None:
        return None
    try:
        if np.isnan(value):
            return None
    except TypeError:
        pass
    return int(value)


__all__ = ["run_scan_ray"]
