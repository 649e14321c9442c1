#!/usr/bin/env python3
"""Build the container fixtures in this folder (needs mtools, dosfstools, ewf-tools, qemu-utils).

    python3 tests/data/containers/build_containers.py

Outputs (committed; the tests unpack or damage copies of them in a temporary folder):
  fat.raw.gz       1 MiB bare FAT12 volume holding /NOTES.TXT ("meeting at the docks\\n" x 100)
  smart.s01        fat.raw acquired with ``ewfacquire -f smart`` (SMART / EWF-S01, MD5 stored)
  vm-disks.tar.gz  fat.raw as virtual-machine disks made by qemu-img:
    base.qcow2       QCOW2
    overlay.qcow2    a QCOW2 overlay on base.qcow2 (backing file named relatively), in which
                     qemu-io rewrote the first 7 bytes of /NOTES.TXT to "MEETING": the file
                     reads through the chain as the overlay's change over the base's bytes
    fat.vhd          dynamic VHD
    fat.vhdx         VHDX (1 MiB blocks)
    fat.vmdk         monolithicSparse VMDK
    split.vmdk       twoGbMaxExtentSparse VMDK descriptor, with its extent split-s001.vmdk
All content is synthetic; the tools stamp no time into the media bytes the tests assert.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTES = b"meeting at the docks\n" * 100


def run(*command: str, cwd: Path | None = None) -> None:
    subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL)


def build_fat(folder: Path) -> Path:
    raw = folder / "fat.raw"
    run("mkfs.vfat", "-C", "-n", "CONTAINERS", "-i", "12345678", str(raw), "1024")
    notes = folder / "NOTES.TXT"
    notes.write_bytes(NOTES)
    run("mcopy", "-m", "-i", str(raw), str(notes), "::/NOTES.TXT")
    return raw


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        raw = build_fat(folder)
        (HERE / "fat.raw.gz").write_bytes(gzip.compress(raw.read_bytes(), mtime=0))
        run("ewfacquire", "-u", "-q", "-f", "smart", "-c", "deflate:fast", "-t",
            str(folder / "smart"), str(raw))  # fmt: skip
        shutil.copy(folder / "smart.s01", HERE / "smart.s01")
        disks = folder / "disks"
        disks.mkdir()
        at = raw.read_bytes().index(NOTES[:64])
        run("qemu-img", "convert", "-O", "qcow2", str(raw), "base.qcow2", cwd=disks)
        run("qemu-img", "create", "-f", "qcow2", "-F", "qcow2", "-b", "base.qcow2",
            "overlay.qcow2", cwd=disks)  # fmt: skip
        for offset, byte in enumerate(b"MEETING"):
            run("qemu-io", "-c", f"write -P {byte} {at + offset} 1", "overlay.qcow2", cwd=disks)
        run("qemu-img", "convert", "-O", "vpc", "-o", "subformat=dynamic", str(raw), "fat.vhd",
            cwd=disks)  # fmt: skip
        run("qemu-img", "convert", "-O", "vhdx", "-o", "block_size=1M,log_size=1M", str(raw),
            "fat.vhdx", cwd=disks)  # fmt: skip
        run("qemu-img", "convert", "-O", "vmdk", str(raw), "fat.vmdk", cwd=disks)
        run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse",
            str(raw), "split.vmdk", cwd=disks)  # fmt: skip
        with tarfile.open(HERE / "vm-disks.tar.gz", "w:gz") as archive:
            for path in sorted(disks.iterdir()):
                info = archive.gettarinfo(str(path), path.name)
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                with path.open("rb") as handle:
                    archive.addfile(info, handle)


if __name__ == "__main__":
    main()
