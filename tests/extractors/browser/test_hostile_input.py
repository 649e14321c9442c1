"""Hostile and broken input: corrupt, truncated and garbage databases, unknown schemas, hostile
strings. The scan never stops, problems name their file, readable rows are kept."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

CHROME = "Users/eve/AppData/Local/Google/Chrome/User Data"
FIREFOX = "Users/eve/AppData/Roaming/Mozilla/Firefox/Profiles"
SAFARI = "Users/eve/Library/Safari"
WHEN = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
GARBAGE = b"<script>alert(1)</script>\x00\x1b[2J" + bytes(range(256)) * 64


def _corrupt_third_visits_leaf(path: Path) -> None:
    """Overwrite the third leaf page of the visits table with garbage."""
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    leaves = [
        page
        for (page,) in connection.execute(
            "SELECT pageno FROM dbstat WHERE name = 'visits' AND pagetype = 'leaf' ORDER BY pageno"
        )
    ]
    connection.close()
    assert len(leaves) >= 3
    with open(path, "r+b") as handle:
        handle.seek((leaves[2] - 1) * page_size)
        handle.write(b"\xff" * page_size)


def test_broken_databases_never_stop_the_scan(scan, tmp_path: Path, builder) -> None:
    root = tmp_path / "evidence"
    many = [
        builder.Visit(f"https://x{i}.example/{'p' * 100}", "t" * 50, WHEN + timedelta(seconds=i))
        for i in range(400)
    ]
    garbage = root / CHROME / "Default" / "History"
    garbage.parent.mkdir(parents=True)
    garbage.write_bytes(GARBAGE)
    whole = builder.write_chrome_history(root / CHROME / "Profile 1" / "History", many)
    truncated = root / CHROME / "Profile 2" / "History"
    truncated.parent.mkdir(parents=True)
    truncated.write_bytes(whole.read_bytes()[: 40 * 4096])
    corrupt = builder.write_chrome_history(root / CHROME / "Profile 3" / "History", many)
    _corrupt_third_visits_leaf(corrupt)
    good = builder.write_chrome_history(
        root / CHROME / "Profile 4" / "History", [builder.Visit("https://ok.example/", "ok", WHEN)]
    )
    strange = root / FIREFOX / "abc.default" / "places.sqlite"
    strange.parent.mkdir(parents=True)
    connection = sqlite3.connect(strange)
    connection.execute("CREATE TABLE foo (bar TEXT)")
    connection.commit()
    connection.close()
    (root / FIREFOX / "empty.default").mkdir()
    (root / FIREFOX / "empty.default" / "places.sqlite").write_bytes(b"")
    plist = root / SAFARI / "History.plist"
    plist.parent.mkdir(parents=True)
    plist.write_bytes(b"bplist00" + GARBAGE)

    out = scan(root, extractors=["chromium.history", "firefox.history", "safari.history"])

    problems = {row["path"]: row for row in out.problems()}
    assert set(problems) == {
        f"/{CHROME}/Default/History",
        f"/{CHROME}/Profile 2/History",
        f"/{CHROME}/Profile 3/History",
        f"/{FIREFOX}/abc.default/places.sqlite",
        f"/{SAFARI}/History.plist",
    }
    assert problems[f"/{CHROME}/Default/History"]["message"] == (
        "Chromium History database cannot be read: DatabaseError: "
        "not a SQLite database (bad header)"
    )
    assert "malformed" in problems[f"/{CHROME}/Profile 2/History"]["message"]
    assert problems[f"/{CHROME}/Profile 3/History"]["message"].startswith(
        "visit table unreadable after "
    )
    assert problems[f"/{FIREFOX}/abc.default/places.sqlite"]["severity"] == "warning"
    assert problems[f"/{FIREFOX}/abc.default/places.sqlite"]["message"] == (
        "not a Firefox history database (unknown schema): skipped"
    )
    assert problems[f"/{SAFARI}/History.plist"]["message"].startswith("not a readable plist")
    for row in problems.values():
        assert row["stage"].startswith("extract:")

    visits = out.records("browser_visits")
    by_profile: dict[str, int] = {}
    for row in visits:
        by_profile[row["profile"]] = by_profile.get(row["profile"], 0) + 1
    assert by_profile["Profile 1"] == 400
    assert by_profile["Profile 4"] == 1
    # the rows before the corrupt page were kept, in order
    kept = [row for row in visits if row["profile"] == "Profile 3"]
    assert 0 < len(kept) < 400
    assert [row["visit_id"] for row in kept] == list(range(1, len(kept) + 1))
    assert str(good).endswith("Profile 4/History")


def test_hostile_strings_and_values_are_kept_safely(scan, tmp_path: Path, builder) -> None:
    root = tmp_path / "evidence"
    hostile = [
        builder.Visit(
            "https://evil.example/<script>", "<script>alert('x')</script>", WHEN, builder.LINK_CLICK
        ),
        builder.Visit(
            "https://evil.example/ctl", "bell\x07 esc\x1b[2J cr\r lf\n nul\x00 end", WHEN
        ),
        builder.Visit("https://evil.example/huge", "A" * (1 << 20), WHEN),
        builder.Visit("javascript:alert(1)//\n<img src=x onerror=alert(1)>", "js", WHEN),
    ]
    path = builder.write_chrome_history(root / CHROME / "Default" / "History", hostile)
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO urls (id, url, title, visit_count, typed_count, last_visit_time, hidden) "
        "VALUES (99, 'https://bad.example/', CAST(x'fffe3c623e' AS TEXT), 'many', 'x', 0, 0)"
    )
    connection.execute(
        "INSERT INTO visits (id, url, visit_time, from_visit, transition, visit_duration) "
        "VALUES (99, 99, 'garbage', 12345, 'not a number', -5)"
    )
    connection.execute(
        "INSERT INTO visits (id, url, visit_time, transition) VALUES (100, 4242, 1e300, 0)"
    )
    connection.commit()
    connection.close()

    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    rows = {row["visit_id"]: row for row in out.records("browser_visits")}
    assert rows[1]["title"] == "<script>alert('x')</script>"
    assert rows[1]["url"] == "https://evil.example/<script>"
    assert rows[2]["title"] == "bell\x07 esc\x1b[2J cr\r lf\n nul\\x00 end"  # the store escapes NUL
    assert rows[3]["title"] == "A" * 4096 + f"...[cut {(1 << 20) - 4096} characters]"
    assert rows[4]["url"] == "javascript:alert(1)//\n<img src=x onerror=alert(1)>"
    bad = rows[99]
    assert (bad["url"], bad["title"]) == ("https://bad.example/", "\ufffd\ufffd<b>")
    assert (bad["visited"], bad["visited_raw"]) == (None, "garbage")
    assert (bad["transition"], bad["visit_count"], bad["typed_count"]) == (None, None, None)
    assert bad["from_url"] is None
    orphan = rows[100]
    assert (orphan["url"], orphan["visited"], orphan["detail"]) == (
        "",
        None,
        "URL row 4242 missing",
    )


def test_unknown_schema_version_reads_what_it_can(scan, tmp_path: Path) -> None:
    """A History "from the future": other columns, missing ones, meta version 999."""
    path = tmp_path / "evidence" / CHROME / "Default" / "History"
    path.parent.mkdir(parents=True)
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
        INSERT INTO meta VALUES ('version', '999');
        CREATE TABLE urls(id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
            visit_count INTEGER, quantum_score REAL);
        CREATE TABLE visits(id INTEGER PRIMARY KEY, url INTEGER NOT NULL,
            visit_time INTEGER NOT NULL, transition INTEGER, hologram BLOB);
        CREATE TABLE downloads(id INTEGER PRIMARY KEY, target_path LONGVARCHAR,
            start_time INTEGER, teleport_state INTEGER);
        INSERT INTO urls VALUES (1, 'https://future.example/', 'Future', 7, 0.5);
        INSERT INTO visits VALUES (1, 1, 13354880400000000, 1, x'00');
        INSERT INTO downloads VALUES (1, '/tmp/f.bin', 13354880400000000, 3);
        """
    )
    connection.commit()
    connection.close()
    out = scan(tmp_path / "evidence", extractors=["chromium.history"])
    assert out.problems() == []
    (visit,) = out.records("browser_visits")
    assert (
        visit["url"],
        visit["visited"],
        visit["transition"],
        visit["visit_count"],
        visit["typed_count"],
    ) == ("https://future.example/", "2024-03-14T09:00:00Z", "typed", 7, None)
    (download,) = out.records("browser_downloads")
    assert (download["target_path"], download["url"], download["state"]) == (
        "/tmp/f.bin",
        None,
        None,
    )


def test_bad_firefox_download_metadata_is_a_warning(scan, tmp_path: Path, builder) -> None:
    path = builder.write_firefox_places(
        tmp_path / "evidence" / FIREFOX / "x.default" / "places.sqlite",
        [builder.Visit("https://a.example/", "a", WHEN, 1)],
        [
            builder.Download(
                ("https://a.example/f.exe",), "C:\\f.exe", WHEN, WHEN + timedelta(seconds=1), 10
            )
        ],
    )
    connection = sqlite3.connect(path)
    connection.execute("UPDATE moz_annos SET content = '{not json' WHERE anno_attribute_id = 2")
    connection.commit()
    connection.close()
    out = scan(tmp_path / "evidence", extractors=["firefox.history"])
    assert [(row["severity"], row["message"]) for row in out.problems()] == [
        ("warning", "download metaData is not JSON")
    ]
    (download,) = out.records("browser_downloads")
    assert (download["url"], download["target_path"], download["state"], download["ended"]) == (
        "https://a.example/f.exe",
        "C:/f.exe",
        None,
        None,
    )
