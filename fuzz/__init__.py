"""Fuzzing harness: python fuzz/run.py."""
