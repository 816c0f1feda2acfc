"""Per-record features in a second process, one batch at a time, while this process reads, hashes and
embeds the next batch (the local engine's use of a second core).

The worker is a plain child interpreter (``python -m scanner.engine.feature_worker``), so it never
re-imports the caller's script. Batches travel as length-prefixed JSON frames over its stdin and
stdout (nothing is pickled); a thread on each side of the pipe keeps either from blocking the other.
The rows are those of ``rows.process_batch``, so results are identical with or without the worker;
if it cannot start or dies, the batches it held are computed here and the scan goes on.
"""

from __future__ import annotations

import json
import os
import queue
import struct
import subprocess
import sys
import threading
from collections import deque

from ..records import Views
from .rows import Processed, batch_from_json, batch_to_json, process_batch

FRAME = struct.Struct("<Q")
STOP = object()


def _read_frame(stream) -> bytes | None:
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    size = FRAME.unpack(head)[0]
    data = stream.read(size)
    return data if len(data) == size else None


def _write_frame(stream, data: bytes) -> None:
    stream.write(FRAME.pack(len(data)))
    stream.write(data)
    stream.flush()


def serve(packs: bool, stdin=None, stdout=None) -> None:
    """The worker's loop: batches of [system, prompt, answer] in, rows out, until an empty frame."""
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    while True:
        data = _read_frame(stdin)
        if not data:
            return
        views = [Views(*v) for v in json.loads(data)]
        _write_frame(stdout, batch_to_json(process_batch(views, packs)))


def _encode(views: list[Views]) -> bytes:
    return json.dumps([[v.system, v.prompt, v.answer] for v in views]).encode("ascii")   # \\u escapes: any text


class FeatureWorker:
    """A second process for ``process_batch``: ``submit`` batches in order, ``result`` returns them in order."""

    def __init__(self, packs: bool):
        self.packs = packs
        self.waiting: deque[list[Views]] = deque()    # submitted, result not read yet
        self.failed: str | None = None
        self._out: queue.Queue = queue.Queue()
        self._in: queue.Queue = queue.Queue()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "scanner.engine.feature_worker", "1" if packs else "0"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            self.proc = None
            self.failed = f"feature worker not started ({exc}); features computed in this process"
            return
        self._writer = threading.Thread(target=self._write, args=(self.proc,), daemon=True,
                                        name="poisonscan-features-out")
        self._reader = threading.Thread(target=self._read, args=(self.proc,), daemon=True,
                                        name="poisonscan-features-in")
        self._writer.start()
        self._reader.start()

    def _write(self, proc) -> None:
        try:
            while (data := self._out.get()) is not STOP:
                _write_frame(proc.stdin, data)
            _write_frame(proc.stdin, b"")
            proc.stdin.close()
        except (OSError, ValueError):
            pass     # the reader sees the worker gone

    def _read(self, proc) -> None:
        try:
            while (data := _read_frame(proc.stdout)) is not None:
                self._in.put(data)
        except (OSError, ValueError):
            pass
        self._in.put(None)

    def submit(self, views: list[Views]) -> None:
        self.waiting.append(views)
        if self.failed is None:
            self._out.put(_encode(views))

    def pending(self) -> int:
        """Batches submitted whose rows have not come back yet (the worker's backlog)."""
        return 0 if self.failed else len(self.waiting) - self._in.qsize()

    def has_result(self) -> bool:
        """Whether ``result`` would return without waiting (rows arrived, or the worker is gone)."""
        return self.failed is not None or not self._in.empty()

    def result(self) -> list[Processed]:
        views = self.waiting.popleft()
        if self.failed is None:
            data = self._in.get()
            if data is not None:
                try:
                    return batch_from_json(data)
                except (ValueError, KeyError, TypeError) as exc:
                    self._fail(f"sent an unreadable batch ({exc})")
            else:
                self._fail(f"exited with code {self.proc.poll() if self.proc else '?'}")
        return process_batch(views, self.packs)

    def _fail(self, why: str) -> None:
        self.failed = f"feature worker {why}; features computed in this process"
        self.close()

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        self._out.put(STOP)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._writer.join(timeout=5)
        self._reader.join(timeout=5)
        proc.stdout.close()


def worker_wanted() -> bool:
    """A second core to run it on, unless turned off (``POISONSCAN_FEATURE_WORKER=0``). The collector shares
    batches between the worker and this process, so neither waits: 100k generated records read in 22.8 s
    instead of 28.6 s (fast path, same findings; benchmarks/RESULTS.md, *The feature worker, shared*)."""
    return (os.cpu_count() or 1) >= 2 and os.environ.get("POISONSCAN_FEATURE_WORKER", "1") != "0"


def main() -> None:
    """Frames go to the original stdout; anything a library prints goes to stderr instead."""
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.argv[1:2] != ["0"], sys.stdin.buffer, frames)


if __name__ == "__main__":
    main()
