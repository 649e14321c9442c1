"""The family's registration: ids, record types, patterns, docstrings."""

from __future__ import annotations

import re

from triage.extractors import all_extractors
from triage.extractors.base import compile_patterns
from triage.extractors.remote_access import EXTRACTORS
from triage.records import RECORD_TYPES, ArtifactPresence, RemoteAccessEvent, RemoteAccessSession


def test_extractor_ids_and_contract() -> None:
    assert [cls.name for cls in EXTRACTORS] == [
        "anydesk.traces",
        "anydesk.config",
        "teamviewer.connections",
        "teamviewer.logfile",
        "rustdesk.logs",
        "splashtop.logs",
        "screenconnect.config",
        "remote_access.zone_identifier",
        "remote_access.presence",
    ]
    registry = all_extractors()
    for cls in EXTRACTORS:
        assert registry[cls.name] is cls
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", cls.name)
        assert cls.__doc__ and "Where" in cls.__doc__ and cls.description
        assert cls.record_types and set(cls.record_types) <= set(RECORD_TYPES)
        assert cls.patterns
        compile_patterns(cls.patterns)
    sessions = {cls.name for cls in EXTRACTORS if RemoteAccessSession in cls.record_types}
    assert sessions == {
        "anydesk.traces",
        "teamviewer.connections",
        "teamviewer.logfile",
        "rustdesk.logs",
        "splashtop.logs",
    }
    assert all(RemoteAccessEvent in cls.record_types for cls in EXTRACTORS[:-1])
    assert EXTRACTORS[-1].record_types == (ArtifactPresence,)
