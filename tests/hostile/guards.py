"""Watchers for the hostile-input tests: who tried to write where, and a read-only view.

:class:`WriteAttempts` records, in this process, every call that could change a path under the
evidence (an ``open`` with a write mode or flag, a SQLite connection that is not read-only,
utime/chmod/unlink/rename...). :func:`strace_writes` reads an ``strace -f -y`` log of another
process for the same, which also sees what C libraries (TSK, libewf, libmagic, SQLite) do.
:func:`read_only_view` gives a folder the kernel refuses to write: a read-only bind mount when
the test may mount, else a copy with every write bit removed (which does not stop root, so the
recorders above are what proves nothing was attempted).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import re
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# os functions that change the file system, and the positions of their path arguments.
MUTATING = {
    "utime": (0,),
    "chmod": (0,),
    "chown": (0,),
    "lchown": (0,),
    "remove": (0,),
    "unlink": (0,),
    "rmdir": (0,),
    "mkdir": (0,),
    "makedirs": (0,),
    "truncate": (0,),
    "rename": (0, 1),
    "replace": (0, 1),
    "symlink": (0, 1),
    "link": (0, 1),
    "mkfifo": (0,),
    "mknod": (0,),
    "setxattr": (0,),
    "removexattr": (0,),
}
STRACE_SYSCALLS = (
    "open,openat,openat2,creat,truncate,ftruncate,unlink,unlinkat,rename,renameat,renameat2,"
    "mkdir,mkdirat,rmdir,symlink,symlinkat,link,linkat,chmod,fchmod,fchmodat,chown,fchown,"
    "lchown,fchownat,utime,utimes,utimensat,futimesat,mknod,mknodat,setxattr,lsetxattr,"
    "fsetxattr,removexattr,lremovexattr,fremovexattr"
)
STRACE_LINE = re.compile(r"^(?:\[pid\s+)?(?:\d+\]?\s+)?(?P<call>\w+)\((?P<args>.*)\)\s+=\s+")
STRACE_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"|<(/[^<>]*)>')


class WriteAttempts:
    """Records attempts, from this process, to change anything under some folders."""

    def __init__(self, *roots: Path) -> None:
        self.roots = [os.path.realpath(root) for root in roots]
        self.attempts: list[str] = []

    def inside(self, path: Any) -> bool:
        """Whether a path argument names something under one of the roots."""
        if isinstance(path, int) or path is None:
            return False
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return any(real == root or real.startswith(root + os.sep) for root in self.roots)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> WriteAttempts:
        """Wrap the writing entry points of builtins, io, os and sqlite3 for this test."""
        real_open, real_os_open, real_connect = builtins.open, os.open, sqlite3.connect

        def recording_open(file, mode="r", *args, **kwargs):
            if any(flag in mode for flag in "wax+") and self.inside(file):
                self.attempts.append(f"open({file!r}, {mode!r})")
            return real_open(file, mode, *args, **kwargs)

        def recording_os_open(path, flags, *args, **kwargs):
            if flags & WRITE_FLAGS and self.inside(path):
                self.attempts.append(f"os.open({path!r}, {flags:#o})")
            return real_os_open(path, flags, *args, **kwargs)

        def recording_connect(database, *args, **kwargs):
            uri = kwargs.get("uri") or (len(args) >= 7 and args[6])
            target, read_only = database, False
            if uri and isinstance(database, str) and database.startswith("file:"):
                parts = urlsplit(database)
                target = parts.path
                query = parse_qs(parts.query)
                read_only = query.get("mode") == ["ro"] or query.get("immutable") == ["1"]
            if not read_only and self.inside(target):
                self.attempts.append(f"sqlite3.connect({database!r})")
            return real_connect(database, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", recording_open)
        monkeypatch.setattr(io, "open", recording_open)
        monkeypatch.setattr(os, "open", recording_os_open)
        monkeypatch.setattr(sqlite3, "connect", recording_connect)
        for name, positions in MUTATING.items():
            if hasattr(os, name):
                monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name), positions))
        return self

    def _wrap(self, name: str, function: Any, positions: tuple[int, ...]) -> Any:
        def recording(*args, **kwargs):
            if any(index < len(args) and self.inside(args[index]) for index in positions):
                self.attempts.append(f"os.{name}{args!r}")
            return function(*args, **kwargs)

        return recording


def strace_command(log: Path) -> list[str] | None:
    """``strace`` prefix that logs every path-changing system call of a process tree."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    probe = subprocess.run(
        [strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=openat", "-o", os.devnull, "true"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return None  # ptrace not permitted here (container policy)
    return [
        strace,
        "-f",
        "-qq",
        "-y",
        "--seccomp-bpf",
        "-e",
        f"trace={STRACE_SYSCALLS}",
        "-o",
        str(log),
    ]


def strace_writes(log: Path, *roots: Path) -> list[str]:
    """System calls in an strace log that would change something under the roots."""
    real_roots = [os.path.realpath(root) for root in roots]

    def inside(path: str) -> bool:
        return any(path == root or path.startswith(root + os.sep) for root in real_roots)

    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = STRACE_LINE.match(line)
        if not match:
            continue
        call, args = match["call"], match["args"]
        paths = [quoted or fd_path for quoted, fd_path in STRACE_PATH.findall(args)]
        if not any(inside(path) for path in paths):
            continue
        opening = call in ("open", "openat", "openat2")
        if opening and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND", args):
            continue
        found.append(line)
    return found


@contextlib.contextmanager
def read_only_view(source: Path, target: Path) -> Iterator[str]:
    """Make ``target`` a view of ``source`` that cannot be written; yields how it was made."""
    target.mkdir()
    mounted = _run("mount", "--bind", str(source), str(target))
    if mounted and not _run("mount", "-o", "remount,ro,bind", str(target)):
        _run("umount", str(target))
        mounted = False
    if mounted:
        try:
            yield "read-only bind mount"
        finally:
            _run("umount", str(target))
        return
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    _set_write_bits(target, False)
    try:
        yield "copy with every write bit removed"
    finally:
        _set_write_bits(target, True)


def _run(*command: str) -> bool:
    try:
        return subprocess.run(command, capture_output=True, check=False).returncode == 0
    except OSError:
        return False


def _set_write_bits(root: Path, allowed: bool) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        path.chmod(mode | stat.S_IWUSR if allowed else mode & ~0o222)
