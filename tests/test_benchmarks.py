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
