"""softphone.presence: files of softphones whose call history triage does not parse."""

from __future__ import annotations

import os

from .call_rows import errors

FILES = {
    "Users/agent1/AppData/Roaming/Zoiper5/Config.xml": ("Zoiper", "Zoiper profile file"),
    "Program Files/Zoiper5/Zoiper5.exe": ("Zoiper", "program"),
    "Users/agent1/AppData/Roaming/3CXDesktopApp/config.json": ("3CX", "3CX client file"),
    "Users/agent1/AppData/Roaming/CounterPath/Bria 5/default_user/history.db": (
        "CounterPath Bria/X-Lite/eyeBeam",
        "CounterPath profile file",
    ),
    "Users/agent1/AppData/Local/Packages/Microsoft.YourPhone_8wekyb3d8bbwe/LocalCache/Indexed/"
    "0A1B2C3D/System/Database/calling.db": ("Microsoft Phone Link", "calling database"),
    "Users/agent1/AppData/Local/MicroSIP/microsip_log.txt": ("MicroSIP", "log file"),
    "Users/agent1/AppData/Roaming/MicroSIP/Contacts.xml": ("MicroSIP", "contact list"),
}
MTIME = 1709287320  # 2024-03-01T10:02:00Z


def test_presence_of_unparsed_softphones(calls_scan, tmp_path):
    root = tmp_path / "laptop"
    for relative in [*FILES, "Users/agent1/Documents/notes.txt"]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
        os.utime(path, (MTIME, MTIME))
    out = calls_scan(root, ["softphone.presence"])
    rows = out.records("artifact_presence")
    found = {row["source_path"].lstrip("/"): (row["tool"], row["artifact"]) for row in rows}
    assert found == FILES
    for row in rows:
        assert (row["size"], row["modified"], row["extractor"]) == (
            10,
            "2024-03-01T10:02:00Z",
            "softphone.presence",
        )
    phone_link = next(row for row in rows if row["source_path"].endswith("calling.db"))
    assert phone_link["detail"] == (
        "calls relayed from a paired phone; table layout unverified, review by hand"
    )
    assert out.records("calls") == [] and errors(out) == []
