"""The benchmark scripts' own reporting (their measurements run in benchmarks/, not here)."""

from __future__ import annotations


def test_throughput_pairs_report_each_ratio_and_their_median():
    """``benchmarks.throughput --pairs``: each alternated (fast, BERTopic-style) pair's ratio, failed pairs
    named and left out of the median."""
    from benchmarks.throughput import pair_summary

    text = pair_summary([({"seconds": 40.0}, {"seconds": 120.0}), ({"error": "timeout"}, {"seconds": 110.0}),
                         ({"seconds": 50.0}, {"seconds": 100.0}), ({"seconds": 20.0}, {"seconds": 110.0})])
    assert text == ("40.0 s vs 120.0 s (3.00x); error; 50.0 s vs 100.0 s (2.00x); 20.0 s vs 110.0 s (5.50x); "
                    "median 3.00x.")
    assert pair_summary([({"error": "x"}, {"error": "y"})]).endswith("median -.")


def test_recorded_grid_verdicts_are_read_back_and_compared_as_the_grid_compares_them():
    """``benchmarks.embedders --grid --embedders cascade`` compares a path with the accurate verdicts recorded in
    RESULTS.md: every recorded cell must read back, and agreement follows ``grid_agrees``."""
    from benchmarks.embedders import _grid_cell, parse_grid_cell, recorded_grid, recorded_grid_table

    recorded = recorded_grid()
    assert len(recorded) >= 60 and all(parse_grid_cell(v) for v in recorded.values())
    assert parse_grid_cell("PC201 medium (0.84); PC102 medium (1.00)")["groups"][2] == \
        {"rule": "PC102", "severity": "medium", "f1": 1.0}
    near = {"groups": {"poison": {"rule": "PC101", "severity": "high", "f1": 0.97}}, "transformer": 5, "records": 10}
    off = {"groups": {"poison": {"rule": "PC101", "severity": "medium", "f1": 1.0}}, "transformer": 5, "records": 10}
    quiet = {"groups": {"negative": {"quiet": True, "loud": []}}, "transformer": 5, "records": 10}
    table = recorded_grid_table({"a": {"cascade": near}, "b": {"cascade": off}, "c": {"cascade": quiet},
                                 "d": {"cascade": near}},
                                ["cascade"], {"a": "PC101 high (1.00)", "b": "PC101 high (1.00)", "c": "quiet"})
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines() if line.startswith("| ")}
    assert "| yes |" in rows["a"] and "| NO |" in rows["b"] and "| yes |" in rows["c"]
    assert "not recorded" in rows["d"] and "| NO |" in rows["d"]      # nothing to agree with
    assert _grid_cell(near) in rows["a"] and table.endswith("cascade 2/4.")
