"""Damaged archives are read as far as they go, and the damage is a problem line.

Each input is built here from a small good tar or zip, then cut or changed the way evidence is
damaged: a zip without its central directory, a tar cut inside a member or before its end
block, an empty tar, a tar.gz failing its CRC, a tar.xz cut short, a tar.bz2 declaring a
200 GB member (a decompression bomb).
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import tarfile
import zipfile

import pytest

ONE, TWO, THREE = b"one\n" * 1000, b"two\n" * 3000, b"three\n" * 10
T_MODIFIED = 1709283600


def tar_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), T_MODIFIED
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


GOOD_TAR = tar_bytes([("a/one.txt", ONE), ("a/two.txt", TWO), ("a/three.txt", THREE)])


def zip_bytes(streamed: bool = False) -> bytes:
    class Unseekable(io.RawIOBase):  # zipfile writes data descriptors to a stream it cannot seek
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, chunk) -> int:
            self.data += chunk
            return len(chunk)

    target = Unseekable() if streamed else io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("a/one.txt", ONE), ("a/two.txt", TWO)):
            with archive.open(name, "w") as member:
                member.write(data)
        archive.writestr(zipfile.ZipInfo("a/stored.txt"), THREE)
    return bytes(target.data) if streamed else target.getvalue()


def listed(out) -> dict[str, str | None]:
    return {row["path"]: row["sha256"] for row in out.files() if row["kind"] == "file"}


def walk_problems(out) -> list[tuple[str, str]]:
    return [(p["path"], p["message"]) for p in out.problems() if p["stage"] == "walk"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("streamed", [False, True])
def test_zip_without_central_directory_is_read_from_its_local_headers(tmp_path, scan, streamed):
    data = zip_bytes(streamed)
    evidence = tmp_path / "phone.zip"
    evidence.write_bytes(data[: data.index(b"PK\x01\x02")])
    out = scan(evidence, extractors=[])
    assert listed(out) == {
        "/a/one.txt": sha(ONE),
        "/a/two.txt": sha(TWO),
        "/a/stored.txt": sha(THREE),
    }
    assert walk_problems(out) == [
        (
            str(evidence.absolute()),
            "zip central directory unusable (File is not a zip file): 3 member(s) found by "
            f"their local headers; the file ends at byte {evidence.stat().st_size}, after the "
            "last member",
        )
    ]
    assert out.result.status == "done with problems"


def test_zip_cut_inside_a_member_lists_the_members_before_it(tmp_path, scan):
    data = zip_bytes()
    evidence = tmp_path / "cut.zip"
    stored_at = data.index(b"PK\x03\x04", data.index(b"a/two.txt"))
    evidence.write_bytes(data[: stored_at + 50])  # its header whole, 8 of its 70 bytes
    out = scan(evidence, extractors=[])
    files = listed(out)
    assert files["/a/one.txt"] == sha(ONE) and files["/a/two.txt"] == sha(TWO)
    assert files["/a/stored.txt"] is None  # listed, not readable: its hash problem says so
    assert any(f"member at byte {stored_at} is cut short" in text for _, text in walk_problems(out))


def test_tar_cut_inside_a_member(tmp_path, scan):
    evidence = tmp_path / "cut.tar"
    evidence.write_bytes(GOOD_TAR[:6000])  # inside a/two.txt's data
    out = scan(evidence, extractors=[])
    assert listed(out) == {"/a/one.txt": sha(ONE), "/a/two.txt": None}
    assert walk_problems(out) == [
        (
            str(evidence.absolute()),
            "archive is damaged or truncated, listing stopped after member '/a/two.txt': "
            "unexpected end of data",
        )
    ]
    assert [p["message"] for p in out.problems() if p["stage"] == "hash"] == [
        "unreadable after 0 of 12000 bytes: archive ends 11120 bytes into this member"
    ]


def test_tar_cut_before_its_end_block_is_reported(tmp_path, scan):
    evidence = tmp_path / "cut-end.tar"
    end = 512 * ((512 + len(ONE) + 511) // 512 + (512 + len(TWO) + 511) // 512 + 2)
    evidence.write_bytes(GOOD_TAR[:end])  # every member whole, no end-of-archive block
    out = scan(evidence, extractors=[])
    assert listed(out) == {
        "/a/one.txt": sha(ONE),
        "/a/two.txt": sha(TWO),
        "/a/three.txt": sha(THREE),
    }
    assert walk_problems(out) == [
        (
            str(evidence.absolute()),
            f"archive is truncated: it ends at byte {end}, before its end-of-archive block "
            "after member '/a/three.txt'",
        )
    ]


def test_empty_tar_is_an_archive_with_no_members(tmp_path, scan):
    evidence = tmp_path / "empty.tar"
    evidence.write_bytes(tar_bytes([]))  # 10240 zero bytes, as tar cf x.tar -T /dev/null
    out = scan(evidence, extractors=[])
    assert out.result.status == "done"
    assert out.files() == []
    assert [(p["severity"], p["message"]) for p in out.problems()] == [
        ("warning", "archive holds no members")
    ]


def test_tar_gz_failing_its_crc_is_reported(tmp_path, scan):
    data = bytearray(gzip.compress(GOOD_TAR, mtime=0))
    data[-8] ^= 0x01  # the CRC-32 in the gzip trailer
    evidence = tmp_path / "crc.tar.gz"
    evidence.write_bytes(data)
    out = scan(evidence, extractors=[])
    assert len(listed(out)) == 3
    assert walk_problems(out) == [
        (
            str(evidence.absolute()),
            f"compressed stream is damaged after the end of the archive (CRC check failed "
            f"0x{int.from_bytes(data[-8:-4], 'little'):08x} != "
            f"0x{int.from_bytes(data[-8:-4], 'little') ^ 1:08x}): every member was listed, but "
            "their bytes may not be what was archived",
        )
    ]
    assert out.result.status == "done with problems"


def test_truncated_tar_xz_is_reported(tmp_path, scan):
    evidence = tmp_path / "cut.tar.xz"
    evidence.write_bytes(lzma.compress(GOOD_TAR)[:-30])  # members whole, stream end missing
    out = scan(evidence, extractors=[])
    assert len(listed(out)) == 3
    assert walk_problems(out) == [
        (
            str(evidence.absolute()),
            "compressed stream is damaged after the end of the archive (Compressed file ended "
            "before the end-of-stream marker was reached): every member was listed, but their "
            "bytes may not be what was archived",
        )
    ]


def test_tar_bz2_bomb_is_capped_and_reported(tmp_path, scan):
    """A 200 GB member declared in a tiny tar.bz2: listed, not inflated, the cap reported."""
    info = tarfile.TarInfo("var/log/huge.bin")
    info.size, info.mtime = 200 * 10**9, T_MODIFIED
    head = tar_bytes([("a/one.txt", ONE)])[: 512 + 4096] + info.tobuf(tarfile.GNU_FORMAT)
    compressor = bz2.BZ2Compressor(9)
    parts = [compressor.compress(head)]
    parts += [compressor.compress(bytes(1 << 20)) for _ in range(8)]  # the start of its zeros
    evidence = tmp_path / "bomb.tar.bz2"
    evidence.write_bytes(b"".join([*parts, compressor.flush()]))
    out = scan(evidence, extractors=[])
    assert listed(out) == {"/a/one.txt": sha(ONE)}
    size = evidence.stat().st_size
    assert walk_problems(out) == [
        (
            "/var/log/huge.bin",
            "member declares 200000000000 bytes at decompressed offset 5120: beyond 268435456 "
            f"bytes, 200 times this {size}-byte tar.bz2, so likely a decompression bomb; capped "
            "after 5120 decompressed bytes: the member is not read and the listing stops there",
        )
    ]
    bomb = [row for row in out.files() if row["path"] == "/var/log/huge.bin"]
    assert bomb[0]["kind"] == "other"
