"""The bundled demo evidence and ``triage demo``, which scans it."""
