"""Cheap per-record signals computed while records stream by."""
