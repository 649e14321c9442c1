"""Package marker for tests.extractors.identity."""
