"""Work split over Python threads while torch runs each operation on the calling thread only.

Used where many small torch operations (one transformer pass per text, one matrix product per inverted list)
gain more from one thread each per core than from torch's own threads inside each operation, and where a
fixed thread count per operation keeps bf16 results independent of how the work was split."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence


def on_threads(run: Callable[[object], None], parts: Sequence) -> None:
    """``run(part)`` for each part on a thread of its own, torch set to one thread meanwhile (then restored).
    The first error a thread raised is raised here."""
    import torch

    errors: list[BaseException] = []

    def guarded(part) -> None:
        try:
            run(part)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
            errors.append(exc)

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        workers = [threading.Thread(target=guarded, args=(part,)) for part in parts]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        torch.set_num_threads(before)
    if errors:
        raise errors[0]
