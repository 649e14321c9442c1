"""Meta-tests over everything registered or shipped: extractors, profiles, packaging."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO
from triage.extractors import EXTRACTOR_CLASSES, all_extractors
from triage.extractors.base import Extractor
from triage.profile_loader import load_profiles
from triage.records import RECORD_TYPES

TEST_SOURCES = "\n".join(
    path.read_text(encoding="utf-8", errors="replace")
    for path in (REPO / "tests").rglob("test_*.py")
)


@pytest.mark.parametrize("cls", EXTRACTOR_CLASSES, ids=lambda cls: cls.name)
def test_every_extractor_keeps_the_contract(cls: type[Extractor]):
    assert cls.__doc__ and len(cls.__doc__.strip()) > 40, "docstring says where and what"
    assert cls.name.count(".") == 1 and cls.name == cls.name.lower()
    assert cls.description
    assert cls.record_types and all(kind in RECORD_TYPES for kind in cls.record_types)
    assert cls.patterns or cls.sqlite_tables
    assert f'"{cls.name}"' in TEST_SOURCES or f"'{cls.name}'" in TEST_SOURCES, (
        f"no test names extractor {cls.name}"
    )


def test_every_family_has_fixtures_with_their_generator():
    families = {cls.__module__.split(".")[2] for cls in EXTRACTOR_CLASSES}
    for family in families:
        folder = REPO / "tests" / "data" / family
        assert (folder / "SOURCE.md").is_file(), family
        assert list(folder.glob("build_*.py")), family


def test_registry_has_no_duplicates_and_every_profile_loads():
    assert len(all_extractors()) == len(EXTRACTOR_CLASSES)
    profiles = load_profiles()
    assert {"windows", "android", "ios", "macos", "linux", "router", "generic"} <= set(profiles)
    assert set(profiles["generic"].extractors) == set(all_extractors())
    for profile in profiles.values():
        assert profile.extractors, profile.name


def test_every_record_type_names_a_table_and_timeline_fields():
    tables = [kind.table for kind in RECORD_TYPES]
    assert len(tables) == len(set(tables))
    for kind in RECORD_TYPES:
        fields = kind.__dataclass_fields__
        assert "source" in fields
        for field in kind.timeline:
            assert field in fields and f"{field}_raw" in fields, (kind.__name__, field)


def test_the_wheel_ships_profiles_templates_schema_and_demo(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("triage-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "triage/profiles/__init__.py",
        "triage/profiles/windows.yaml",
        "triage/profiles/generic.yaml",
        "triage/report/templates/report.html.j2",
        "triage/report/templates/case.html.j2",
        "triage/report/templates/_script.js",
        "triage/report/templates/_style.css.j2",
        "triage/report/schema/report.schema.json",
        "triage/demo/data/case.yaml",
        "triage/demo/data/laptop-01.E01",
        "triage/demo/data/phone-03.tar.gz",
        "triage/demo/data/router-01.tar.gz",
    ):
        assert needed in names, needed
    assert not any(name.startswith(("tests/", "cli.py")) for name in names)
    for family in ("browser", "calls", "remote_access", "identity", "router"):
        assert f"triage/extractors/{family}/__init__.py" in names
    for package in (REPO / "triage").rglob("__init__.py"):  # every package listed in setup.cfg
        assert package.relative_to(REPO).as_posix() in names, package
    assert len([line for line in (REPO / "cli.py").read_text().splitlines() if line.strip()]) <= 3
