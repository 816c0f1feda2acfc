"""Executors that run the scan pipeline (local by default)."""
