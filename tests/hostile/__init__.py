"""Package marker for tests.hostile."""
