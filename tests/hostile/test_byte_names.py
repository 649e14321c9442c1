"""Names are bytes (issue 15, item 1): any byte sequence is stored, hashed, listed and reported.

Each evidence kind gets names that are not UTF-8 (and control, bidi, formula and markup names);
each used to crash the scan with UnicodeEncodeError/UnicodeDecodeError and lose the device. Now
the store shows them escaped (``\\xNN``) and keeps the path's bytes in ``path_hex``, and every
output (SQLite, CSV, JSON, HTML, DFXML, hashdeep list, bodyfile) holds them.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import os
import shutil
import sqlite3
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DATA
from tests.hostile.devices import HOSTILE_DATA
from tests.hostile.outputs import check_outputs
from triage.cli import main
from triage.names import (
    ESCAPED,
    from_bytes,
    not_utf8,
    raw_hex,
    shown,
    sqlite_uri,
    storable,
    to_bytes,
)

_spec = importlib.util.spec_from_file_location("build_names", HOSTILE_DATA / "build_names.py")
assert _spec and _spec.loader
build_names = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_names)

LATIN1 = b"caf\xe9.txt"
NOT_UTF8 = b"rec_\xff\xfe_call.amr"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_scan(evidence: bytes | Path, out: bytes | Path, *extra: str):
    """``triage scan`` in this process, paths given as bytes decoded as argv would be."""
    args = [os.fsdecode(evidence), "-o", os.fsdecode(out), "--jobs", "1", "--no-progress", *extra]
    result = CliRunner().invoke(main, ["scan", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def stored(out: Path) -> dict[bytes, sqlite3.Row]:
    """The store's file rows by the raw bytes of their paths."""
    connection = sqlite3.connect(sqlite_uri(out / "triage.sqlite"), uri=True)
    connection.row_factory = sqlite3.Row
    rows = connection.execute("SELECT * FROM files").fetchall()
    connection.close()
    return {
        bytes.fromhex(row["path_hex"]) if row["path_hex"] else row["path"].encode(): row
        for row in rows
    }


def assert_listed(out: Path, *entries: tuple[bytes, bytes]) -> None:
    """Each (raw path, content) is in the store and every output, escaped, with its hash."""
    rows = stored(out)
    outputs = check_outputs(out)
    for raw_path, content in entries:
        _assert_listed(rows, outputs, raw_path, content)


def _assert_listed(rows, outputs, raw_path: bytes, content: bytes) -> None:
    assert raw_path in rows, sorted(rows)
    row = rows[raw_path]
    text = shown(os.fsdecode(raw_path))
    assert row["path"] == text and row["sha256"] == sha256(content)
    assert (row["path_hex"] is not None) == (raw_path != text.encode())
    by_path = {line["path"]: line for line in outputs.files}
    csv_path = text if not text.startswith(("=", "+", "-", "@")) else "'" + text
    assert by_path[csv_path]["sha256"] == row["sha256"]
    assert by_path[csv_path]["path_hex"] == (row["path_hex"] or "")
    listed = (f"p{row['partition']}/" if row["partition"] is not None else "") + text.lstrip("/")
    assert outputs.hashes["./" + listed] == row["sha256"]
    body = "/" + listed.replace("\\", "\\\\").replace("|", "\\|")
    assert any(fields[1] == body for fields in outputs.bodyfile)
    assert {"filename": text.lstrip("/"), "path_hex": row["path_hex"] or ""} in outputs.dfxml
    assert "img" not in outputs.html_tags  # markup in a name stays text


