"""Engines: ``local`` (one process, a background embedding thread) and ``ray`` (Ray Data)."""

from __future__ import annotations


def run(paths: list[str], opts, progress=None):
    """Scan with the engine the options name; both return the same ScanResult for the same data."""
    if opts.engine == "ray":
        from .ray_engine import run_scan_ray

        return run_scan_ray(paths, opts, address=opts.ray_address, actors=opts.ray_actors, progress=progress)
    from .local import run_scan

    return run_scan(paths, opts, progress=progress)
