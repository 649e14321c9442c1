"""Fuzz the evidence layer: archives, partition tables, EWF, VM disks, iTunes Manifest.db.

Each target starts from real containers (committed fixtures, or small ones built here) and
damages their structures (:func:`fuzz.mutators.mutated_structure` inside the regions a seed
names: tar headers, zip records, MBR/GPT, EWF section descriptors and tables, VM-disk headers),
sometimes recomputing the checksums that would otherwise stop a parser at its first check
(GPT CRC-32, EWF Adler-32). The damaged file is written to a scratch folder and opened as
``triage scan`` opens evidence: ``open_evidence``, ``info``, ``partitions``, the walk, a read of
every listed file and of the whole media. The contract (README, "Promises"):

* opening may fail only with :class:`~triage.errors.EvidenceError` (exit 1 with a message);
* the walk may not raise at all (damage is a problem line);
* reads may raise only what the hashing core turns into a problem line (``READ_ERRORS``).

Anything else, or a run over :data:`~fuzz.harness.HANG_SECONDS`, is a finding.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import shutil
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePosixPath

from hypothesis import strategies as st

from fuzz.harness import Finding, guarded
from fuzz.mutators import mutated, mutated_structure
from triage.errors import EvidenceError
from triage.evidence import open_evidence
from triage.hashing import READ_ERRORS

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
MiB = 1 << 20
MAX_FILES_READ = 200
MAX_MEDIA_READ = 16 * MiB  # hashing reads it all; the structures are at the start


@dataclass(frozen=True)
class EvidenceSeed:
    """A container to damage: the name it is written as, its bytes, where its structures are."""

    name: str
    data: bytes
    regions: tuple[tuple[int, int], ...]
    origin: str
    fixup: Callable[[bytes], bytes] | None = None  # recompute checksums after a mutation
    beside: tuple[tuple[str, bytes], ...] = ()  # files written next to it (a backing file)
    folder: Path | None = None  # a folder the seed lives in (an iTunes backup)

    @property
    def path(self) -> PurePosixPath:  # what fuzz.run's findings name
        return PurePosixPath(self.name)


# -- seeds ----------------------------------------------------------------------------------------
def _tar(members: list[tuple[str, bytes]], fmt: int = tarfile.GNU_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1709283600
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("a/link")
        link.type, link.linkname = tarfile.SYMTYPE, "one.txt"
        archive.addfile(link)
    return buffer.getvalue()


MEMBERS = [("a/one.txt", b"one\n" * 300), ("a/" + "long" * 40 + ".txt", b"x" * 700), ("b/", b"")]


def _tar_regions(data: bytes) -> tuple[tuple[int, int], ...]:
    regions, offset = [], 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for member in archive:
            regions.append((member.offset, member.offset_data))
            offset = member.offset_data + member.size
    return (*regions, (offset, len(data)))


def tar_seeds() -> list[EvidenceSeed]:
    seeds = []
    for fmt, label in ((tarfile.GNU_FORMAT, "gnu"), (tarfile.PAX_FORMAT, "pax")):
        data = _tar(MEMBERS, fmt)
        seeds.append(EvidenceSeed(f"{label}.tar", data, _tar_regions(data), f"built {label} tar"))
    return seeds


def gzip_seeds() -> list[EvidenceSeed]:
    inner = _tar(MEMBERS)
    packed = {
        "x.tar.gz": gzip.compress(inner, mtime=0),
        "x.tar.bz2": bz2.compress(inner),
        "x.tar.xz": lzma.compress(inner),
    }
    return [
        EvidenceSeed(name, data, ((0, 32), (len(data) - 16, len(data)), (0, len(data))), "built")
        for name, data in packed.items()
    ]


def zip_seeds() -> list[EvidenceSeed]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/one.txt", b"one\n" * 300)
        archive.writestr(zipfile.ZipInfo("a/stored.txt"), b"stored\n" * 20)
        archive.writestr("b/", b"")
    data = buffer.getvalue()
    regions = []
    for signature, size in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46), (b"PK\x05\x06", 22)):
        at = data.find(signature)
        while at >= 0:
            regions.append((at, at + size + 16))
            at = data.find(signature, at + 1)
    return [EvidenceSeed("x.zip", data, tuple(regions), "built zip")]


def _image_head(name: str) -> bytes:
    return gzip.decompress((DATA / "images" / f"{name}.raw.gz").read_bytes())[: 2 * MiB]


def mbr_seeds() -> list[EvidenceSeed]:
    data = _image_head("mbr")
    boot = [
        (at + 446, at + 512)
        for at in range(0, len(data), 512)
        if data[at + 510 : at + 512] == b"\x55\xaa" and any(data[at + 446 : at + 510])
    ]
    return [EvidenceSeed("mbr.raw", data, tuple(boot) + ((0, 512),), "mbr.raw.gz, first 2 MiB")]


def _fix_gpt(data: bytes) -> bytes:
    buffer = bytearray(data)
    if len(buffer) < 1024 or buffer[512:520] != b"EFI PART":
        return data
    header_size = min(max(struct.unpack_from("<I", buffer, 524)[0], 92), 512)
    entries_lba, count, size = struct.unpack_from("<QII", buffer, 584)
    start, length = entries_lba * 512, count * size
    if 0 < length <= 1 << 20 and start + length <= len(buffer):
        struct.pack_into("<I", buffer, 600, zlib.crc32(buffer[start : start + length]))
    struct.pack_into("<I", buffer, 528, 0)
    struct.pack_into("<I", buffer, 528, zlib.crc32(buffer[512 : 512 + header_size]))
    return bytes(buffer)


def gpt_seeds() -> list[EvidenceSeed]:
    data = _image_head("gpt")
    regions = ((0, 512), (512, 604), (1024, 1024 + 4 * 128))
    return [EvidenceSeed("gpt.raw", data, regions, "gpt.raw.gz, first 2 MiB", _fix_gpt)]


def _ewf_sections(data: bytes) -> list[tuple[int, int, int]]:
    """(descriptor offset, next offset, size) of each section, following the chain."""
    found, offset, seen = [], 13, set()
    while offset + 76 <= len(data) and offset not in seen:
        seen.add(offset)
        kind, following, size = struct.unpack_from("<16sQQ", data, offset)
        found.append((offset, following, size))
        if kind.rstrip(b"\0") in (b"done", b"next") or following <= offset:
            break
        offset = following
    return found


def _fix_ewf(data: bytes) -> bytes:
    buffer = bytearray(data)
    for offset, _, _ in _ewf_sections(data):
        struct.pack_into("<I", buffer, offset + 72, zlib.adler32(buffer[offset : offset + 72]))
        if buffer[offset : offset + 5] == b"table" and offset + 76 + 24 <= len(buffer):
            header = offset + 76
            struct.pack_into("<I", buffer, header + 20, zlib.adler32(buffer[header : header + 20]))
    return bytes(buffer)


def ewf_seeds() -> list[EvidenceSeed]:
    seeds = []
    planted = REPO / "tests" / "hostile" / "data" / "planted.E01"
    for path in (DATA / "containers" / "smart.s01", planted, DATA / "images" / "gpt.E01"):
        data = path.read_bytes()
        regions = [(0, 13)]
        for offset, _, size in _ewf_sections(data):
            regions += [(offset, offset + 76), (offset + 76, offset + 76 + min(size, 2048))]
        seeds.append(EvidenceSeed(path.name, data, tuple(regions), str(path), _fix_ewf))
    return seeds


def vm_disk_seeds() -> list[EvidenceSeed]:
    with tarfile.open(DATA / "containers" / "vm-disks.tar.gz") as archive:
        disks = {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive
            if member.isfile()
        }
    seeds = []
    for name in ("base.qcow2", "fat.vmdk", "fat.vhd", "fat.vhdx"):
        data = disks[name]
        regions = [(0, 4096), (len(data) - 512, len(data))]
        if name.endswith("qcow2"):
            for field_at in (40, 48):  # L1 table and refcount table offsets
                at = struct.unpack_from(">Q", data, field_at)[0]
                regions.append((at, at + 512))
        if name.endswith("vhdx"):
            regions += [(at, at + 4096) for at in (65536, 131072, 196608, 262144)]
        seeds.append(EvidenceSeed(name, data, tuple(regions), f"vm-disks.tar.gz: {name}"))
    overlay = disks["overlay.qcow2"]
    seeds.append(
        EvidenceSeed(
            "overlay.qcow2",
            overlay,
            ((0, 4096),),
            "vm-disks.tar.gz: overlay.qcow2",
            beside=(("base.qcow2", disks["base.qcow2"]),),
        )  # fmt: skip
    )
    return seeds


def itunes_seeds() -> list[EvidenceSeed]:
    folder = DATA / "identity" / "iphone_backup"
    data = (folder / "Manifest.db").read_bytes()
    return [EvidenceSeed("Manifest.db", data, ((0, len(data)),), str(folder), folder=folder)]


TARGETS: dict[str, Callable[[], list[EvidenceSeed]]] = {
    "evidence.tar": tar_seeds,
    "evidence.gzip": gzip_seeds,
    "evidence.zip": zip_seeds,
    "evidence.mbr": mbr_seeds,
    "evidence.gpt": gpt_seeds,
    "evidence.ewf": ewf_seeds,
    "evidence.vm_disk": vm_disk_seeds,
    "evidence.itunes": itunes_seeds,
}


@st.composite
def damaged(draw, seed: EvidenceSeed) -> bytes:
    """The seed's bytes damaged: mostly in its structures, sometimes anywhere; checksums
    recomputed afterwards half the time when the format has them."""
    if seed.folder is not None:  # Manifest.db: SQLite-aware values, rows and pages
        return draw(mutated(seed.data))
    if draw(st.integers(0, 3)):
        data = draw(mutated_structure(seed.data, seed.regions))
    else:
        data = draw(mutated(seed.data))
    if seed.fixup is not None and draw(st.booleans()):
        data = seed.fixup(data)
    return data


# -- harness ---------------------------------------------------------------------------------------
@dataclass
class EvidenceHarness:
    """Opens damaged containers the way a scan does and catches what breaks the contract."""

    seeds: list[EvidenceSeed]
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="triage-fuzz-ev-")))
    executions: int = 0

    def strategy(self, seed: EvidenceSeed):
        return damaged(seed)

    def run(self, seed: EvidenceSeed, data: bytes) -> Finding | None:
        """Write ``data`` as the seed's file, open and read it; a Finding when something broke."""
        self.executions += 1
        work = self.root / "work"
        shutil.rmtree(work, ignore_errors=True)
        if seed.folder is not None:
            shutil.copytree(seed.folder, work)
        else:
            work.mkdir()
        for name, content in seed.beside:
            (work / name).write_bytes(content)
        target = work / seed.name
        target.write_bytes(data)
        evidence = work if seed.folder is not None else target
        return guarded(lambda: exercise(evidence), f"hang on {seed.name}", data, seed.path)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def exercise(path: Path) -> list:
    """Open ``path`` as a scan does, list it, read its files and its media; the problems."""
    problems: list = []
    try:
        source = open_evidence(path, problems=problems.append)
    except EvidenceError:
        return problems  # a clean refusal: exit 1 with a message
    try:
        source.info()
        source.partitions()
        files = list(islice(source.walk(problems.append), 100_000))  # walk_rows under it
        for file in [file for file in files if file.kind == "file"][:MAX_FILES_READ]:
            try:
                with source.open_file(file.ref) as handle:
                    while handle.read(MiB):
                        pass
            except READ_ERRORS:
                pass  # the hashing core makes this a problem line
        media = getattr(source, "media", None)
        if media is not None:
            try:
                for offset in range(0, min(media.size, MAX_MEDIA_READ), 4 * MiB):
                    media.read(offset, 4 * MiB)
            except READ_ERRORS:
                pass  # reported as "evidence hash failed"
    finally:
        source.close()
    return problems