def _tar(path: Path, names: list[bytes], mode: str = "w", fmt: int = tarfile.GNU_FORMAT) -> Path:
    with tarfile.open(path, mode, format=fmt, encoding="utf-8", errors="surrogateescape") as tar:
        for name in names:
            info = tarfile.TarInfo(os.fsdecode(name))
            data = b"hello " + name
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("suffix", "mode", "fmt"),
    [("tar", "w", tarfile.GNU_FORMAT), ("tar.gz", "w:gz", tarfile.PAX_FORMAT)],
)
def test_tar_member_names_that_are_not_utf8(tmp_path: Path, suffix, mode, fmt) -> None:
    evidence = _tar(tmp_path / f"phone.{suffix}", [NOT_UTF8, LATIN1, b"ok.txt"], mode, fmt)
    result = run_scan(evidence, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert_listed(
        tmp_path / "out",
        (b"/" + NOT_UTF8, b"hello " + NOT_UTF8),
        (b"/" + LATIN1, b"hello " + LATIN1),
    )
    assert stored(tmp_path / "out")[b"/" + LATIN1]["path"] == "/caf\\xe9.txt"


def _zip_with(tmp_path: Path, placeholder: str, raw: bytes, name: str = "x.zip") -> Path:
    """A zip whose one member's name bytes are swapped for ``raw`` (same length) after writing,
    so the UTF-8 flag zipfile set for the placeholder stays on (or off) as it was."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(placeholder, b"zip " + raw)
        archive.writestr("ok.txt", b"ok")
    encoded = placeholder.encode()
    assert len(encoded) == len(raw)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().replace(encoded, raw))
    return path


def test_zip_flagged_utf8_with_a_name_that_is_not(tmp_path: Path) -> None:
    raw = b"\xff\xfe_call.amr"
    evidence = _zip_with(tmp_path, "\u00e9_call.amr", raw)  # é sets the flag, 2 bytes
    result = run_scan(evidence, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert_listed(tmp_path / "out", (b"/" + raw, b"zip " + raw))
    assert "marks it UTF-8" in stored(tmp_path / "out")[b"/" + raw]["note"]


def test_zip_without_the_flag_cp437_and_utf8_names(tmp_path: Path) -> None:
    cp437 = b"caf\x82.txt"  # é in cp437
    evidence = _zip_with(tmp_path, "cafX.txt", cp437)
    run_scan(evidence, tmp_path / "out")
    assert_listed(tmp_path / "out", (b"/" + cp437, b"zip " + cp437))
    assert "read as cp437 it is 'caf\u00e9.txt'" in stored(tmp_path / "out")[b"/" + cp437]["note"]
    utf8 = "caf\u00e9.txt".encode()  # UTF-8 without the flag (Info-ZIP, Android): read as UTF-8
    evidence = _zip_with(tmp_path, "cafXX.txt", utf8, "y.zip")
    run_scan(evidence, tmp_path / "out2")
    assert_listed(tmp_path / "out2", (b"/" + utf8, b"zip " + utf8))


def test_folder_names_that_are_not_utf8(tmp_path: Path) -> None:
    root = os.fsencode(tmp_path / "tree")
    os.makedirs(os.path.join(root, b"dir\xff"))
    for name in (LATIN1, NOT_UTF8, b"dir\xff/inner.txt", b"tab\there.txt"):
        with open(os.path.join(root, name), "wb") as handle:
            handle.write(b"folder " + name)
    run_scan(root, tmp_path / "out")
    names = (LATIN1, NOT_UTF8, b"dir\xff/inner.txt", b"tab\there.txt")
    assert_listed(tmp_path / "out", *((b"/" + name, b"folder " + name) for name in names))


def test_ext2_image_with_hostile_names(tmp_path: Path) -> None:
    """TSK gives names as bytes: every one of them listed, escaped where needed, hashed."""
    image = tmp_path / "names.raw"
    with gzip.open(HOSTILE_DATA / "names.ext2.raw.gz") as source, open(image, "wb") as target:
        shutil.copyfileobj(source, target)
    result = run_scan(image, tmp_path / "out")
    assert result.exit_code == 0, result.output
    rows = stored(tmp_path / "out")
    assert_listed(
        tmp_path / "out",
        *(
            (b"/" + (folder + b"/" if folder else b"") + name, build_names.content(name))
            for folder, name in build_names.NAMES
        ),
    )
    assert rows[b"/\xe2\x80\xaegpj.exe"]["path"] == "/\\u202egpj.exe"  # the override is visible
    assert rows[b"/line\nbreak.txt"]["path"] == "/line\\u000abreak.txt"


def test_itunes_backup_with_a_relative_path_that_is_not_utf8(tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    shutil.copytree(DATA / "identity" / "iphone_backup", backup)
    file_id = "ab" + "0" * 38
    (backup / "ab").mkdir()
    (backup / "ab" / file_id).write_bytes(b"voice memo")
    connection = sqlite3.connect(backup / "Manifest.db")
    connection.execute(
        "INSERT INTO Files (fileID, domain, relativePath, flags, file) "
        "VALUES (?, 'HomeDomain', CAST(? AS TEXT), 1, NULL)",
        (file_id, b"Media/Recordings/m\xe9mo.m4a"),
    )
    connection.commit()
    connection.close()
    result = run_scan(backup, tmp_path / "out")
    assert result.exit_code in (0, 3), result.output
    raw = b"/private/var/mobile/Media/Recordings/m\xe9mo.m4a"
    row = stored(tmp_path / "out")[raw]
    assert row["path"] == shown(os.fsdecode(raw)) and row["sha256"] == sha256(b"voice memo")
    check_outputs(tmp_path / "out")


def test_evidence_and_output_paths_that_are_not_utf8(tmp_path: Path) -> None:
    evidence = os.path.join(os.fsencode(tmp_path), b"ev\xff.tar")
    _tar(Path(os.fsdecode(evidence)), [b"a.txt"])
    out = os.path.join(os.fsencode(tmp_path), b"out\xfe?#%41")  # and URI characters
    result = run_scan(evidence, out)
    assert result.exit_code == 0, result.output
    out_path = Path(os.fsdecode(out))
    check_outputs(out_path)
    connection = sqlite3.connect(out_path / "triage.sqlite")
    (path,) = connection.execute("SELECT path FROM evidence").fetchone()
    (command,) = connection.execute("SELECT command_line FROM runs").fetchone()
    connection.close()
    assert path.endswith("/ev\\xff.tar")
    assert "\\xfe" in (out_path / "hashes.txt").read_text(encoding="utf-8").split("\n")[2]
    assert command  # stored, escaped


def test_batch_with_names_that_are_not_utf8(tmp_path: Path) -> None:
    case = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"case\xff")))
    case.mkdir()
    _tar(case / os.fsdecode(b"caf\xe9.tar"), [NOT_UTF8])
    (case / os.fsdecode(b"caf\xe9.tar.txt")).write_text("notes")  # an imager's notes on it
    out = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"out\xff")))
    result = CliRunner().invoke(main, ["batch", str(case), "-o", str(out), "--parallel", "1",
                                       "-j", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((out / "case.json").read_text(encoding="utf-8"))
    assert data["case"] == "case\\xff"
    assert [device["evidence"] for device in data["devices"]] == ["caf\\xe9.tar"]
    assert data["skipped_items"][0]["item"] == "caf\\xe9.tar.txt"
    assert_listed(out / data["devices"][0]["name"], (b"/" + NOT_UTF8, b"hello " + NOT_UTF8))


@pytest.mark.parametrize(("fixture", "name"), [("gpt_e01", b"g\xff.E01"), ("mbr", b"m\xff.001")])
def test_image_paths_that_are_not_utf8(tmp_path: Path, images, fixture, name) -> None:
    """An E01 set (libewf takes only UTF-8 names) and a split raw image under byte names."""
    evidence = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), name)))
    shutil.copyfile(images[fixture], evidence)
    result = run_scan(evidence, tmp_path / "out", "--hash-only")
    assert result.exit_code == 0, result.output
    connection = sqlite3.connect(tmp_path / "out" / "triage.sqlite")
    path, segments, verification = connection.execute(
        "SELECT path, segments, verification FROM evidence"
    ).fetchone()
    connection.close()
    assert path == shown(str(evidence)) and json.loads(segments) == [path]
    assert verification.startswith("verified" if fixture == "gpt_e01" else "no stored hash")
    check_outputs(tmp_path / "out")


def test_vm_disk_path_that_is_not_utf8(tmp_path: Path, corpus) -> None:
    """libyal opens VM disks by UTF-8 name only: a QCOW2 under a byte name is read through a
    file object instead."""
    evidence = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"vm\xff.qcow2")))
    shutil.copyfile(corpus / "disk-images" / "dfvfs_ext2.qcow2", evidence)
    result = run_scan(evidence, tmp_path / "out", "--hash-only")
    assert result.exit_code in (0, 3), result.output
    rows = stored(tmp_path / "out")
    assert rows and any(row["sha256"] for row in rows.values())
    check_outputs(tmp_path / "out")


@settings(max_examples=300, derandomize=True, database=None)
@given(raw=st.binary(max_size=64) | st.text(max_size=20).map(str.encode))
def test_any_bytes_are_shown_printable_and_kept_exactly(raw: bytes) -> None:
    """The name convention: bytes -> text without loss; shown text is printable UTF-8 that
    escaping again leaves alone; the shown text and the hex give back the exact bytes."""
    name = from_bytes(raw)
    assert to_bytes(name) == raw
    text = shown(name)
    text.encode("utf-8")  # any output can hold it
    assert ESCAPED.search(text) is None and shown(text) == text
    hexed = raw_hex(name)
    assert (bytes.fromhex(hexed) if hexed else text.encode()) == raw
    storable(name).encode("utf-8")  # free text from evidence: storable too
    try:
        raw.decode("utf-8")
        assert not not_utf8(name)
    except UnicodeDecodeError:
        assert not_utf8(name) and hexed is not None
