"""Open a triage HTML report in headless Chromium and record everything it tries to do.

Reusable by any report test::

    from tests.hostile.browser import chromium_browser, open_report  # noqa: F401 (fixture)

    def test_my_report(chromium_browser, tmp_path):
        visit = open_report(tmp_path / "report.html", chromium_browser)
        visit.assert_inert()
        assert "Device laptop-01" in visit.text

:func:`open_report` loads the file from ``file://`` and collects dialogs (alert/confirm/
prompt, dismissed at once), every request the page makes (other than the file itself there
should be none: the report is self-contained), console messages and uncaught page errors
(a Content-Security-Policy refusal is a console error), whether the hostile sentinel
``window.__pwned`` was set, elements carrying inline event handlers (``onerror=``...) or
``javascript:`` links, and the page's visible text. The page's own scripts (a CSP-hashed
inline script, say) may run: only what the evidence could inject is counted against it.

Chromium is Debian's ``/usr/bin/chromium`` (or ``$TRIAGE_CHROMIUM``) driven by the Playwright
Python package; tests skip with the reason when either is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SENTINEL = "__pwned"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SETTLE_MS = 300  # time for onload/onerror handlers and timers an injection might use


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None."""
    configured = os.environ.get("TRIAGE_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One headless Chromium per test module; skips when it cannot be started.

    Module scope: Playwright's sync API allows one instance per thread at a time, so the
    browser is closed before another module (or a test driving Playwright itself) runs.
    """
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium, or set TRIAGE_CHROMIUM)")
    try:
        from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install playwright)")
    manager = sync_playwright()
    playwright = manager.start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Error as error:
        manager.__exit__(None, None, None)
        pytest.skip(f"Chromium at {executable} did not start: {error}")
    try:
        yield browser
    finally:
        browser.close()
        manager.__exit__(None, None, None)


@dataclass
class ReportVisit:
    """What a page did while it was open."""

    url: str
    dialogs: list[str] = field(default_factory=list)  # "alert: message"
    requests: list[str] = field(default_factory=list)  # every URL requested, the page's first
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    page_errors: list[str] = field(default_factory=list)
    sentinel: Any = None  # window.__pwned
    handlers: list[str] = field(default_factory=list)  # "<img onerror>" elements found
    javascript_links: list[str] = field(default_factory=list)
    text: str = ""  # document.body.innerText
    title: str = ""
    # "<td> text": elements whose own text holds C0 control characters or bidi overrides,
    # which a page should show as visible escapes rather than pass to the text renderer
    hidden_controls: list[str] = field(default_factory=list)

    @property
    def other_requests(self) -> list[str]:
        """Requests other than the report file itself (data: URLs are not network)."""
        return [url for url in self.requests if url != self.url and not url.startswith("data:")]

    @property
    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]

    def problems(self) -> list[str]:
        """Everything that shows the page did or tried something it must not."""
        found = [f"dialog {text}" for text in self.dialogs]
        found += [f"request {url}" for url in self.other_requests]
        found += [f"console error {text}" for text in self.console_errors]
        found += [f"page error {text}" for text in self.page_errors]
        found += [f"inline handler {text}" for text in self.handlers]
        found += [f"javascript: link {text}" for text in self.javascript_links]
        if self.sentinel is not None:
            found.append(f"window.{SENTINEL} = {self.sentinel!r}")
        return found

    def assert_inert(self) -> None:
        """Fail with the list of what the page did, if it did anything."""
        assert self.problems() == []


INSPECT = """() => {
    const handlers = [];
    const links = [];
    for (const element of document.querySelectorAll("*")) {
        for (const attribute of element.attributes) {
            if (attribute.name.toLowerCase().startsWith("on")) {
                handlers.push(`<${element.tagName.toLowerCase()} ${attribute.name}>`);
            }
        }
        for (const name of ["href", "src", "action", "formaction", "xlink:href"]) {
            const value = element.getAttribute(name);
            if (value && value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase()
                    .startsWith("javascript:")) {
                links.push(`<${element.tagName.toLowerCase()} ${name}=${value.slice(0, 80)}>`);
            }
        }
    }
    const hidden = [];
    const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement ? node.parentElement.tagName.toLowerCase() : "";
        if (parent === "script" || parent === "style") continue;
        const found = new RegExp("[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f"
            + "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]").exec(node.data);
        if (found) {
            const start = Math.max(0, found.index - 30);
            hidden.push(`<${parent}> ${node.data.slice(start, found.index + 30)}`);
        }
    }
    return {
        handlers, links, hidden,
        sentinel: window.__pwned === undefined ? null : String(window.__pwned),
        text: document.body ? document.body.innerText : "",
        title: document.title,
    };
}"""


def open_report(path: Path, browser: Any) -> ReportVisit:
    """Load ``path`` in a fresh page of ``browser`` and return what happened."""
    url = Path(path).resolve().as_uri()
    visit = ReportVisit(url)
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: (visit.dialogs.append(f"{dialog.type}: {dialog.message}"),
                                      dialog.dismiss()))  # fmt: skip
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("console", lambda message: visit.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(SETTLE_MS)
        found = page.evaluate(INSPECT)
    finally:
        context.close()
    visit.handlers, visit.javascript_links = found["handlers"], found["links"]
    visit.sentinel, visit.text, visit.title = found["sentinel"], found["text"], found["title"]
    visit.hidden_controls = found["hidden"]
    return visit
