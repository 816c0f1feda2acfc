"""Progress per scan stage on stderr: a live bar per stage on a terminal, or one line per finished stage
(``--progress`` in logs), each with its count and rate. Engines call ``progress(n)`` as work gets done and
``progress.stage(name, total, unit)`` when a new stage starts; a plain callable works too (no stages)."""

from __future__ import annotations

import sys
import time


def begin_stage(progress, name: str, total: int | None = None, unit: str = "rec") -> None:
    """Start a stage on a progress object that knows stages; plain callables are left alone."""
    stage = getattr(progress, "stage", None)
    if stage is not None:
        stage(name, total, unit)


class StageProgress:
    def __init__(self, stream=None, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.name: str | None = None
        self.unit, self.total, self.count, self.started = "rec", None, 0, 0.0
        self.bar = None

    def __call__(self, n: int) -> None:
        if self.name is None:
            self.stage("read+embed")
        self.count += n
        if self.bar is not None:
            self.bar.update(n)

    def stage(self, name: str, total: int | None = None, unit: str = "rec") -> None:
        self._end()
        self.name, self.total, self.unit, self.count, self.started = name, total, unit, 0, time.perf_counter()
        if self.live:
            from tqdm import tqdm

            self.bar = tqdm(desc=name, total=total, unit=unit, file=self.stream, dynamic_ncols=True, leave=False)

    def _end(self) -> None:
        if self.name is None:
            return
        seconds = time.perf_counter() - self.started
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        rate = f" ({self.count / seconds:,.0f} records/s)" if seconds > 0 and self.count and self.unit == "rec" else ""
        noun = {"rec": "records", "rule": "rules"}.get(self.unit, self.unit)
        counted = f": {self.count:,} {noun}" if self.count else ""
        print(f"poisonscan: {self.name}{counted} in {seconds:.1f} s{rate}", file=self.stream, flush=True)
        self.name = None

    def close(self) -> None:
        self._end()
