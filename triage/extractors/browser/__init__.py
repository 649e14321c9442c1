"""Extractors of the browser family; ``EXTRACTORS`` lists them for registration."""

from __future__ import annotations

from triage.extractors.browser.chromium import ChromiumHistory
from triage.extractors.browser.epiphany import EpiphanyHistory
from triage.extractors.browser.firefox import FirefoxHistory
from triage.extractors.browser.ie_index_dat import IeIndexDat
from triage.extractors.browser.ie_webcache import IeWebCache
from triage.extractors.browser.safari import SafariHistory

EXTRACTORS: tuple[type, ...] = (
    ChromiumHistory,
    FirefoxHistory,
    SafariHistory,
    IeWebCache,
    IeIndexDat,
    EpiphanyHistory,
)
