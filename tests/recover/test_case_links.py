"""A recovered call links devices in a case, and the link says it was recovered."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from triage.correlate import DeviceStoreRef, build_case_db, find_links


def test_recovered_call_links_two_devices(scan, build_recover: ModuleType, tmp_path: Path) -> None:
    seized = tmp_path / "seized"
    build_recover.build(build_recover.RECIPES["android"], "wal_main", seized)
    victim = tmp_path / "victim"
    build_recover.calls.write_calllog(
        victim / build_recover.RECIPES["android"].path,
        [{"number": "+1 202-555-0103", "date": 1709287000000, "duration": 20, "type": 1}],
    )
    one = scan(seized, extractors=["android.call_log"], country="US")
    two = scan(victim, extractors=["android.call_log"], country="US")
    connection = build_case_db(
        tmp_path / "case.sqlite",
        [
            DeviceStoreRef("phone-seized", one.output / "triage.sqlite"),
            DeviceStoreRef("phone-victim", two.output / "triage.sqlite"),
        ],
    )
    (link,) = find_links(connection)["phone_numbers"]
    assert link["value"] == "+12025550103"
    assert link["devices"] == ["phone-seized", "phone-victim"]
    assert link["roles"] == ["call", "recovered call"]
    assert (link["records"], link["recovered"]) == (2, 1)
