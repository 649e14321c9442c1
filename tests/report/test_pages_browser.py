"""The device and case pages as an officer sees them in Chromium (issue 16 items 5, 6, 8-10).

One batch per module: the demo case's three devices, a device whose evidence cannot be read
(it fails) and a known-bad hash set naming the laptop's downloaded ``AnyDesk.exe``. One headless
Chromium per module opens the pages at 1280 px and 390 px (a phone), in print media at an A4
page's width, and prints them to PDF in A4 and Letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.browser import open_report
from triage.batch import run_batch
from triage.case import load_manifest
from triage.config import HashSetSpec, ScanConfig
from triage.demo import demo_manifest

ANYDESK_EXE_SHA256 = "f0facc9cf62089eb8487454ff04f4a137d3baf625b61a4ec382e2600ea744867"
A4_PRINT_WIDTH = 718  # px: 210 mm less the page's 10 mm side margins, at 96 px per inch

# Tokens that must never be broken over two lines: phone numbers and other long numbers (IDs,
# IMEIs), IPv4 addresses, MAC addresses, ISO times and hex digests.
ID_TOKENS = (
    r"\+?\d{6,}|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?|\b[0-9a-f]{32,64}\b"
)
# For every text node in the page (not in scripts, styles, charts, paths or URLs), the tokens
# matching ID_TOKENS and, in table headers, every word, that are laid out on more than one line.
BROKEN = """([pattern]) => {
    const broken = [];
    const token = new RegExp(pattern, "g");
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        const skip = "script, style, svg, .path, .url, [hidden], .print-only";
        if (!parent || parent.closest(skip)) continue;
        if (parent.offsetParent === null && getComputedStyle(parent).position !== "fixed") continue;
        const words = parent.closest("th") ? /\\S+/g : token;
        words.lastIndex = 0;
        for (let match = words.exec(node.data); match; match = words.exec(node.data)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
            if (tops.size > 1) broken.push(match[0]);
        }
    }
    return broken;
}"""
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const table of document.querySelectorAll("table")) {
        const box = table.getBoundingClientRect();
        const clip = table.parentElement.closest(".scroll");
        const visible = clip && getComputedStyle(clip).overflowX !== "visible";
        if (box.width && box.right > width + 1 && !visible) {
            wide.push(table.tHead ? table.tHead.innerText.slice(0, 60) : "table");
        }
    }
    return {page: document.documentElement.scrollWidth, width, wide};
}"""

FIRST_SCREEN = """() => {
    const seen = [];
    const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        const box = range.getBoundingClientRect();
        if (box.height > 0 && box.top < window.innerHeight) seen.push(node.data);
    }
    return seen.join("");
}"""


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory) -> Path:
    """The demo devices plus a broken one, scanned with a known-bad set, as a case folder."""
    root = tmp_path_factory.mktemp("pages")
    data = demo_manifest().parent
    evidence = root / "evidence"  # the case output may not lie inside the evidence folder
    evidence.mkdir()
    (evidence / "broken.E01").write_bytes(b"EVF\x09\x0d\x0a\xff\x00" + b"\x00" * 4000)
    manifest = evidence / "case.yaml"
    manifest.write_text(
        "case: DEMO-CC-2024-0301\ndevices:\n"
        f"  - {{name: laptop-01, evidence: '{data / 'laptop-01.E01'}', country: US}}\n"
        f"  - {{name: phone-03, evidence: '{data / 'phone-03.tar.gz'}'}}\n"
        f"  - {{name: router-01, evidence: '{data / 'router-01.tar.gz'}'}}\n"
        "  - {name: laptop-09, evidence: broken.E01}\n",
        encoding="utf-8",
    )
    bad = root / "bad.txt"
    bad.write_text(f"{ANYDESK_EXE_SHA256}  AnyDesk.exe (remote tool used in the scam)\n")
    out = root / "case"
    template = ScanConfig(
        evidence=manifest,
        output=out,
        name="template",
        hashsets=(HashSetSpec(bad, "known-bad"),),
        command_line="triage batch case.yaml",
    )
    run_batch(load_manifest(manifest), out, template, parallel=1)
    return out


@contextmanager
def opened(browser: Any, path: Path, width: int, media: str = "screen") -> Iterator[Any]:
    """A page of ``path`` at ``width`` px in ``media``, its script run."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.emulate_media(media=media)
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_selector("html[data-report-script=ready]")
        yield page
    finally:
        context.close()


def pdf_pages(browser: Any, path: Path, paper: str) -> list[str]:
    """The text of each page of ``path`` printed to PDF on ``paper``."""
    pypdf = pytest.importorskip("pypdf")
    with opened(browser, path, 1280, media="print") as page:
        document = page.pdf(format=paper, print_background=True)
    reader = pypdf.PdfReader(BytesIO(document))
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]


def visible_top(page: Any, selector: str) -> float:
    return page.evaluate(
        "(s) => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().top"
        " + window.scrollY : 1e9; }",
        selector,
    )


# Item 5: the first screen.


def test_device_first_screen_names_exhibit_tools_and_bad_files(case_dir, chromium_browser):
    with opened(chromium_browser, case_dir / "laptop-01" / "report.html", 1280) as page:
        first = page.evaluate(FIRST_SCREEN)
    assert "EV-01" in first and "triage demo" in first
    assert "Seized laptop CC-LAPTOP-01 (demo, fictional)" in first
    assert "2024-03-02T08:00:00" in first  # the E01 header's date, in ISO
    assert "/Users/agent1/Downloads/AnyDesk.exe" in first  # the installer, in words
    assert "matches a known-bad hash set" in first and "AnyDesk.exe" in first
    with opened(chromium_browser, case_dir / "phone-03" / "report.html", 390) as page:
        banner = page.inner_text("#remote-apps")
        assert visible_top(page, "#remote-apps") < 900
    assert "AnyDesk" in banner and "com.anydesk.anydeskandroid" in banner


def test_case_first_screen_names_bad_files_and_remote_tools(case_dir, chromium_browser):
    with opened(chromium_browser, case_dir / "case.html", 1280) as page:
        assert visible_top(page, ".known-bad") < 900
        bad = page.inner_text(".known-bad")
        tools = [text for text in page.locator(".remote-apps").all_inner_texts()]
        exhibits = page.inner_text("table.exhibits")
    assert bad.startswith("laptop-01: 1 file matches a known-bad hash set")
    assert "AnyDesk.exe" in bad
    assert any(text.startswith("phone-03") and "AnyDesk" in text for text in tools)
    assert "EV-01" in exhibits and "Seized laptop" in exhibits


# Item 6: identifiers never wrap; wide tables scroll; rows become cards on a phone.


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", ["laptop-01/report.html", "phone-03/report.html",
                                  "router-01/report.html", "case.html"])  # fmt: skip
def test_identifiers_and_headers_never_break(case_dir, chromium_browser, name, width):
    with opened(chromium_browser, case_dir / name, width) as page:
        broken = page.evaluate(BROKEN, [ID_TOKENS])
        overflow = page.evaluate(OVERFLOW)
        cards = page.evaluate(
            "() => getComputedStyle(document.querySelector('table.data tbody tr')).display"
        )
    assert broken == []
    assert overflow["page"] <= overflow["width"] and overflow["wide"] == []
    assert cards == ("block" if width == 390 else "table-row")


# Item 8: words.


@pytest.mark.parametrize("name", ["laptop-01/report.html", "phone-03/report.html",
                                  "router-01/report.html", "case.html"])  # fmt: skip
def test_pages_speak_words_not_internal_names(case_dir, chromium_browser, name):
    with opened(chromium_browser, case_dir / name, 1280) as page:
        headers = page.locator("th").all_inner_texts()
        text = page.inner_text("body")
    assert [header for header in headers if "_" in header] == []
    for internal in ("artifact_presence", "source_path", "time_note", "type mismatches",
                     "remote access events", "files []"):  # fmt: skip
        assert internal not in text
    assert not re.search(r"\b1 (?:warnings|errors|problems|port forwards|devices|calls)\b", text)
    assert not re.search(r"\ba (?:[AEIOU]|i[A-Z])", text)  # "a Android phone", "a iPhone"
    assert not re.search(r"(?<![\d.])\d{3,}\.0(?![\d.]| ?[KMGT]iB)", text)  # seconds: 2315.0
    assert not re.search(r"(?<![\w:])\d{4}-\d\d-\d\dT[\d:]{8}\.\d{4,}Z", text)  # microseconds
    if name == "phone-03/report.html":
        assert "This is an Android phone named Galaxy-A52" in text
    if name == "router-01/report.html":
        assert re.search(r"\b\d+ port forwards?\b", text)


def test_device_page_shows_local_time_where_the_zone_is_known(case_dir, chromium_browser):
    with opened(chromium_browser, case_dir / "laptop-01" / "report.html", 1280) as page:
        glance = page.inner_text("#glance")
    assert "2024-01-15T06:30:00Z (local 2024-01-15T12:00:00+05:30)" in glance


# Item 9: print.


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printed_pages_start_at_a_glance_and_stay_short(case_dir, chromium_browser, paper):
    laptop = pdf_pages(chromium_browser, case_dir / "laptop-01" / "report.html", paper)
    first = laptop[0]
    assert first.index("At a glance") < 200 and "EV-01" in first and "AnyDesk.exe" in first
    assert len(laptop) <= 13  # 20 before: every record row was printed
    text = " ".join("\n".join(laptop).split())
    assert "Filter these rows" not in text and "Sort by" not in text
    assert "About this run Problems" not in text  # the nav is not printed
    assert "Printed: the first 25 of 28 records; all are in identity.csv." in text
    case = pdf_pages(chromium_browser, case_dir / "case.html", paper)
    assert case[0].index("At a glance") < 300 and len(case) <= 3


def test_printed_tables_fit_the_page_and_keep_identifiers_whole(case_dir, chromium_browser):
    for name in ("laptop-01/report.html", "case.html", "router-01/report.html"):
        with opened(chromium_browser, case_dir / name, A4_PRINT_WIDTH, media="print") as page:
            overflow = page.evaluate(OVERFLOW)
            broken = page.evaluate(BROKEN, [ID_TOKENS])
            hidden = page.evaluate(
                "() => ['nav.toc', 'input.filter'].map((s) => document.querySelector(s))"
                ".filter((e) => e && e.offsetParent !== null).length"
            )
        assert overflow["page"] <= overflow["width"] and overflow["wide"] == [], name
        assert broken == [], name
        assert hidden == 0


# Item 10: tables.


def _bytes(text: str) -> float:
    number, unit = text.split()
    return float(number) * 1024 ** ["B", "KiB", "MiB", "GiB", "TiB"].index(unit)


def _seconds(text: str) -> int:
    total = 0
    for number, unit in re.findall(r"(\d+) (h|min|s)\b", text):
        total += int(number) * {"h": 3600, "min": 60, "s": 1}[unit]
    return total


def _sorted_by(page: Any, title: str, header: str) -> list[str]:
    """The column ``header`` of the table under the heading ``title``, after sorting by it."""
    table = page.locator(f"xpath=//h3[normalize-space()='{title}']/following::table[1]")
    table.locator("th", has_text=header).click()
    return table.evaluate(
        """(t, header) => {
            const cells = Array.from(t.tHead.rows[0].cells);
            const i = cells.findIndex((c) => c.textContent.trim() === header);
            return Array.from(t.tBodies[0].rows).map((r) => r.cells[i].textContent.trim());
        }""",
        header,
    )


def test_sizes_and_durations_sort_as_numbers(case_dir, chromium_browser):
    with opened(chromium_browser, case_dir / "laptop-01" / "report.html", 1280) as page:
        sizes = _sorted_by(page, "Largest files", "Size")
    assert len(sizes) > 5 and len({size.split()[1] for size in sizes}) > 1  # mixed units
    assert [_bytes(size) for size in sizes] == sorted(_bytes(size) for size in sizes)
    with opened(chromium_browser, case_dir / "phone-03" / "report.html", 1280) as page:
        talk = _sorted_by(page, "Most-called numbers", "Talk time")
    assert len({"min" in text for text in talk}) == 2  # minutes and seconds mixed
    assert [_seconds(text) for text in talk] == sorted(_seconds(text) for text in talk)


def test_filter_says_how_many_rows_match(case_dir, chromium_browser):
    with opened(chromium_browser, case_dir / "laptop-01" / "report.html", 1280) as page:
        part = page.locator("#browser_visits")
        part.locator("input.filter").fill("anydesk")
        count = part.locator(".filter-count").inner_text()
        shown = part.locator("tbody tr:not([hidden])").count()
    assert count == f"{shown} of 6 rows match" and 0 < shown < 6


def test_device_page_links_to_its_case_and_the_case_page_says_when_and_by_what(
    case_dir, chromium_browser
):
    with opened(chromium_browser, case_dir / "laptop-01" / "report.html", 1280) as page:
        link = page.locator("a[href='../case.html']")
        assert link.count() == 1 and "DEMO-CC-2024-0301" in link.inner_text()
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/case.html")
        made = page.inner_text("header .made")
    assert re.fullmatch(r"Made \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by triage \d+\.\d+\.\d+\S*", made)


def test_pages_with_a_failed_device_stay_inert(case_dir, chromium_browser):
    visit = open_report(case_dir / "case.html", chromium_browser)
    visit.assert_inert()
    assert "laptop-09" in visit.text  # the failed device is listed, its facts are empty
    open_report(case_dir / "phone-03" / "report.html", chromium_browser).assert_inert()
