"""Re-read chosen records from disk, once per scan and only the files that hold them: the text rules asked to
quote (``Finding.quote``) and the report examples."""

from __future__ import annotations

from collections import defaultdict

from ..readers import ReadOptions, Source, read_source
from ..findings import fill_quotes
from ..records import Record, Views
from ..textutil import REDACTED, clip


class RecordFetcher:
    """Maps record indices back to (file, ordinal) and re-reads their views on demand."""

    def __init__(self, sources: list[Source], origin: list[tuple[int, int]], read_opts: ReadOptions):
        self.sources, self.origin, self.read_opts = sources, origin, read_opts

    def __call__(self, indices) -> dict[int, Views]:
        wanted: dict[int, dict[int, int]] = defaultdict(dict)  # source -> ordinal -> record index
        for i in indices:
            src, ordinal = self.origin[int(i)]
            wanted[src][ordinal] = int(i)
        out: dict[int, Views] = {}
        for src_id, ordinals in sorted(wanted.items()):
            last = max(ordinals)
            ordinal = -1
            for item in read_source(self.sources[src_id], self.read_opts):
                if not isinstance(item, Record):
                    continue
                ordinal += 1
                if ordinal in ordinals:
                    out[ordinals[ordinal]] = item.views
                if ordinal >= last:
                    break
        return out


def quote_and_attach(findings, fetch: RecordFetcher | None, per_finding: int) -> None:
    """One pass over the files: every record a rule asked to quote and the first ``per_finding`` members of each
    finding (its examples) are read together, then the rules' quotes are filled and the examples attached."""
    wanted = {i for f in findings for records, _ in f.quotes for i in records}
    wanted |= {i for f in findings for i in f.members[:per_finding]}
    views = fetch(wanted) if fetch is not None and wanted else {}
    fill_quotes(findings, views)
    for f in findings:
        f.examples = [{"record": i, "prompt": clip(views[i].prompt), "answer": clip(views[i].answer)}
                      for i in f.members[:per_finding] if i in views]




def _redact(value):
    if isinstance(value, str):
        return clip(value, REDACTED)
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    return value


def redact_findings(findings) -> None:
    """--redact: quoted record text (examples, attribute lists, mappings) shortened to a few words."""
    for f in findings:
        f.examples = [{**e, "prompt": clip(e["prompt"], REDACTED), "answer": clip(e["answer"], REDACTED)}
                      for e in f.examples]
        for key in ("attributes", "examples_by_key", "mapping_examples", "template", "templates"):
            if key in f.evidence:
                f.evidence[key] = _redact(f.evidence[key])
