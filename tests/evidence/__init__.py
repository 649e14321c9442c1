"""Package marker for tests.evidence."""
