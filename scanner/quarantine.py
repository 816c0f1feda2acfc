"""``poisonscan filter``: split a dataset into clean and quarantined records from a JSON report.

Every input record lands in exactly one output, in input order; JSONL lines and CSV/TSV records (every
line of a record, the header row in both outputs) are copied byte for byte; parquet and Arrow rows keep
their schema;
outputs are written to temporary files and renamed into place; the input is never overwritten. A
manifest records counts, sha256 of input, report and outputs, and which finding removed each record.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict
from pathlib import Path

from .errors import InputError
from .fileutil import replacing, sha256_file as sha256, write_atomic
from .findings import SEVERITIES, severity_rank


def _same_file(a: str, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def removals(report: dict, input_path: Path, min_severity: str) -> dict[int, list[dict]]:
    """Line (JSONL, 1-based) or row (parquet, 0-based) -> the findings that remove it."""
    out: dict[int, list[dict]] = defaultdict(list)
    for f in report.get("findings", []):
        if f.get("severity") not in SEVERITIES or severity_rank(f["severity"]) < severity_rank(min_severity):
            continue
        for rec in f.get("records", []):
            if _same_file(rec.get("path", ""), input_path):
                where = rec["line"] if "line" in rec else rec.get("row")
                if isinstance(where, int):
                    out[where].append({"rule": f["rule"], "severity": f["severity"],
                                       "fingerprint": f.get("fingerprint", "")})
    return dict(out)


def _open_out(path: Path, gz: bool):
    return gzip.open(path, "wb") if gz else open(path, "wb")


def _split_jsonl(src: Path, clean: Path, quarantined: Path, removed: dict) -> tuple[int, int, int, set]:
    gz = src.name.endswith(".gz")
    total = kept = moved = 0
    with (gzip.open(src, "rb") if gz else open(src, "rb")) as fh, _open_out(clean, gz) as c, \
            _open_out(quarantined, gz) as q:
        for lineno, line in enumerate(fh, 1):
            total += 1
            if lineno in removed:
                q.write(line)
                moved += 1
            else:
                c.write(line)
                kept += 1
    return total, kept, moved, {n for n in removed if n <= total}


def _split_csv(src: Path, clean: Path, quarantined: Path, removed: dict) -> tuple[int, int, int, set]:
    """Records located as the scan locates them (``readers.csvfile.walk_csv``: the line each starts on); each
    record's lines are copied as read. The header row goes to both outputs; blank lines and rows the scan
    skips as malformed stay in the clean output; a damaged gzip stream is a located error."""
    import csv
    import io

    from .readers.csvfile import delimiter_for, walk_csv

    gz = src.name.endswith(".gz")
    csv.field_size_limit(max(1 << 30, csv.field_size_limit()))
    consumed: list[str] = []
    kept = moved = 0
    placed: set = set()
    with (gzip.open(src, "rb") if gz else open(src, "rb")) as raw, _open_out(clean, gz) as c, \
            _open_out(quarantined, gz) as q:
        bom = raw.read(3)
        if bom != b"\xef\xbb\xbf":
            raw.seek(0)
        else:
            c.write(bom)
            q.write(bom)
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")

        def lines():
            for ln in text:
                consumed.append(ln)
                yield ln

        def take() -> bytes:
            chunk = "".join(consumed).encode("utf-8", "surrogateescape")
            consumed.clear()
            return chunk

        for kind, start, value in walk_csv(lines(), delimiter_for(src.name)):
            if kind == "damaged":
                raise InputError(f"{src}:{start}: gzip stream is damaged or ends early ({value.__class__.__name__})")
            chunk = take()
            if kind == "record" and start in removed:
                q.write(chunk)
                placed.add(start)
                moved += 1
                continue
            c.write(chunk)
            if kind == "header":
                q.write(chunk)
            elif kind == "record":
                kept += 1
        c.write(take())
    return kept + moved, kept, moved, placed


def _split_parquet(src: Path, clean: Path, quarantined: Path, removed: dict) -> tuple[int, int, int, set]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(src)
    with pq.ParquetWriter(clean, pf.schema_arrow) as c, pq.ParquetWriter(quarantined, pf.schema_arrow) as q:
        return _split_batches(pf.iter_batches(batch_size=4096), c, q, removed)


def _split_arrow(src: Path, clean: Path, quarantined: Path, removed: dict) -> tuple[int, int, int, set]:
    """An Arrow file in, Arrow IPC streams out (the format Hugging Face datasets write)."""
    import pyarrow as pa

    from .readers.arrow import arrow_reader

    try:
        schema, batches = arrow_reader(str(src))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{src}: not a readable Arrow file ({exc})") from exc
    with pa.ipc.new_stream(str(clean), schema) as c, pa.ipc.new_stream(str(quarantined), schema) as q:
        return _split_batches(batches, c, q, removed)


def _split_batches(batches, c, q, removed: dict) -> tuple[int, int, int, set]:
    import numpy as np

    wanted = np.fromiter(removed, dtype=np.int64, count=len(removed))
    row = kept = moved = 0
    for batch in batches:
        mask = np.isin(np.arange(row, row + batch.num_rows), wanted)
        c.write_batch(batch.filter(~mask))
        q.write_batch(batch.filter(mask))
        moved += int(mask.sum())
        kept += int((~mask).sum())
        row += batch.num_rows
    return row, kept, moved, {r for r in removed if r < row}


SPLITTERS = {".jsonl.gz": _split_jsonl, ".jsonl": _split_jsonl, ".csv.gz": _split_csv, ".csv": _split_csv,
             ".tsv.gz": _split_csv, ".tsv": _split_csv, ".parquet": _split_parquet, ".arrow": _split_arrow}


def filter_dataset(input_path: str, report_path: str, min_severity: str, out_dir: str) -> dict:
    src, report_file, out = Path(input_path), Path(report_path), Path(out_dir)
    if not src.is_file():
        raise InputError(f"{input_path}: no such file")
    name = src.name
    ext = next((e for e in SPLITTERS if name.endswith(e)), None)
    if ext is None:
        raise InputError(f"{input_path}: filter supports {', '.join(SPLITTERS)} files")
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{report_path}: not a readable poisonscan JSON report ({exc})") from exc
    if not isinstance(report, dict) or report.get("tool", {}).get("name") != "poisonscan":
        raise InputError(f"{report_path}: not a poisonscan JSON report (use scan --format json)")
    out.mkdir(parents=True, exist_ok=True)
    targets = {"clean": out / f"clean{ext}", "quarantined": out / f"quarantined{ext}"}
    for path in targets.values():
        if _same_file(str(path), src):
            raise InputError(f"{path}: refusing to overwrite the input")
    removed = removals(report, src, min_severity)
    with replacing(targets["clean"]) as clean, replacing(targets["quarantined"]) as quarantined:
        total, kept, moved, placed = SPLITTERS[ext](src, clean, quarantined, removed)
    unit = "row" if ext in (".parquet", ".arrow") else "line"
    manifest = {
        "input": {"path": str(src), "sha256": sha256(src), "records": total},
        "report": {"path": str(report_file), "sha256": sha256(report_file)},
        "min_severity": min_severity,
        "clean": {"path": str(targets["clean"]), "sha256": sha256(targets["clean"]), "records": kept},
        "quarantined": {"path": str(targets["quarantined"]), "sha256": sha256(targets["quarantined"]),
                        "records": moved},
        "removed": [{unit: where, "findings": removed[where]} for where in sorted(placed)],
    }
    write_atomic(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest
