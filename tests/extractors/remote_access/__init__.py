"""Package marker for tests.extractors.remote_access."""
