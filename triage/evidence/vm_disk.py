"""Virtual-machine disks (QCOW2, VMDK, VHD, VHDX) through the libyal bindings, backing chains too.

A QCOW2 overlay (or a differencing VHD/VHDX, a VMDK child) holds only the clusters written after
its snapshot; the rest is read from its backing file. The backing file is looked for only in the
evidence's own folder (a name that climbs out of it, or an absolute path elsewhere, is not
followed: what is read must be what was handed in), and the chain is opened to the bottom.

Damage never escapes as a traceback: a header libyal refuses, or an extent given instead of its
VMDK descriptor, is an :class:`EvidenceError` saying what the file is and what would help; a disk
cut short opens and reads as far as it goes, the rest reading as zeros that are counted and
reported (:class:`~triage.evidence.damage.DamagedMedia`).
"""

from __future__ import annotations

import struct
from pathlib import Path, PureWindowsPath
from typing import Any, BinaryIO

from triage.errors import EvidenceError
from triage.evidence.base import open_evidence_file
from triage.evidence.damage import DamagedMedia
from triage.evidence.media import VMDK_DESCRIPTOR_MARK, Media
from triage.names import not_utf8

SPARSE_HEADER = struct.Struct("<4sIIQQQQ")  # magic, version, flags, capacity, grain, descriptor
MAX_CHAIN = 16  # backing files followed before the chain is called a loop
LIBYAL_ERRORS = (OSError, RuntimeError, IOError, ValueError, TypeError, OverflowError)
HINT = {
    "QCOW2": "check it with `qemu-img check`, or convert what is readable with `qemu-img convert`",
    "VMDK": "check it with `qemu-img check`; a split VMDK opens by its descriptor (the .vmdk "
    "text file) with its extents beside it",
    "VHD": "check it with `qemu-img check`, or export a flat image",
    "VHDX": "check it with `qemu-img check`, or export a flat image",
}


def _module_handle(container: str) -> Any:
    if container == "QCOW2":
        import pyqcow  # noqa: PLC0415

        return pyqcow.file()
    if container == "VMDK":
        import pyvmdk  # noqa: PLC0415

        return pyvmdk.handle()
    import pyvhdi  # noqa: PLC0415

    return pyvhdi.file()


def _open_one(path: Path, container: str, files: list[BinaryIO]) -> Any:
    """One libyal handle on ``path`` (by name: see media.py on speed), or an EvidenceError;
    the host files it reads through file objects are added to ``files``."""
    handle = _module_handle(container)
    try:
        if not_utf8(str(path)):  # libyal takes only UTF-8 names: a file object instead
            files.append(open_evidence_file(path))
            handle.open_file_object(files[-1], "r")
        else:
            handle.open(str(path))
    except LIBYAL_ERRORS as error:
        extent = container == "VMDK" and _is_extent(path)
        what = (
            "is an extent of a split VMDK, not its descriptor"
            if extent
            else f"cannot be opened as {container}: its header is damaged or the file is cut "
            f"short ({_first_sentence(error)})"
        )
        raise EvidenceError(f"{path}: {what}; {HINT[container]}") from error
    if container == "VMDK":
        try:
            if _is_monolithic(path):
                # Its descriptor names the extent by the file's original name: libvmdk would
                # open whatever file of that name lies beside it, not the one handed in.
                files.append(open_evidence_file(path))
                handle.open_extent_data_files_as_file_objects([files[-1]])
            else:
                handle.open_extent_data_files()
        except LIBYAL_ERRORS as error:
            handle.close()
            raise EvidenceError(
                f"{path}: VMDK extent file missing or unreadable ({_first_sentence(error)}); "
                "put the descriptor and its extents in one folder"
            ) from error
    return handle


def _is_extent(path: Path) -> bool:
    """A sparse extent of a split VMDK: its header names no embedded descriptor (VMware
    "Virtual Disk Format 1.1", SparseExtentHeader.descriptorOffset is 0, or the
    area it names holds no descriptor)."""
    with open_evidence_file(path) as handle:
        header = handle.read(SPARSE_HEADER.size)
        if len(header) < SPARSE_HEADER.size or not header.startswith(b"KDMV"):
            return False
        *_, offset, size = SPARSE_HEADER.unpack(header)
        if offset == 0:
            return True
        try:
            handle.seek(offset * 512)  # qemu-img leaves an empty descriptor area in each extent
            area = handle.read(min(size, 128) * 512)
        except (OSError, ValueError, OverflowError):  # an offset beyond any file
            return False
        return bool(area) and VMDK_DESCRIPTOR_MARK not in area  # empty: the file is cut


