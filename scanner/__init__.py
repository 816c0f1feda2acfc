"""poisonscan: find set-level poisoning bundles in LLM finetuning datasets.

Importing this package is cheap: heavy dependencies (torch, faiss, pyarrow)
load inside the functions that need them.
"""

from .version import __version__

__all__ = ["__version__", "scan"]


def scan(paths, **options):
    """Scan files, directories or globs; return a :class:`scanner.result.ScanResult`.

    Keyword options are those of :class:`scanner.options.ScanOptions`.
    """
    from .engine import run
    from .options import ScanOptions

    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    return run([str(p) for p in paths], ScanOptions(**options))
