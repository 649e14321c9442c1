"""anydesk.config on real AnyDesk configs (artemis-api test data) and on built fixtures."""

from __future__ import annotations

from pathlib import Path

from triage.extractors.remote_access.anydesk_config import (
    RosterItem,
    parse_conf,
    permission_peers,
    roster_items,
)

from .rows import pick, strip

EXTRACTORS = ["anydesk.config"]


def _conf(path: Path) -> dict[str, str]:
    lines = enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
    values, truncated = parse_conf(lines)
    assert not truncated
    return values


def test_conf_values_match_artemis(corpus: Path) -> None:
    """The values artemis-api's testReadConfig asserts, and the ID its rmm.ts reads."""
    system = _conf(corpus / "remote-access/anydesk/artemis_anydesk_system.conf")
    assert system["ad.inst.id"] == "34b44fe840517fc112b20e806a28ec18"
    assert system["ad.anynet.id"] == "633952986"
    user = _conf(corpus / "remote-access/anydesk/artemis_anydesk_user.conf")
    assert user["ad.roster.discovered.view_type"] == "2"
    assert user["ad.account.recent_logged_in_user"] == "cipice2205@dotxan.com"


def test_corpus_config_events(scan, corpus: Path, place) -> None:
    anydesk = corpus / "remote-access/anydesk"
    evidence = place(
        {
            "etc/anydesk/system.conf": anydesk / "artemis_anydesk_system.conf",
            "home/ubu/.anydesk/user.conf": anydesk / "artemis_anydesk_user.conf",
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    assert out.problems() == []
    events = [
        strip(
            row,
            "extractor",
            "time",
            "time_raw",
            "time_note",
            "url",
            "referrer",
            "remote_ip",
            "session_key",
            "direction",
        )
        for row in out.records("remote_access_events")
    ]
    assert events == [
        {
            "source_path": "/etc/anydesk/system.conf",
            "tool": "AnyDesk",
            "event": "own_id",
            "own_id": "633952986",
            "remote_id": None,
            "remote_alias": None,
            "user": None,
            "detail": "system.conf: ad.anynet.id=633952986 ad.anynet.alias=",
            "own_alias": None,
        },
        {
            "source_path": "/home/ubu/.anydesk/user.conf",
            "tool": "AnyDesk",
            "event": "account",
            "own_id": None,
            "remote_id": None,
            "remote_alias": None,
            "user": "ubu",
            "detail": "my.anydesk account cipice2205@dotxan.com",
            "own_alias": None,
        },
        {
            "source_path": "/home/ubu/.anydesk/user.conf",
            "tool": "AnyDesk",
            "event": "permission_profile",
            "own_id": None,
            "remote_id": "1001025310",
            "remote_alias": None,
            "user": "ubu",
            "detail": "a permission profile is stored for this peer (it connected before)",
            "own_alias": None,
        },
    ]


def test_windows_fixture_config(scan, ra_data: Path) -> None:
    out = scan(ra_data / "anydesk_windows", extractors=EXTRACTORS)
    assert out.problems() == []
    events = out.records("remote_access_events")
    assert [
        (row["event"], row["own_id"], row["own_alias"]) for row in pick(events, event="own_id")
    ] == [("own_id", "987654321", "victim-pc@ad")]
    assert pick(events, event="unattended_access")[0]["detail"] == (
        "an unattended-access password is set (ad.anynet.pwd_hash)"
    )
    book = pick(events, event="address_book")
    assert [(row["remote_id"], row["remote_alias"], row["user"]) for row in book] == [
        ("112233445", "TECH-SUPPORT-7", "victim"),
        ("445566778", None, "victim"),
    ]


def test_roster_and_profile_values() -> None:
    assert roster_items("1050400175,1050400175,,;1183488151,1183488151,,") == [
        RosterItem("1050400175", "1050400175", None),
        RosterItem("1183488151", "1183488151", None),
    ]
    assert roster_items("granny@ad,512345678,Granny PC,;;bad") == [
        RosterItem("granny@ad", "512345678", "Granny PC"),
        RosterItem("bad", None, "bad"),
    ]
    assert permission_peers("1001025310:0000abcd;987:ff;1001025310:00") == ["1001025310", "987"]


def test_hostile_config(scan, place) -> None:
    text = "no equals sign\n=value without key\nad.anynet.id=<script>1</script>\n\xff\xfe\n"
    out = scan(
        place({"ProgramData/AnyDesk/system.conf": text.encode("latin-1")}), extractors=EXTRACTORS
    )
    assert out.problems() == []
    assert [row["own_id"] for row in out.records("remote_access_events")] == ["<script>1</script>"]
