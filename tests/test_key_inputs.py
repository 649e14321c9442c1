"""Any key input is a locked-volume line or a usage error, never a crash, never echoed.

``--key``, ``--key-file`` and a case manifest's ``keys``/``key_files`` take whatever an examiner
(or a script) hands them: garbage, wrong keys, NUL characters, text that is not UTF-8 (a
non-UTF-8 command line reaches Python as surrogate escapes), UTF-16 files, huge files. Each
must end in exit 3 with both volumes of the disk (LUKS1, BitLocker) reported locked, or in a
usage error (exit 2) naming the option; and no output file, no line printed, holds a key. Each
generated key starts with :data:`MARK`, so a key echoed in part is still found.
"""

from __future__ import annotations

import itertools
import json
import re
import struct
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.evidence import built_volumes
from tests.evidence.volume_fixtures import SECTOR
from triage.cli import main
from triage.evidence.volumes.keys import KEY_FILE_MAX

MARK = "QZXK"  # in no output of a locked scan
LUKS_PASSPHRASE = "a passphrase no generated key is"
LOCKED = (
    "partition 1 (Linux (0x83)): LUKS1, locked",
    "partition 2 (NTFS / exFAT (0x07)): BitLocker, locked",
)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def two_volume_disk(first: bytes, second: bytes) -> bytes:
    """An MBR disk: partition 1 (Linux) holds ``first``, partition 2 (NTFS/exFAT) ``second``."""
    mbr = bytearray(SECTOR)
    start, image = 2048, bytearray(2048 * SECTOR)
    for slot, (volume, code) in enumerate(((first, 0x83), (second, 0x07))):
        sectors = -(-len(volume) // SECTOR)
        struct.pack_into("<B3sB3sII", mbr, 446 + 16 * slot, 0, b"", code, b"", start, sectors)
        image += volume.ljust(sectors * SECTOR, b"\0")
        start += sectors
    mbr[510:512] = b"\x55\xaa"
    image[:SECTOR] = mbr
    return bytes(image)


@pytest.fixture(scope="module")
def disk(tmp_path_factory) -> Path:
    bitlocker, _, _ = built_volumes.bitlocker()
    path = tmp_path_factory.mktemp("keys") / "two-volumes.raw"
    path.write_bytes(two_volume_disk(built_volumes.luks1(LUKS_PASSPHRASE), bitlocker))
    path.chmod(0o444)
    return path


_runs = itertools.count()  # a fresh folder per example (tmp_path is one per test)
# A key as it reaches Python: any text, or any bytes of a non-UTF-8 command line.
raw_keys = st.one_of(
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda data: data.decode("utf-8", "surrogateescape")),
    st.sampled_from(
        [
            "111111-222222-333333-444444-555555-666666-777777-888888",  # fails its checksum
            "000000-000011-000022-000033-000044-000055-000066-000077",  # passes it: derived
            "x" * 100_000,
            "\0",
            "  ",
        ]
    ),
)
marked_keys = raw_keys.map(lambda text: MARK + text)
key_files = st.one_of(
    st.binary(max_size=300),
    st.lists(marked_keys, max_size=4).map(
        lambda keys: "\n".join(keys).encode("utf-8", "surrogateescape")
    ),
    st.lists(st.text(max_size=20), max_size=3).map(
        lambda keys: "\n".join(MARK + key for key in keys).encode("utf-16")
    ),
    st.sampled_from([(MARK + "x\n").encode() * (KEY_FILE_MAX // 5 + 1), b"\xff\xfe\xff"]),
)


def _outputs_hold_a_key(out: Path) -> list[str]:
    found = []
    for written in out.rglob("*") if out.is_dir() else ():
        if written.is_file():
            data = written.read_bytes()
            if MARK.encode() in data or MARK.encode("utf-16-le") in data:
                found.append(str(written))
    return found


def _check(result, out: Path, option: str) -> None:
    """Exit 3 with both volumes locked, or exit 2 naming ``option``; no key anywhere."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    event(f"exit {result.exit_code}")
    assert MARK not in result.output
    assert _outputs_hold_a_key(out) == []
    if result.exit_code == 2:
        assert re.search(f"Invalid value for '?{option}", result.output) or (
            f"{option}: " in result.output  # a manifest's error names the manifest
        ), result.output
        return
    assert result.exit_code == 3, result.output
    device = out / "device" if (out / "device").is_dir() else out
    report = json.loads((device / "report.json").read_text(encoding="utf-8"))
    messages = [problem["message"] for problem in report["problems"]]
    assert len(messages) == 2
    assert all(message.startswith(locked) for message, locked in zip(messages, LOCKED, strict=True))
    assert [p["lock_state"] for p in report["partitions"]] == ["locked", "locked"]


@EXAMPLES
@given(
    keys=st.lists(marked_keys, max_size=3),
    key_file=st.none() | key_files,
    bek=st.booleans(),
)
def test_any_key_given_to_scan_is_a_locked_line_or_a_usage_error(
    disk, tmp_path, keys, key_file, bek
):
    folder = tmp_path / f"run{next(_runs)}"
    folder.mkdir()
    arguments = ["scan", str(disk), "-o", str(folder / "out"), "--no-progress", "-j", "1"]
    arguments += ["--hash-only", "--no-image-hash", *(f"--key={key}" for key in keys)]
    if bek:  # a startup key file that is no startup key
        (folder / f"{MARK}.BEK").write_bytes(bytes(range(156)))
        arguments.append(f"--key={folder / MARK}.BEK")
    if key_file is not None:
        (folder / "keys.txt").write_bytes(key_file)
        arguments += ["--key-file", str(folder / "keys.txt")]
    result = CliRunner().invoke(main, arguments)
    _check(result, folder / "out", "--key")


manifest_values = st.one_of(
    marked_keys,
    st.integers(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@settings(EXAMPLES, max_examples=30)
@given(
    device_keys=st.lists(manifest_values, max_size=3),
    case_keys=st.lists(manifest_values, max_size=2),
    key_file=st.none() | key_files,
    other_files=st.lists(st.text(max_size=12) | st.integers(), max_size=1),
)
def test_any_key_in_a_case_manifest_is_a_locked_line_or_a_usage_error(
    disk, tmp_path, device_keys, case_keys, key_file, other_files
):
    run = tmp_path / f"case{next(_runs)}"
    folder = run / "case"
    folder.mkdir(parents=True)
    device: dict[str, object] = {"name": "device", "evidence": str(disk), "keys": device_keys}
    manifest: dict[str, object] = {"case": "K", "keys": case_keys, "devices": [device]}
    if key_file is not None:
        (folder / "keys.txt").write_bytes(key_file)
        device["key_files"] = ["keys.txt"]
    if other_files:  # names of no file, of the folder, with a NUL...
        manifest["key_files"] = other_files
    try:
        text = yaml.safe_dump(manifest)
    except yaml.YAMLError:
        return  # a key YAML cannot write (a lone surrogate): no manifest can hold it
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    out = run / "out"  # never inside the case folder
    result = CliRunner().invoke(
        main,
        ["batch", str(folder / "case.yaml"), "-o", str(out), "--no-progress", "--parallel", "1",
         "-j", "1", "--hash-only", "--no-image-hash"],
    )  # fmt: skip
    _check(result, out, "case.yaml")
