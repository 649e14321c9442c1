"""Promise 3: nothing from the evidence runs in the report, and every hostile string is shown.

A laptop folder carries the hostile corpus of :mod:`tests.hostile.payloads` in browser URLs and
titles, file names, AnyDesk and TeamViewer log lines, DHCP host names, the phone model and a
call log; the device name itself is hostile too. Its ``report.html``, and the ``case.html`` of
a batch where two such devices share those values, are opened in headless Chromium: no dialog,
no request but the file itself, no console error (a CSP refusal is one), no inline handler or
``javascript:`` link in the DOM, ``window.__pwned`` never set, and each hostile string is on
the page as text. Every CSV the scan and the batch write is read back: no cell would run as a
spreadsheet formula, yet phone numbers such as ``+1 540-456-1685`` are kept as they are.

The harness is first shown to see what a naive page does (an unescaped copy of the corpus, and
the real template rendered with autoescape off), so its silence on the real report means
something.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.hostile.browser import open_report
from tests.hostile.devices import tar_tree
from tests.hostile.payloads import (
    ACTIVE,
    BIG_TITLE,
    FILE_NAMES,
    INERT,
    NO_SPACE,
    PHONE_NUMBER,
    build_hostile_device,
    hostile_urls,
)
from triage.batch import run_batch
from triage.case import Case, CaseDevice
from triage.config import ScanConfig
from triage.pipeline import scan_device
from triage.store import DeviceStore

DEVICE_NAME = "laptop <svg onload=window.__pwned='device'> {{7*7}}"
# What a spreadsheet evaluates: a cell starting with one of these (OWASP "CSV Injection")...
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ...unless it is a plain (signed) number or phone number, which cannot call anything.
NUMBER_LIKE = re.compile(r"[+-]?\d[\d ().-]*")
C0_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _invisible(ch: str) -> bool:
    """C0/C1 controls, DEL, bidirectional controls, zero-width and format characters: the
    report prints them as escapes."""
    code = ord(ch)
    if ch in "\t\n":
        return False
    return (
        code < 0x20
        or 0x7F <= code < 0xA0
        or code in (0x00AD, 0x061C, 0xFEFF)
        or 0x200B <= code <= 0x200F
        or 0x202A <= code <= 0x202E
        or 0x2060 <= code <= 0x206F
        or 0xFFF9 <= code <= 0xFFFB
    )


def shown(text: str) -> str:
    """How the report shows evidence text: control and bidi characters as visible escapes
    (``\\u0007``, ``\\u202e``; NUL was already stored as ``\\x00``), white space collapsed as
    a browser does."""
    text = text.replace("\x00", "\\x00")
    text = "".join(f"\\u{ord(ch):04x}" if _invisible(ch) else ch for ch in text)
    return " ".join(text.split())


def page_text(visit) -> str:
    return " ".join(visit.text.split())


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory):
    """One hostile device scanned under a hostile name."""
    base = tmp_path_factory.mktemp("hostile")
    device = build_hostile_device(base / "laptop")
    out = base / "out"
    scan_device(
        ScanConfig(
            evidence=device, output=out, name=DEVICE_NAME, jobs=1, profile="generic", country="US"
        )
    )
    return out


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory):
    """Two hostile devices (a folder and a tar of it) scanned as one case."""
    base = tmp_path_factory.mktemp("hostile-case")
    folder = build_hostile_device(base / "case" / "laptop-a")
    tar = tar_tree(folder, base / "case" / "laptop-b.tar")
    out = base / "out"
    template = ScanConfig(
        evidence=base / "case", output=out, name="t", jobs=1, profile="generic", country="US"
    )
    case = Case("KOL <script>window.__pwned='case'</script>", (
        CaseDevice("laptop-a", folder), CaseDevice("laptop-b", tar),
    ))  # fmt: skip
    summary = run_batch(case, out, template, parallel=1)
    assert [outcome.status for outcome in summary["outcomes"]] == ["done", "done"]
    return out


def test_the_harness_sees_what_an_unescaped_page_does(chromium_browser, tmp_path):
    def last(item):  # payloads that swallow the rest of a page go last
        return item[0] in ("style", "title", "comment", "meta_refresh", "base")

    naive = tmp_path / "naive.html"
    naive.write_text(
        "<!DOCTYPE html><html><body><table><tr><td><script>alert('dialog')</script></td></tr>"
        + f"<tr><td>{ACTIVE['beacon']}</td></tr><tr><td>bell \x07</td></tr>"
        + "".join(f"<tr><td>{payload}</td></tr>" for _, payload in sorted(ACTIVE.items(), key=last))
        + "</table></body></html>",
        encoding="utf-8",
    )
    visit = open_report(naive, chromium_browser)
    assert visit.dialogs == ["alert: dialog"]
    assert visit.sentinel is not None
    assert "https://evil.example/beacon.png" in visit.other_requests
    assert "<img onerror>" in visit.handlers and "<svg onload>" in visit.handlers
    assert any("javascript:" in link for link in visit.javascript_links)
    assert visit.hidden_controls == ["<td> bell \x07"]


def test_the_report_template_without_escaping_would_be_caught(
    chromium_browser,
    hostile_out,
    tmp_path,
    monkeypatch,
):
    """The real template and data with autoescape off: the CSP blocks the scripts, and the
    harness still reports the injected handlers and the CSP refusals."""
    from triage.report import html  # noqa: PLC0415

    real = html.environment

    def unescaped():
        return real().overlay(autoescape=False)  # the shared environment stays escaped

    monkeypatch.setattr(html, "environment", unescaped)
    store = DeviceStore(hostile_out / "triage.sqlite")
    try:
        summary = json.loads((hostile_out / "report.json").read_text(encoding="utf-8"))
        summary.pop("artifacts", None)
        html.write_html(store, summary, tmp_path / "naive-report.html")
    finally:
        store.close()
    visit = open_report(tmp_path / "naive-report.html", chromium_browser)
    assert visit.handlers and visit.console_errors
    assert visit.problems() != []


def big_title_stored(out: Path) -> str:
    connection = sqlite3.connect(out / "triage.sqlite")
    try:
        (title,) = connection.execute(
            "SELECT title FROM browser_visits WHERE title LIKE 'BIG%'"
        ).fetchone()
    finally:
        connection.close()
    return title


def test_device_report_runs_nothing_and_shows_every_hostile_string(
    chromium_browser,
    hostile_out,
):
    visit = open_report(hostile_out / "report.html", chromium_browser)
    visit.assert_inert()
    text = page_text(visit)
    assert visit.title == f"triage report: {DEVICE_NAME}"
    expected = {
        **ACTIVE,
        **INERT,
        **NO_SPACE,
        **FILE_NAMES,
        **{f"url{index}": url for index, url in enumerate(hostile_urls())},
        "device": DEVICE_NAME,
        "model": f"{ACTIVE['style']} {INERT['formula_eq']}",
    }
    missing = {name: value for name, value in expected.items() if shown(value) not in text}
    assert missing == {}
    # Control characters are shown as escapes, never handed raw to the text renderer.
    assert [found for found in visit.hidden_controls if C0_CONTROL.search(found)] == []
    # The 10 MB title: the browser extractor keeps 4 KiB of it and says how much it cut; the
    # page shows the first 2000 characters of that and points to the CSV.
    stored = big_title_stored(hostile_out)
    assert stored.startswith(BIG_TITLE[:4096]) and len(stored) < 4200
    assert f"{shown(stored)[:2000]}… [{len(stored) - 2000} more characters in the CSV]" in text


def test_case_report_runs_nothing_and_shows_the_shared_hostile_values(
    chromium_browser,
    hostile_case,
):
    visit = open_report(hostile_case / "case.html", chromium_browser)
    visit.assert_inert()
    text = page_text(visit)
    assert shown("KOL <script>window.__pwned='case'</script>") in text
    for value in (NO_SPACE["nospace_script"], NO_SPACE["nospace_formula"], "evil.example"):
        assert shown(value) in text, value


def csv_cells(folder: Path):
    """(file name, row number, cell) of every CSV in a folder."""
    csv.field_size_limit(sys.maxsize)
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle)):
                for cell in row:
                    yield path.name, number, cell


def test_no_csv_cell_would_run_as_a_spreadsheet_formula(hostile_out, hostile_case):
    folders = [hostile_out, hostile_case, hostile_case / "laptop-a", hostile_case / "laptop-b"]
    cells = [cell for folder in folders for cell in csv_cells(folder)]
    assert {name for name, _, _ in cells} >= {
        "browser_history.csv", "calls.csv", "files.csv", "router_facts.csv", "remote_access.csv",
        "timeline.csv", "identity.csv", "links.csv", "contacts.csv",
    }  # fmt: skip
    dangerous = [
        (name, number, cell[:80])
        for name, number, cell in cells
        if cell.startswith(FORMULA_START) and not NUMBER_LIKE.fullmatch(cell)
    ]
    assert dangerous == []
    values = {cell for _, _, cell in cells}
    # Neutralised with a leading apostrophe, the rest kept for the examiner.
    for payload in (
        INERT["formula_eq"],
        INERT["formula_plus"],
        INERT["formula_at"],
        INERT["formula_minus"],
        NO_SPACE["nospace_formula"],
    ):
        assert "'" + payload in values, payload
    # A formula-like file name inside a path starts with "/": harmless and kept as it is.
    assert "/Users/agent1/Downloads/" + FILE_NAMES["name_formula"] in values
    assert "'\t=1+1" in values and "'\r=1+1" in values
    # Phone numbers and plain numbers are not formulas: kept exactly.
    assert PHONE_NUMBER in values and "-1" in values
    # The stored part of the 10 MB title is whole in the CSV (the HTML shows its start).
    assert big_title_stored(hostile_out) in values


def test_report_json_keeps_every_hostile_string_exactly(hostile_out):
    """JSON carries the values as stored: nothing escaped away, nothing evaluated, and the file
    stays valid JSON whatever the strings hold (NUL is stored as the text ``\\x00``)."""
    report = json.loads((hostile_out / "report.json").read_text(encoding="utf-8"))
    titles = {visit["title"] for visit in report["artifacts"]["browser_visits"]}
    for name, payload in {**ACTIVE, **INERT}.items():
        assert payload.replace("\x00", "\\x00") in titles, name
    hosts = {fact["hostname"] for fact in report["artifacts"]["router_facts"]}
    assert {NO_SPACE["nospace_script"], NO_SPACE["nospace_formula"]} <= hosts
    assert report["device"] == DEVICE_NAME