def _is_monolithic(path: Path) -> bool:
    """A sparse VMDK holding its own descriptor: the extent is the file itself."""
    with open_evidence_file(path) as handle:
        return handle.read(4) == b"KDMV" and not _is_extent(path)


def _parent_name(handle: Any, container: str, path: Path) -> str | None:
    try:
        if container == "QCOW2":
            name = handle.get_backing_filename()
        else:
            name = getattr(handle, "parent_filename", None)
    except LIBYAL_ERRORS as error:
        raise EvidenceError(
            f"{path}: its {container} header names a parent that cannot be read "
            f"({_first_sentence(error)})"
        ) from error
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    return name or None


def _backing_path(child: Path, name: str, folder: Path) -> Path:
    """Where a backing file named ``name`` is, inside the evidence's folder only."""
    absolute = name.startswith("/") or PureWindowsPath(name).is_absolute()
    if absolute:
        candidate = Path(name)
        if not candidate.resolve().is_relative_to(folder):
            candidate = folder / PureWindowsPath(name).name.rsplit("/", 1)[-1]
    else:
        candidate = child.parent / name.replace("\\", "/")
    resolved = candidate.resolve()
    if not resolved.is_relative_to(folder):
        raise EvidenceError(
            f"{child}: its backing file {name!r} is outside the evidence's folder {folder}; "
            "copy the backing file beside it and scan again"
        )
    if not resolved.is_file():
        raise EvidenceError(
            f"{child}: its backing file {name!r} is missing; put it beside {child.name} "
            "(the whole chain in one folder) and scan again"
        )
    return resolved


def open_vm_disk(path: Path, container: str) -> Media:
    """The disk ``path`` presents, read through its backing chain, as read-only media."""
    from triage.evidence.media import sniff_container  # noqa: PLC0415 - media imports us

    folder = path.resolve().parent
    files: list[BinaryIO] = []
    handles: list[Any] = []
    seen = [path.resolve()]
    child, kind = path, container
    try:
        handles.append(_open_one(path, container, files))
        while (name := _parent_name(handles[-1], kind, child)) is not None:
            parent = _backing_path(child, name, folder)
            if parent in seen or len(handles) > MAX_CHAIN:
                raise EvidenceError(f"{child}: its backing chain loops back to {parent.name}")
            seen.append(parent)
            parent_kind = sniff_container(parent)
            if parent_kind != kind:
                raise EvidenceError(
                    f"{child}: its backing file {parent.name} is "
                    f"{parent_kind or 'raw data'}, not {kind}; convert the chain to one flat "
                    "image with `qemu-img convert` and scan that"
                )
            handles.append(_open_one(parent, kind, files))
            try:
                handles[-2].set_parent(handles[-1])
            except LIBYAL_ERRORS as error:
                raise EvidenceError(
                    f"{child}: its backing file {parent.name} does not fit it "
                    f"({_first_sentence(error)})"
                ) from error
            child = parent
        top = handles[0]
        size = top.get_media_size()
    except BaseException:
        _close(handles, files)
        raise

    reader = DamagedMedia(
        lambda offset, length: top.read_buffer_at_offset(length, offset),
        size,
        LIBYAL_ERRORS,
        what=f"{container} media",
    )
    metadata = {"backing_chain": " <- ".join(p.name for p in seen)} if len(seen) > 1 else {}
    return Media(
        format=container,
        size=size,
        segments=(path, *seen[1:]),
        read_at=reader.read,
        close=lambda: _close(handles, files),
        metadata=metadata,
    )


def _close(handles: list[Any], files: list[BinaryIO]) -> None:
    try:
        for handle in handles:
            handle.close()
    finally:
        for file in files:
            file.close()


def _first_sentence(error: BaseException) -> str:
    text = str(error).strip("'\" ") or type(error).__name__
    return text.split(". ")[0][:200]
