"""Package marker for tests.extractors.calls."""
