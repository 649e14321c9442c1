"""linux.identity and macos.identity on small file-system trees built here."""

from __future__ import annotations

import plistlib
from pathlib import Path

from .expected import fact


def _write(root: Path, path: str, data: bytes | str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode() if isinstance(data, str) else data)


def test_linux_identity(tmp_path: Path, identity_scan) -> None:
    """os-release, hostname, timezone, machine-id and the people of /etc/passwd."""
    root = tmp_path / "box"
    _write(
        root,
        "etc/os-release",
        'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n'
        "BROKEN='unbalanced\n",
    )
    _write(root, "etc/hostname", "# set by installer\ncc-desk-07\n")
    _write(root, "etc/timezone", "Asia/Kolkata\n")
    _write(root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n")
    _write(
        root,
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "agent7:x:1000:1000:Agent Seven,,,:/home/agent7:/bin/bash\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        "garbage line without fields\n"
        "evil:x:1001:1001:<script>\x07:/home/evil:/bin/sh\n",
    )
    out = identity_scan(root, "linux.identity")
    assert out.problems() == []
    assert out.facts() == [
        fact("os", "computer_name", "cc-desk-07"),
        fact("device", "machine_id", "0123456789abcdef0123456789abcdef"),
        fact("os", "os_product", "Ubuntu", detail="id ubuntu"),
        fact("os", "os_version", "22.04", detail="Ubuntu 22.04.4 LTS"),
        fact(
            "user", "user_account", "root", detail="uid 0; name root; home /root; shell /bin/bash"
        ),
        fact(
            "user",
            "user_account",
            "agent7",
            detail="uid 1000; name Agent Seven; home /home/agent7; shell /bin/bash",
        ),
        fact(
            "user",
            "user_account",
            "evil",
            detail="uid 1001; name <script>\\x07; home /home/evil; shell /bin/sh",
        ),
        fact("os", "timezone", "Asia/Kolkata"),
    ]


def test_macos_identity(tmp_path: Path, identity_scan) -> None:
    """SystemVersion, computer and host names, and the person's dslocal record."""
    root = tmp_path / "mac"
    _write(
        root,
        "System/Library/CoreServices/SystemVersion.plist",
        plistlib.dumps(
            {"ProductName": "macOS", "ProductVersion": "14.3.1", "ProductBuildVersion": "23D60"}
        ),
    )
    _write(
        root,
        "Library/Preferences/SystemConfiguration/preferences.plist",
        plistlib.dumps(
            {
                "System": {
                    "System": {"ComputerName": "CC MacBook", "HostName": "cc-mbp"},
                    "Network": {"HostNames": {"LocalHostName": "CC-MacBook"}},
                }
            },
            fmt=plistlib.FMT_BINARY,
        ),
    )
    policy = plistlib.dumps({"creationTime": 1706774400.5, "passwordLastSetTime": 1706774500})
    users = "private/var/db/dslocal/nodes/Default/users"
    _write(
        root,
        f"{users}/agent9.plist",
        plistlib.dumps(
            {
                "name": ["agent9"],
                "uid": ["501"],
                "realname": ["Agent Nine"],
                "home": ["/Users/agent9"],
                "generateduid": ["6C2D7E10-0000-4000-8000-000000000009"],
                "accountPolicyData": [policy],
            },
            fmt=plistlib.FMT_BINARY,
        ),
    )
    _write(
        root, f"{users}/_spotlight.plist", plistlib.dumps({"name": ["_spotlight"], "uid": ["89"]})
    )
    _write(root, f"{users}/broken.plist", b"bplist00\x00\x01garbage")
    out = identity_scan(root, "macos.identity")
    assert out.facts() == [
        fact("device", "device_name", "CC MacBook", detail="SystemConfiguration ComputerName"),
        fact("network", "hostname", "CC-MacBook", detail="LocalHostName (Bonjour / DHCP)"),
        fact("network", "hostname", "cc-mbp", detail="SystemConfiguration HostName"),
        fact("os", "os_product", "macOS"),
        fact("os", "os_version", "14.3.1", detail="build 23D60"),
        fact("os", "os_build", "23D60"),
        fact(
            "user",
            "user_account",
            "agent9",
            time="2024-02-01T08:00:00.500000Z",
            time_raw="2024-02-01T08:00:00.500000Z",
            time_note="account created (accountPolicyData creationTime)",
            detail="uid 501; name Agent Nine; home /Users/agent9; "
            "GUID 6C2D7E10-0000-4000-8000-000000000009; password set 2024-02-01T08:01:40Z",
        ),
    ]
    (problem,) = out.problems()
    assert problem[0] == "error" and problem[2] == f"/{users}/broken.plist"
    assert problem[1].startswith("cannot be read: ")


def test_auto_profiles_run_their_identity(tmp_path: Path, scan) -> None:
    """--profile auto on a Linux tree picks linux and runs linux.identity."""
    root = tmp_path / "box"
    _write(root, "etc/os-release", 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\n')
    _write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
    _write(root, "etc/hostname", "cc-gw-backup\n")
    out = scan(root, hash_files=False, hash_evidence=False)
    meta = {row["key"]: row["value"] for row in out.rows("SELECT * FROM meta")}
    assert meta["profile"] == "linux"
    assert [r["value"] for r in out.records("identity") if r["key"] == "computer_name"] == [
        "cc-gw-backup"
    ]
