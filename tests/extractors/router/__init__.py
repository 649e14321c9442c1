"""Package marker for tests.extractors.router."""
