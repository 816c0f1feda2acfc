"""The Ray Data engine: the streaming pass spread over a Ray cluster, the whole-dataset steps on the driver.

    files --(read tasks: parse, normalise, hash)--> records
          --(feature tasks: per-record signals, prompt tokens, code)--> records
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
from ..embed.stage import CACHED, EMBEDDED, VIEWS, embed_texts_traced
from ..embed.store import RowFile
from ..errors import ConfigError
from ..options import ScanOptions
from ..readers import ReadOptions, expand_paths, read_source
from ..records import Locator, Skip, Views
from ..result import ScanResult
from .collect import CompactState, Collector, Progress
from .rows import Processed, process_batch
from .local import finish_scan, make_embedder, make_rules
from ..progress import begin_stage

BATCH = 512
BLOCK = 4096


# -- stages (run inside Ray workers) ---------------------------------------------------------------
def _read_file(item: dict) -> list[dict]:
    """All records and skips of one file, in file order, as plain rows."""
    from ..readers import Source

    src = Source(**item["source"])
    opts = ReadOptions(**json.loads(item["read_opts"]))
    rows = []
    for seq, rec in enumerate(read_source(src, opts)):
        loc = rec.locator
        row = {"src": item["src"], "seq": seq, "path": loc.path, "line": loc.line, "row": loc.row,
               "split": loc.split or "",
               "skip": "", "hash": "", "system": "", "prompt": "", "answer": ""}
        if isinstance(rec, Skip):
            row["skip"] = rec.reason
        else:
            row.update(hash=rec.content_hash, system=rec.views.system, prompt=rec.views.prompt,
                       answer=rec.views.answer)
        rows.append(row)
    return rows


def _features(batch: dict, packs: bool) -> dict:
    """The shared per-record step (``rows.process_batch``) on a batch of rows; skipped rows stay empty."""
    cols: dict[str, list] = {"features": [], "tokens": [], "code": []}
    keep = [i for i in range(len(batch["src"])) if not batch["skip"][i]]
    rows = iter(process_batch([Views(batch["system"][i], batch["prompt"][i], batch["answer"][i]) for i in keep], packs))
    for i in range(len(batch["src"])):
        row = {"features": "", "tokens": "{}", "code": ""} if batch["skip"][i] else next(rows).to_row()
        for k in cols:
            cols[k].append(row[k])
    return {**batch, **{k: np.array(v, dtype=object) for k, v in cols.items()}}


class _EmbedActor:
    """One embedding model per actor; reads and writes the embedding cache of its node."""

    def __init__(self, opts_json: str):
        self.opts = ScanOptions(**json.loads(opts_json))
        self.embedder = make_embedder(self.opts)
        self.cache = None if self.opts.no_cache or not getattr(self.embedder, "cacheable", True) else \
            EmbeddingCache(self.opts.cache_dir or default_cache_dir(), lambda msg: None)

    def __call__(self, batch: dict) -> dict:
        out = {k: batch[k] for k in ("src", "seq", "path", "line", "row", "split", "skip", "hash", "features", "tokens",
                                     "code")}
        live = [i for i in range(len(batch["src"])) if not batch["skip"][i]]
        # per row: how many of its views were embedded here and how many came from the cache (summed by the driver)
        embedded = np.zeros(len(batch["src"]), dtype=np.int64)
        cached = np.zeros(len(batch["src"]), dtype=np.int64)
        for view in VIEWS:
            texts = batch[view]
            present = [i for i in live if str(texts[i]).strip()]
            vectors, origin = embed_texts_traced(self.embedder, self.cache, [str(texts[i]) for i in present])
            col = [b""] * len(batch["src"])
            for i, vec, o in zip(present, vectors, origin.tolist()):
                col[i] = vec.tobytes()
                embedded[i] += o == EMBEDDED
                cached[i] += o == CACHED
            out[f"{view}_vec"] = np.array(col, dtype=object)
        out["embedded"], out["cached"] = embedded, cached
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
    rules = make_rules(opts)
    sources = expand_paths(paths, opts.split, opts.allow_download)
    read_opts = ReadOptions(opts.schema, opts.text_field, opts.max_record_bytes)
    ray, started_here = _start_ray(address)
    begin_stage(progress, "read+embed")
    try:
        cols = _collect(ray, sources, read_opts, opts, actors)
    finally:
        if started_here:
            ray.shutdown()
    work = Path(tempfile.mkdtemp(prefix="poisonscan-"))
    try:
        state = _compact_state(cols, work, opts, paths, progress)
        return finish_scan(state, sources, read_opts, opts, rules, [], started, progress=progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _collect(ray, sources, read_opts: ReadOptions, opts: ScanOptions, actors: int | None) -> dict:
    """Columns of every row, in arrival order; vectors as (rows, dim) float16 blocks (zeros where absent)."""
    items = [{"src": i, "source": s.as_dict(), "read_opts": json.dumps(dataclasses.asdict(read_opts))}
             for i, s in enumerate(sources)]
    if not items:
        return {}
    opts_json = json.dumps(dataclasses.asdict(opts))
    pool = actors or max(1, int(ray.available_resources().get("CPU", 1)) // 2 or 1)
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    ds = ds.flat_map(_read_file)
    ds = ds.map_batches(_features, fn_kwargs={"packs": opts.packs}, batch_size=BATCH, batch_format="numpy")
    ds = ds.map_batches(_EmbedActor, fn_constructor_args=(opts_json,), batch_size=BATCH, batch_format="numpy",
                        compute=ray.data.ActorPoolStrategy(size=pool))
    parts: dict[str, list] = {}
    for batch in ds.iter_batches(batch_size=4096, batch_format="numpy"):
        for view in VIEWS:
            blobs = batch.pop(f"{view}_vec")
            parts.setdefault(f"{view}_present", []).append(np.array([bool(b) for b in blobs]))
            parts.setdefault(f"{view}_vec", []).append(_stack(blobs))
        for key, col in batch.items():
            parts.setdefault(key, []).append(col)
    dim = max((p.shape[1] for p in parts.get("prompt_vec", []) + parts.get("answer_vec", [])), default=0)
    for view in VIEWS:  # blocks without any vector have width 0: widen them
        parts[f"{view}_vec"] = [p if p.shape[1] == dim else np.zeros((p.shape[0], dim), dtype=np.float16)
                                for p in parts[f"{view}_vec"]]
    return {k: np.concatenate(v) for k, v in parts.items()}


def _stack(blobs) -> np.ndarray:
    width = next((len(b) // 2 for b in blobs if b), 0)
    out = np.zeros((len(blobs), width), dtype=np.float16)
    for i, b in enumerate(blobs):
        if b:
            out[i] = np.frombuffer(b, dtype=np.float16)
    return out


def _compact_state(cols: dict, work: Path, opts: ScanOptions, paths: list[str],
                   progress: Progress | None) -> CompactState:
    """Rows in (file, position) order through the local engine's collector, then the float16 matrices."""
    (work / "code").mkdir()
    collector = Collector(opts, work / "code")
    order = np.lexsort((cols["seq"], cols["src"])) if cols else np.zeros(0, dtype=np.int64)
    kept = []
    for r in order:
        loc = Locator(str(cols["path"][r]), _int(cols["line"][r]), _int(cols["row"][r]), str(cols["split"][r]) or None)
        if cols["skip"][r]:
            collector.skip(Skip(loc, str(cols["skip"][r])))
            continue
        row = Processed.from_row({k: str(cols[k][r]) for k in ("features", "tokens", "code")})
        index = collector.record(int(cols["src"][r]), str(cols["hash"][r]), loc, row)
        kept.append(r)
        if progress and index % BLOCK == 0:
            progress(BLOCK)
    collector.require_records(paths)
    kept = np.asarray(kept, dtype=np.int64)
    n = len(kept)
    vectors = {}
    for view in VIEWS:
        file = RowFile(work / f"{view}.f16")
        mat = cols[f"{view}_vec"]
        for start in range(0, n, BLOCK):
            rows = kept[start:start + BLOCK]
            file.append(mat[rows] if mat.shape[1] else None, len(rows))
        vectors[view] = file.finish(n, mat.shape[1] or 384)
        vectors[f"present_{view}"] = cols[f"{view}_present"][kept]
    return collector.state(vectors, int(cols["embedded"].sum()), int(cols["cached"].sum()))


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
