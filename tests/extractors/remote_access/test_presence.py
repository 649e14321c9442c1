"""remote_access.presence: tools installed or used, where no parser reads their files."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType

from triage.extractors.remote_access.catalogue import PRESENCE_RULES, tool_for

EXTRACTORS = ["remote_access.presence"]


def test_fixture_tools(scan, ra_data: Path) -> None:
    out = scan(ra_data / "presence", extractors=EXTRACTORS)
    assert out.problems() == []
    rows = out.records("artifact_presence")
    assert [(row["tool"], row["artifact"], row["source_path"], row["size"]) for row in rows] == [
        ("UltraViewer", "program folder", "/Program Files (x86)/UltraViewer", None),
        ("UltraViewer", "program", "/Program Files (x86)/UltraViewer/UltraViewer_Desktop.exe", 8),
        ("Supremo", "data folder", "/ProgramData/SupremoRemoteDesktop", None),
        ("Supremo", "log", "/ProgramData/SupremoRemoteDesktop/Log/Supremo.00.Incoming.log", 22),
        ("UltraViewer", "user data folder", "/Users/bob/AppData/Roaming/UltraViewer", None),
        (
            "UltraViewer",
            "log, chat or connection list",
            "/Users/bob/AppData/Roaming/UltraViewer/ConnectionLog.Log",
            25,
        ),
        ("RustDesk", "downloaded installer", "/Users/bob/Downloads/rustdesk-1.2.3-x86_64.exe", 8),
        (
            "RustDesk",
            "Android app package",
            "/data/app/~~Qx1==/com.carriez.flutter_hbb-Zt2==",
            None,
        ),
        ("RustDesk", "Android APK", "/data/app/~~Qx1==/com.carriez.flutter_hbb-Zt2==/base.apk", 12),
        (
            "TeamViewer QuickSupport",
            "Android app data",
            "/data/data/com.teamviewer.quicksupport.market",
            None,
        ),
        (
            "TeamViewer QuickSupport",
            "Android app preferences",
            "/data/data/com.teamviewer.quicksupport.market/shared_prefs/prefs.xml",
            8,
        ),
    ]
    apk = rows[8]
    # Provenance carries the file's hash; the time is the file's own.
    content = (ra_data / "presence" / apk["source_path"].lstrip("/")).read_bytes()
    assert apk["source_sha256"] == hashlib.sha256(content).hexdigest()
    assert apk["modified"] == apk["modified_raw"] and apk["detail"] == "file"


def test_android_phone_demo(scan, tmp_path: Path, builder: ModuleType) -> None:
    builder.populate_android_phone(tmp_path / "phone-03")
    out = scan(tmp_path / "phone-03", extractors=EXTRACTORS)
    rows = out.records("artifact_presence")
    assert [(row["tool"], row["artifact"], row["source_path"]) for row in rows] == [
        ("AnyDesk", "Android app data", "/data/data/com.anydesk.anydeskandroid"),
        (
            "AnyDesk",
            "Android app preferences",
            "/data/data/com.anydesk.anydeskandroid/shared_prefs/"
            "com.anydesk.anydeskandroid_preferences.xml",
        ),
    ]
    assert rows[1]["modified"] == "2024-03-01T11:02:00Z"


def test_catalogue() -> None:
    assert tool_for("AnyDesk.exe") == "AnyDesk"
    assert tool_for("TeamViewer_Setup_x64.exe") == "TeamViewer"
    assert tool_for("https://download.anydesk.com/AnyDesk.exe") == "AnyDesk"
    assert tool_for("literature-review.pdf") is None
    assert len({rule.glob for rule in PRESENCE_RULES}) == len(PRESENCE_RULES)
