"""The demo builders plant the story's values; browser_summary flags remote-access tools."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from triage.extractors.browser.summary import browser_summary, domain_of, remote_access_tool
from triage.store import DeviceStore

EDGE = "Users/agent1/AppData/Local/Microsoft/Edge/User Data/Default/History"


def test_laptop_and_phone_builders_plant_the_story(scan, tmp_path: Path, builder) -> None:
    laptop = tmp_path / "laptop-01"
    builder.populate_windows_laptop(laptop)
    phone = tmp_path / "phone-03"
    builder.populate_android_phone(phone)
    assert (laptop / builder.LAPTOP_CHROME).is_file()
    assert (phone / builder.PHONE_CHROME).is_file()

    out = scan(laptop, extractors=["chromium.history"])
    assert out.problems() == []
    visits = {row["url"]: row for row in out.records("browser_visits")}
    anydesk = visits["https://anydesk.com/en/downloads/windows"]
    assert (anydesk["visited"], anydesk["browser"], anydesk["profile"], anydesk["user"]) == (
        "2024-03-01T09:55:12Z",
        "Chrome",
        "Default",
        "agent1",
    )
    assert anydesk["transition"] == "typed | from address bar | chain start | chain end"
    fake = visits["https://microsoft-support-help.example/case/88412"]
    assert (fake["title"], fake["visited"]) == (
        "Microsoft Support - Your PC is infected",
        "2024-03-01T10:01:05Z",
    )
    (download,) = out.records("browser_downloads")
    assert (
        download["url"],
        download["target_path"],
        download["started"],
        download["state"],
        download["user"],
    ) == (
        "https://download.anydesk.com/AnyDesk.exe",
        "C:\\Users\\agent1\\Downloads\\AnyDesk.exe",
        "2024-03-01T09:58:40Z",
        "complete",
        "agent1",
    )
    assert [row["term"] for row in out.records("browser_searches")] == ["anydesk download"]

    out = scan(phone, extractors=["chromium.history"])
    assert out.problems() == []
    giftcard = [
        row
        for row in out.records("browser_visits")
        if row["url"] == "https://www.giftcards.example/balance"
    ]
    assert [(row["visited"], row["browser"], row["profile"]) for row in giftcard] == [
        ("2024-03-01T11:40:00Z", "Chrome", "Default")
    ]


def test_builders_are_deterministic(tmp_path: Path, builder) -> None:
    first = builder.populate_windows_laptop(tmp_path / "a").read_bytes()
    second = builder.populate_windows_laptop(tmp_path / "b").read_bytes()
    assert first == second


def test_domain_and_tool_matching() -> None:
    assert domain_of("https://www.AnyDesk.com/en/downloads") == "anydesk.com"
    assert domain_of("about:blank") is None
    assert domain_of("http://[::1") is None
    assert domain_of(None) is None
    assert remote_access_tool("https://download.anydesk.com/AnyDesk.exe") == ("AnyDesk", "site")
    assert remote_access_tool("https://get.teamviewer.com/abc") == ("TeamViewer", "site")
    assert remote_access_tool("https://www.ultraviewer.net/en/download.html") == (
        "UltraViewer",
        "site",
    )
    assert remote_access_tool("https://x.screenconnect.com/Host") == (
        "ScreenConnect / ConnectWise",
        "site",
    )
    assert remote_access_tool("https://www.google.com/search?q=anydesk+download") == (
        "AnyDesk",
        "mention",
    )
    assert remote_access_tool("https://mirror.example/f", "C:\\Temp\\RustDesk-1.2.exe") == (
        "RustDesk",
        "mention",
    )
    assert remote_access_tool("https://fakeanydesk.com.evil.example/") == ("AnyDesk", "mention")
    assert remote_access_tool("https://www.bbc.com/news", "News") is None


def test_browser_summary(scan, tmp_path: Path, builder) -> None:
    root = tmp_path / "laptop-01"
    builder.populate_windows_laptop(root)
    when = datetime(2024, 3, 1, 11, 18, 0, tzinfo=UTC)
    builder.write_chrome_history(
        root / EDGE,
        [
            builder.Visit("https://www.teamviewer.com/en/download/windows/", "TeamViewer", when),
            builder.Visit("https://www.bbc.com/news", "Home - BBC News", when),
        ],
    )
    out = scan(root, extractors=["chromium.history"])
    store = DeviceStore(out.output / "triage.sqlite")
    try:
        summary = browser_summary(store)
    finally:
        store.close()
    assert (summary["visits"], summary["downloads"]) == (8, 1)
    assert (summary["first_activity"], summary["last_activity"]) == (
        "2024-03-01T08:41:03Z",
        "2024-03-01T12:30:44Z",
    )
    assert summary["top_domains"][:2] == [
        {"domain": "bbc.com", "visits": 2},
        {"domain": "google.com", "visits": 2},
    ]
    assert len(summary["top_domains"]) == 6
    assert summary["profiles"] == [
        {"browser": "Chrome", "profile": "Default", "user": "agent1", "visits": 6},
        {"browser": "Edge", "profile": "Default", "user": "agent1", "visits": 2},
    ]
    flagged = [
        (row["kind"], row["tool"], row["match"], row["time"], row["url"])
        for row in summary["remote_access"]
    ]
    assert flagged == [
        (
            "visit",
            "AnyDesk",
            "mention",
            "2024-03-01T09:54:31Z",
            "https://www.google.com/search?q=anydesk+download",
        ),
        (
            "visit",
            "AnyDesk",
            "site",
            "2024-03-01T09:55:12Z",
            "https://anydesk.com/en/downloads/windows",
        ),
        (
            "download",
            "AnyDesk",
            "site",
            "2024-03-01T09:58:40Z",
            "https://download.anydesk.com/AnyDesk.exe",
        ),
        (
            "visit",
            "TeamViewer",
            "site",
            "2024-03-01T11:18:00Z",
            "https://www.teamviewer.com/en/download/windows/",
        ),
    ]
    download = summary["remote_access"][2]
    assert download["target_path"] == "C:\\Users\\agent1\\Downloads\\AnyDesk.exe"
    assert download["source_path"] == f"/{builder.LAPTOP_CHROME}"


def test_browser_summary_of_a_store_without_browser_tables(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "triage.sqlite")
    try:
        assert browser_summary(store) == {
            "visits": 0,
            "downloads": 0,
            "first_activity": None,
            "last_activity": None,
            "top_domains": [],
            "profiles": [],
            "remote_access": [],
        }
    finally:
        store.close()
