"""Package marker for tests.extractors.browser."""
