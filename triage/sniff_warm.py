"""Imported by the hashing workers' forkserver (:data:`triage.hashing.pool.WORKER_PRELOAD`):
the first typing tier, its data check's clauses compiled, before any worker is forked.

The forkserver starts while the scan process still imports the rest of triage, on the core
that leaves free, so what it does here is done once and early; every worker forked from it
then finds the clauses compiled (each would otherwise compile the ~300 a disk needs).
"""

from triage import sniff, sniff_data

sniff_data.compile_clauses()

__all__ = ["sniff"]
