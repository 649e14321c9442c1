#!/usr/bin/env python3
"""Build ``dirty_laptop/``: a SYSTEM hive that was not cleanly closed, with its transaction logs.

    python3 tests/data/identity/build_dirty_hive.py

What a running laptop seized without shutdown leaves: ``SYSTEM`` still names the computer
``CC-LAPTOP-01`` and its base block's sequence numbers differ (8 and 7), while ``SYSTEM.LOG1``
holds the newer pages in which it was renamed ``CC-LAPTOP-99``: a value only the log holds.
``SYSTEM.LOG2`` is a stale log from before the hive's last flush (sequence 3), whose page names
it ``CC-LAPTOP-00``: replaying it would write old data back, so it must be left out.

Logs are in the Windows 8.1+ format (msuhanov/regf, "Transaction log files"): a copy of the
hive's 512-byte base block, then HvLE log entries (signature, size, flags, sequence number,
hive bins size, dirty page count, two Marvin32 hashes left 0 here, the dirty page references
and the pages). The hives come from build_identity's regf writer; the build reads the result
back through regipy's replay before writing anything.
"""

from __future__ import annotations

import importlib.util
import struct
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "dirty_laptop" / "Windows" / "System32" / "config"
WRITTEN = 133537599000000000  # 2024-03-01 09:45:00 UTC
PAGE = 4096


def _writer():
    spec = importlib.util.spec_from_file_location("build_identity", HERE / "build_identity.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_identity"] = module
    spec.loader.exec_module(module)
    return module


def system_hive(name: str, sequence: tuple[int, int]) -> bytes:
    """A small SYSTEM hive naming the computer ``name``."""
    b = _writer()
    root = b.Key("ROOT")
    root.key("Select").set("Current", *b.dword(1))
    control = root.key("ControlSet001\\Control")
    control.key("ComputerName\\ComputerName").set("ComputerName", *b.sz(name))
    control.key("TimeZoneInformation").set("TimeZoneKeyName", *b.sz("India Standard Time"))
    return b.build_hive(root, "\\REGISTRY\\MACHINE\\SYSTEM", WRITTEN, sequence=sequence)


def _base_block(hive: bytes, sequence: int) -> bytes:
    """The hive's first 512 bytes with both sequence numbers set and the checksum redone."""
    base = bytearray(hive[:512])
    struct.pack_into("<II", base, 4, sequence, sequence)
    checksum = 0
    for (word,) in struct.iter_unpack("<I", bytes(base[:0x1FC])):
        checksum ^= word
    struct.pack_into("<I", base, 0x1FC, checksum or 1)
    return bytes(base)


def transaction_log(old: bytes, new: bytes, sequence: int) -> bytes:
    """A log whose one HvLE entry (sequence ``sequence``) turns ``old`` into ``new``."""
    pages = [
        (offset - PAGE, new[offset : offset + PAGE])
        for offset in range(PAGE, len(new), PAGE)
        if new[offset : offset + PAGE] != old[offset : offset + PAGE]
    ]
    references = b"".join(struct.pack("<II", offset, len(page)) for offset, page in pages)
    body = references + b"".join(page for _, page in pages)
    size = (40 + len(body) + 511) // 512 * 512
    bins_size = len(new) - PAGE
    header = struct.pack("<4sIIIIIQQ", b"HvLE", size, 0, sequence, bins_size, len(pages), 0, 0)
    return _base_block(old, sequence) + (header + body).ljust(size, b"\0")


def build(out: Path) -> None:
    """Write SYSTEM, SYSTEM.LOG1 and SYSTEM.LOG2 into ``out``, checked by a replay first."""
    on_disk = system_hive("CC-LAPTOP-01", (8, 7))
    newest = system_hive("CC-LAPTOP-99", (8, 8))
    stale = system_hive("CC-LAPTOP-00", (3, 3))
    files = {
        "SYSTEM": on_disk,
        "SYSTEM.LOG1": transaction_log(on_disk, newest, 7),
        "SYSTEM.LOG2": transaction_log(on_disk, stale, 3),
    }
    from regipy.recovery import apply_transaction_logs  # noqa: PLC0415
    from regipy.registry import RegistryHive  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as scratch:
        for name, data in files.items():
            (Path(scratch) / name).write_bytes(data)
        restored, pages = apply_transaction_logs(
            f"{scratch}/SYSTEM", f"{scratch}/SYSTEM.LOG1", restored_hive_path=f"{scratch}/r"
        )
        key = RegistryHive(restored).get_key("\\ControlSet001\\Control\\ComputerName\\ComputerName")
        assert key.get_value("ComputerName") == "CC-LAPTOP-99" and pages >= 1, (pages,)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    build(OUT)
    print(f"wrote {OUT}")
