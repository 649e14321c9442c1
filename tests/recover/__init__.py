"""Tests of the recovery of deleted SQLite records (triage.recover)."""
