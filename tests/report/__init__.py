"""Package marker for tests.report."""
