"""``poisonscan filter``: split a dataset into clean and quarantined records from a JSON report.

Every input record lands in exactly one output, in input order; JSONL lines are copied byte for byte;
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


def _split_jsonl(src: Path, clean: Path, quarantined: Path, removed: dict) -> tuple[int, int, int]:
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
    return total, kept, moved


def _split_parquet(src: Path, clean: Path, quarantined: Path, removed: dict) -> tuple[int, int, int]:
    import numpy as np
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(src)
    schema = pf.schema_arrow
    row = kept = moved = 0
    with pq.ParquetWriter(clean, schema) as c, pq.ParquetWriter(quarantined, schema) as q:
        for batch in pf.iter_batches(batch_size=4096):
            idx = np.arange(row, row + batch.num_rows)
            mask = np.isin(idx, np.fromiter(removed, dtype=np.int64, count=len(removed)))
            c.write_batch(batch.filter(~mask))
            q.write_batch(batch.filter(mask))
            moved += int(mask.sum())
            kept += int((~mask).sum())
            row += batch.num_rows
    return row, kept, moved


def filter_dataset(input_path: str, report_path: str, min_severity: str, out_dir: str) -> dict:
    src, report_file, out = Path(input_path), Path(report_path), Path(out_dir)
    if not src.is_file():
        raise InputError(f"{input_path}: no such file")
    name = src.name
    ext = next((e for e in (".jsonl.gz", ".jsonl", ".parquet") if name.endswith(e)), None)
    if ext is None:
        raise InputError(f"{input_path}: filter supports .jsonl, .jsonl.gz and .parquet files")
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
        split = _split_parquet if ext == ".parquet" else _split_jsonl
        total, kept, moved = split(src, clean, quarantined, removed)
    unit = "row" if ext == ".parquet" else "line"
    manifest = {
        "input": {"path": str(src), "sha256": sha256(src), "records": total},
        "report": {"path": str(report_file), "sha256": sha256(report_file)},
        "min_severity": min_severity,
        "clean": {"path": str(targets["clean"]), "sha256": sha256(targets["clean"]), "records": kept},
        "quarantined": {"path": str(targets["quarantined"]), "sha256": sha256(targets["quarantined"]),
                        "records": moved},
        "removed": [{unit: where, "findings": removed[where]} for where in sorted(removed) if
                    (where <= total if unit == "line" else where < total)],
    }
    write_atomic(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest
