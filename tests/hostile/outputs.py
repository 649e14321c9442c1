"""Every output of a scan, parsed as its readers would: the "every output valid" check.

``check_outputs(out)`` reads ``files.csv`` (csv module), ``report.json`` (validated against the
shipped schema), ``report.html`` (an HTML parser: tags balanced, no element the evidence could
have planted), ``files.dfxml`` (an XML parser), ``hashes.txt`` (hashdeep's known-file format) and
``bodyfile.txt`` (11 ``|`` fields), and checks that each lists what the store holds.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema

from triage.names import sqlite_uri
from triage.report.schema import shipped_schema

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
DFXML = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
TRIAGE_DFXML = "{https://triage.invalid/dfxml}"
HASHDEEP_LINE = re.compile(r"^(\d+),([0-9a-f]{32}),([0-9a-f]{40}),([0-9a-f]{64}),(\./.*)$")
BODYFILE_FIELD = re.compile(r"(?:\\.|[^|\\])*")


@dataclass
class Outputs:
    """What a scan wrote, parsed."""

    files: list[dict[str, str]]  # files.csv rows
    report: dict[str, Any]
    html_text: str  # the text the HTML report shows
    html_tags: list[str]  # every start tag, in order
    dfxml: list[dict[str, str]]  # per fileobject: filename, path_hex
    hashes: dict[str, str]  # hashdeep name -> sha256
    bodyfile: list[list[str]]


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _bodyfile_fields(line: str) -> list[str]:
    fields, position = [], 0
    while True:
        match = BODYFILE_FIELD.match(line, position)
        assert match is not None
        fields.append(match.group())
        position = match.end()
        if position >= len(line):
            return fields
        assert line[position] == "|"
        position += 1


def check_outputs(out: Path) -> Outputs:
    """Parse every output in ``out``; assert each is valid and lists every stored entry."""
    store = sqlite3.connect(sqlite_uri(out / "triage.sqlite"), uri=True)
    entries = store.execute("SELECT count(*) FROM files").fetchone()[0]
    hashed = store.execute(
        "SELECT count(*) FROM files WHERE md5 IS NOT NULL AND sha1 IS NOT NULL AND "
        "sha256 IS NOT NULL AND hash_error IS NULL"
    ).fetchone()[0]
    store.close()

    with open(out / "files.csv", encoding="utf-8", newline="") as handle:
        files = list(csv.DictReader(handle))
    assert len(files) == entries

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, shipped_schema())
    assert report["counts"]["entries"] == entries

    parser = _Html()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    parser.close()
    assert parser.stack == [], f"unclosed HTML elements: {parser.stack}"

    tree = ElementTree.parse(out / "files.dfxml")
    dfxml = [
        {
            "filename": element.findtext(f"{DFXML}filename") or "",
            "path_hex": element.findtext(f"{TRIAGE_DFXML}path_hex") or "",
        }
        for element in tree.getroot().iter(f"{DFXML}fileobject")
    ]
    assert len(dfxml) == entries

    lines = (out / "hashes.txt").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "%%%% HASHDEEP-1.0" and lines[-1] == ""
    hashes = {}
    for line in lines[1:-1]:
        if line.startswith(("%%%%", "##")):
            continue
        match = HASHDEEP_LINE.match(line)
        assert match, f"not a hashdeep line: {line!r}"
        hashes[match.group(5)] = match.group(4)
    assert len(hashes) <= hashed  # a name listed twice (duplicate members) is one key

    bodyfile = [
        _bodyfile_fields(line)
        for line in (out / "bodyfile.txt").read_text(encoding="utf-8").split("\n")[:-1]
    ]
    assert len(bodyfile) == entries and all(len(fields) == 11 for fields in bodyfile)
    return Outputs(files, report, "".join(parser.text), parser.tags, dfxml, hashes, bodyfile)
