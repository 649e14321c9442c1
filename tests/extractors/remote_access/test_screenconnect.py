"""screenconnect.config on a built ScreenConnect client user.config."""

from __future__ import annotations

from pathlib import Path

from .rows import pick

EXTRACTORS = ["screenconnect.config"]
CONFIG = "ProgramData/ScreenConnect Client (0a1b2c3d4e5f6789)/user.config"


def test_client_config_relay(scan, ra_data: Path) -> None:
    out = scan(ra_data / "screenconnect", extractors=EXTRACTORS)
    assert out.problems() == []
    events = out.records("remote_access_events")
    assert pick(events, event="client_installed")[0]["detail"] == (
        "ScreenConnect client instance 0a1b2c3d4e5f6789"
    )
    relays = pick(events, event="relay")
    assert [
        (row["url"], row["remote_ip"], row["session_key"], row["detail"]) for row in relays
    ] == [
        (
            "relay://instance-7xk2-relay.screenconnect.example:443/",
            None,
            None,
            "LastRelayUri: relay://instance-7xk2-relay.screenconnect.example:443/",
        ),
        (
            "instance-7xk2-relay.screenconnect.example",
            None,
            "6f0b3f4e-8a1c-4d2b-9e3f-7a6b5c4d3e2f",
            "ClientLaunchParameters: relay host instance-7xk2-relay.screenconnect.example, "
            "port 443, session 6f0b3f4e-8a1c-4d2b-9e3f-7a6b5c4d3e2f",
        ),
    ]
    assert len(pick(events, event="config_setting")) == 2


def test_ip_relay_and_hostile_documents(scan, place) -> None:
    evidence = place(
        {
            CONFIG: "<configuration><appSettings>"
            '<add key="Relay" value="h=198.51.100.9&amp;p=8041"/>'
            "</appSettings></configuration>",
            "ProgramData/ScreenConnect Client (ff)/user.config": (
                '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]>'
                "<configuration>&a;</configuration>"
            ),
            "ProgramData/ScreenConnect Client (ee)/user.config": "<configuration><unclosed>",
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    problems = sorted((row["path"], row["message"]) for row in out.problems())
    assert problems[0] == (
        "/ProgramData/ScreenConnect Client (ee)/user.config",
        "the config is not well-formed XML: no element found: line 1, column 25",
    )
    assert problems[1] == (
        "/ProgramData/ScreenConnect Client (ff)/user.config",
        "the config declares a DTD or entities; refused",
    )
    relays = pick(out.records("remote_access_events"), event="relay")
    assert [(row["remote_ip"], row["detail"]) for row in relays] == [
        ("198.51.100.9", "Relay: relay host 198.51.100.9, port 8041")
    ]
