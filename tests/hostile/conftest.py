"""Fixtures of the hostile-input tests: the headless Chromium of :mod:`tests.hostile.browser`."""

from __future__ import annotations

from tests.hostile.browser import chromium_browser  # noqa: F401 - a fixture, used by name
