"""Property tests of the evidence contract, one per evidence kind (issue 15, the systematic part).

Hypothesis builds folders, tar and zip archives and disk images with hostile names (any bytes,
255-byte names, control and bidi characters, formula prefixes, markup), every member kind
(links, hard links, devices, FIFOs, duplicate names) and damage (truncation at any offset,
flipped bytes), scans each with ``triage scan`` in this process, and asserts:

- no traceback: exit 0 or 3; a device that cannot be opened at all ends in a clean error;
- every entry the input holds is listed, under the bytes of its name (undamaged inputs);
- every output parses (:func:`tests.hostile.outputs.check_outputs`) and every stored path is
  shown text (escaping it again changes nothing);
- the evidence's bytes and access times are as they were.

The budget is the suite's: few examples, derandomized, one hashing job. Set
``TRIAGE_PROPERTY_EXAMPLES=N`` to multiply the examples for a longer run.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import struct
import tarfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, example, given, reject, settings
from hypothesis import strategies as st

from tests.hostile.devices import (
    HOSTILE_DATA,
    NodeState,
    age_access_times,
    snapshot,
    store_rows,
)
from tests.hostile.outputs import check_outputs
from triage.cli import main
from triage.evidence.archive import safe_member_path
from triage.names import from_bytes, shown, to_bytes

SCALE = max(1, int(os.environ.get("TRIAGE_PROPERTY_EXAMPLES", "1")))


def examples(count: int):
    """Settings for one property: few examples, the same ones every run."""
    return settings(
        max_examples=count * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),  # no shrinking: the failing input is printed
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                               HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )  # fmt: skip


HOSTILE_NAMES = (
    b"rec_\xff\xfe_call.amr",
    b"caf\xe9.txt",
    "\u202egpj.exe".encode(),
    "\u2066isolate\u2069\u200b.txt".encode(),
    b"=cmd|' -C calc'!A0",
    b"+SUM(1+1)*cmd|' -C calc'!A0",
    b"@SUM(1)",
    b"-2+3",
    b"<script>alert(1)<\\script>",
    b"<img src=x onerror=alert(1)>",
    b"line\nbreak\r.txt",
    b"\x1b[31mred\x07",
    b"tab\there",
    b"a" * 255,
    "\u00e9".encode() * 127,
    b"trailing\\",
    b"x|y|z",
    b"100%41?#frag",
    b" ",
    b"...",
    b"\xc0\x80overlong",
    b"\xed\xa0\x80surrogate",
)
CONTROL_AND_BIDI = st.characters(
    categories=("Cc", "Cf", "Zs", "Lo", "So"), exclude_characters="\x00/"
)


def _clean(name: bytes, limit: int = 255) -> bytes:
    """A name a file system accepts: no '/' or NUL, not '.' or '..', at most ``limit`` bytes."""
    name = name.replace(b"/", b"_").replace(b"\x00", b"_")[:limit]
    return b"_" + name[: limit - 1] if name in (b"", b".", b"..") else name


NAMES = st.one_of(
    st.sampled_from(HOSTILE_NAMES),
    st.binary(min_size=1, max_size=40),
    st.text(CONTROL_AND_BIDI, min_size=1, max_size=30).map(lambda text: text.encode()),
)
MEMBER_KINDS = ("file", "file", "dir", "symlink", "hardlink", "fifo", "chardev", "blockdev")
DAMAGE = st.one_of(
    st.just(("none", 0)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1)),
)


def content_of(name: bytes) -> bytes:
    return b"content of " + name


# Crashes on damaged containers found here that belong to another lane of issue 15 (the
# ``containers`` helper: items 3, 5, 6): (exception type, text in its message, reason).
KNOWN_DAMAGE_CRASHES = (
    (NotImplementedError, "zip file version",
     "issue 15 item 3: a flipped byte in a zip's central directory (version needed) makes "
     "zipfile raise NotImplementedError while opening it"),
)  # fmt: skip


def _scan(evidence: Path, out: Path, damaged: bool):
    """``triage scan`` in this process; a traceback fails the property."""
    result = CliRunner().invoke(
        main, ["scan", os.fsdecode(evidence), "-o", str(out), "--jobs", "1", "--no-progress"]
    )
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        for kind, text, reason in KNOWN_DAMAGE_CRASHES:
            if damaged and isinstance(error, kind) and text in str(error):
                if SCALE > 1:
                    reject()  # a longer run goes on looking for other crashes
                pytest.xfail(reason)
        raise error
    return result


def _stored_paths(out: Path) -> set[bytes]:
    rows = store_rows(out / "triage.sqlite", "SELECT path, path_hex FROM files")
    for row in rows:
        assert shown(row["path"]) == row["path"]  # the store holds only shown text
    return {bytes.fromhex(row["path_hex"]) if row["path_hex"] else row["path"].encode()
            for row in rows}  # fmt: skip


def _check(evidence: Path, out: Path, damaged: bool, expected: set[bytes]) -> set[bytes]:
    """Scan, then assert the contract; returns the stored raw paths."""
    age_access_times(evidence) if evidence.is_dir() else os.utime(evidence, (1e9, 1e9))
    before = snapshot(evidence)
    result = _scan(evidence, out, damaged)
    after = snapshot(evidence)
    # As in test_evidence_never_written: a symbolic link's own atime changes when it is read
    # (readlink has no O_NOATIME), and TSK reads a single raw image through its own open.
    keep_atime = {path for path, state in before.items() if state.kind != "link"}
    if evidence.suffix == ".raw":
        keep_atime = set()
    assert {path: _no_atime(state, path in keep_atime) for path, state in after.items()} == {
        path: _no_atime(state, path in keep_atime) for path, state in before.items()
    }, "the evidence changed (bytes or access times)"
    if not (out / "triage.sqlite").is_file() or result.exit_code not in (0, 3):
        # Only evidence that cannot be opened at all may fail, with a message, and only damaged.
        assert damaged, result.output
        assert result.exit_code in (1, 2) and "triage: error:" in result.output, result.output
        return set()
    check_outputs(out)
    paths = _stored_paths(out)
    if not damaged:
        assert result.exit_code in (0, 3), result.output
        missing = expected - paths
        assert not missing, f"not listed: {sorted(missing)[:5]}"
    return paths


def _no_atime(state: NodeState, keep: bool) -> NodeState:
    return state if keep else replace(state, atime_ns=0)


def _damage(path: Path, damage: tuple[str, float]) -> bool:
    """Truncate the file or flip one byte at a relative offset; True when it changed."""
    kind, where = damage
    data = bytearray(path.read_bytes())
    if kind == "none" or not data:
        return False
    offset = min(int(where * len(data)), len(data) - 1)
    if kind == "truncate":
        del data[offset:]
    else:
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    return True


# -- folders -------------------------------------------------------------------------------------
@examples(5)
@given(
    entries=st.lists(st.tuples(st.sampled_from(MEMBER_KINDS), NAMES, st.booleans()),
                     min_size=1, max_size=8),
    target=st.binary(max_size=60),
)  # fmt: skip
def test_folder_of_hostile_entries(tmp_path_factory, entries, target) -> None:
    work = tmp_path_factory.mktemp("folder")
    root = os.fsencode(work / "evidence")
    os.mkdir(root)
    subdir = b"sub\xff\xfe"
    os.mkdir(os.path.join(root, subdir))
    expected = {b"/" + subdir}
    first_file = None
    for kind, raw, nested in entries:
        name = _clean(raw)
        relative = os.path.join(subdir, name) if nested else name
        path = os.path.join(root, relative)
        if os.path.lexists(path):
            continue  # one name, one entry (duplicates are an archive's matter)
        try:
            if kind == "dir":
                os.mkdir(path)
            elif kind == "symlink":
                os.symlink(_clean(target or b"x", 200), path)
            elif kind == "hardlink" and first_file:
                os.link(first_file, path)
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind in ("chardev", "blockdev"):
                mode = stat.S_IFCHR if kind == "chardev" else stat.S_IFBLK
                os.mknod(path, mode | 0o600, os.makedev(1, 3))
            else:
                with open(path, "wb") as handle:
                    handle.write(content_of(name))
                first_file = first_file or path
        except PermissionError:
            continue  # device nodes need root
        expected.add(b"/" + relative)
    _check(Path(os.fsdecode(root)), work / "out", False, expected)


# -- tar -----------------------------------------------------------------------------------------
def _tar_bytes(members, compress: bool, fmt: int) -> tuple[bytes, set[bytes]]:
    buffer = io.BytesIO()
    expected: set[bytes] = set()
    first_file = None
    with tarfile.open(fileobj=buffer, mode="w", format=fmt, encoding="utf-8",
                      errors="surrogateescape") as archive:  # fmt: skip
        for kind, raw, link in members:
            name = from_bytes(raw.replace(b"\x00", b"_"))
            info = tarfile.TarInfo(name)
            data = b""
            if kind == "file":
                data = content_of(raw)
                first_file = first_file or name
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, from_bytes(link.replace(b"\0", b"_"))
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, first_file or name
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
            else:
                info.type = tarfile.CHRTYPE if kind == "chardev" else tarfile.BLKTYPE
                info.devmajor, info.devminor = 1, 3
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            expected.add(to_bytes(str(safe_member_path(info.name)[0])))
    data = buffer.getvalue()
    return (gzip.compress(data, mtime=0) if compress else data), expected


@examples(8)
@given(
    members=st.lists(st.tuples(st.sampled_from(MEMBER_KINDS), NAMES, st.binary(max_size=30)),
                     min_size=1, max_size=8),
    duplicate=st.booleans(),
    compress=st.booleans(),
    fmt=st.sampled_from((tarfile.GNU_FORMAT, tarfile.PAX_FORMAT)),
    damage=DAMAGE,
)  # fmt: skip
# Found here: a tar.gz damaged in its first block raised zlib.error out of detection.
@example(members=[("file", b"a", b"")], duplicate=False, compress=True, fmt=tarfile.GNU_FORMAT,
         damage=("flip", 0.3))  # fmt: skip
def test_tar_of_hostile_members(tmp_path_factory, members, duplicate, compress, fmt, damage):
    work = tmp_path_factory.mktemp("tar")
    if duplicate:
        members = [*members, members[0]]
    data, expected = _tar_bytes(members, compress, fmt)
    evidence = work / ("phone.tar.gz" if compress else "phone.tar")
    evidence.write_bytes(data)
    damaged = _damage(evidence, damage)
    _check(evidence, work / "out", damaged, expected)


# -- zip -----------------------------------------------------------------------------------------
def _zip_bytes(members) -> tuple[bytes, set[bytes]]:
    """A zip written by hand, so names are exactly the bytes drawn and the UTF-8 flag is set
    or not as drawn (zipfile would re-encode them)."""
    out = io.BytesIO()
    central = []
    expected: set[bytes] = set()
    for kind, raw, flag, deflate in members:
        name = raw + (b"/" if kind == "dir" else b"")
        data = b"" if kind == "dir" else content_of(raw)
        stored = zlib.compress(data)[2:-4] if deflate else data
        crc = zlib.crc32(data)
        flags = 0x800 if flag else 0
        method = 8 if deflate else 0
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21,
                              crc, len(stored), len(data), len(name), 0))  # fmt: skip
        out.write(name + stored)
        mode = {"symlink": 0o120777, "dir": 0o40755}.get(kind, 0o100644)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x31E, 20, flags, method, 0,
                                   0x21, crc, len(stored), len(data), len(name), 0, 0, 0, 0,
                                   mode << 16, offset) + name)  # fmt: skip
        expected.add(to_bytes(str(safe_member_path(from_bytes(raw))[0])))
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size,
                          start, 0))  # fmt: skip
    return out.getvalue(), expected


@examples(8)
@given(
    members=st.lists(
        st.tuples(st.sampled_from(("file", "file", "dir", "symlink")),
                  st.one_of(NAMES, st.binary(min_size=1, max_size=20)), st.booleans(),
                  st.booleans()),
        min_size=1, max_size=8),
    duplicate=st.booleans(),
    damage=DAMAGE,
)  # fmt: skip
# Found here: a name starting with NUL made zipfile's ZipInfo.is_dir raise IndexError.
@example(members=[("file", b"\x00", False, False)], duplicate=False, damage=("none", 0))
def test_zip_of_hostile_members(tmp_path_factory, members, duplicate, damage) -> None:
    work = tmp_path_factory.mktemp("zip")
    if duplicate:
        members = [*members, members[0]]
    data, expected = _zip_bytes(members)
    evidence = work / "phone.zip"
    evidence.write_bytes(data)
    damaged = _damage(evidence, damage)
    _check(evidence, work / "out", damaged, expected)


# -- disk images ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_images(images) -> dict[str, Path]:
    """The committed FAT/ext/NTFS/exFAT images and the ext2 image of hostile names."""
    found = {name: images[name] for name in ("ntfs", "mbr", "gpt")}
    names = images["ntfs"].parent / "names.ext2.raw"
    if not names.exists():
        with gzip.open(HOSTILE_DATA / "names.ext2.raw.gz") as source, open(names, "wb") as out:
            shutil.copyfileobj(source, out)
    found["names"] = names
    return found


@examples(7)
@given(
    base=st.sampled_from(("names", "ntfs", "mbr", "gpt", "names")),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), max_size=12),
    metadata=st.booleans(),
    truncate=st.one_of(st.none(), st.floats(0.05, 1)),
)  # fmt: skip
def test_disk_image_damaged(tmp_path_factory, base_images, base, flips, metadata, truncate):
    """Flipped bytes (in the first 1 MiB, where file system metadata sits, or anywhere) and
    truncation of the images of every file system TSK reads here (NTFS, FAT16/32, exFAT, ext2,
    ext4, MBR and GPT)."""
    work = tmp_path_factory.mktemp("image")
    evidence = work / f"{base}.raw"
    shutil.copyfile(base_images[base], evidence)
    data = bytearray(evidence.read_bytes())
    span = min(len(data), 1 << 20) if metadata else len(data)
    for where, mask in flips:
        data[min(int(where * span), len(data) - 1)] ^= mask
    if truncate is not None:
        del data[max(512, int(truncate * len(data))) :]
    evidence.write_bytes(bytes(data))
    damaged = bool(flips) or truncate is not None
    paths = _check(evidence, work / "out", damaged, set())
    if not damaged:
        assert paths
