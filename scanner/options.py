"""Scan options: one typed object shared by the CLI, the config file and the Python API."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ConfigError
from .findings import SEVERITIES
from .readers.schemas import SCHEMAS

EMBEDDERS = ("accurate", "fast", "cascade")
ENGINES = ("local", "ray")


@dataclass
class ScanOptions:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "medium"               # a severity, or "never"
    schema: str | None = None
    text_field: str | None = None
    split: str | None = None              # the split of Hugging Face datasets (save_to_disk folders, hf://)
    strict: bool = False
    engine: str = "local"                 # "local" (this process) or "ray" (Ray Data, local or a cluster)
    ray_address: str | None = None        # an existing Ray cluster (e.g. "ray://head:10001", "auto")
    ray_actors: int | None = None         # embedding actors (default: half the cluster's CPUs)
    embedder: str = "accurate"            # "accurate" (the transformer), "fast" (distilled static vectors) or
                                          # "cascade" (static for every record, the transformer on demand)
    model: str | None = None              # None: the bundled all-MiniLM-L6-v2
    precision: str = "auto"
    batch_size: int = 1                   # texts per transformer pass (1: one pass per text, see embed/sentence_transformers)
    cache_dir: str | None = None
    no_cache: bool = False
    allow_download: bool = False
    plugins: list[str] = field(default_factory=list)
    per_path_ignores: dict = field(default_factory=dict)   # glob -> rule codes / prefixes / slugs
    baseline: str | None = None           # a baseline file: its accepted findings are not reported
    rule_options: dict = field(default_factory=dict)
    packs: bool = True                    # knowledge packs (renamed places, former countries, ...)
    classifier: bool = True               # the trained bundle model adjusts scores and severities
    collect_features: bool = False        # keep bundle features on findings (training)
    projection: bool = False              # compute the 2D map (the HTML report asks for it)
    redact: bool = False                  # shorten quoted record text in reports
    show: str = "info"                    # lowest severity text/concise reports list ("fail-on": the fail-on level)
    judge: dict = field(default_factory=dict)   # [tool.poisonscan.judge] / --judge URL: see judge/settings.py
    keep_suppressed: bool = False         # keep suppressed findings on the result (SARIF --include-suppressed)
    max_record_bytes: int = 1 << 20
    examples: int = 3
    max_skips_listed: int = 10_000

    def __post_init__(self) -> None:
        if self.fail_on not in SEVERITIES + ("never",):
            raise ConfigError(f"fail-on must be one of {', '.join(SEVERITIES)}, never (got '{self.fail_on}')")
        from .judge.settings import JudgeSettings

        JudgeSettings.from_dict(self.judge)  # a bad judge setting fails before any work
        if self.show not in SEVERITIES + ("fail-on",):
            raise ConfigError(f"show must be one of {', '.join(SEVERITIES)}, fail-on (got '{self.show}')")
        if self.schema is not None and self.schema not in SCHEMAS:
            raise ConfigError(f"schema must be one of {', '.join(SCHEMAS)} (got '{self.schema}')")
        if self.precision not in ("auto", "fp32", "bf16"):
            raise ConfigError(f"precision must be auto, fp32 or bf16 (got '{self.precision}')")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be {' or '.join(ENGINES)} (got '{self.engine}')")
        if self.ray_actors is not None and self.ray_actors < 1:
            raise ConfigError("ray-actors must be at least 1")
        if self.embedder not in EMBEDDERS:
            raise ConfigError(f"embedder must be one of {', '.join(EMBEDDERS)} (got '{self.embedder}')")
        if self.batch_size < 1:
            raise ConfigError("batch-size must be at least 1")
