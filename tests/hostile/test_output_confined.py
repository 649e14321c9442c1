"""Promise 2: nothing escapes the output folder, and nothing outside the evidence is read.

Archives and folders are built with every trick that makes a naive tool write or read outside
its place: member names ``../../x`` and absolute paths (pointing into this test's own folder,
so a write there would be seen), symbolic and hard links pointing outside (at artifact paths,
to a database outside the evidence holding a secret URL), device and FIFO members, and in a
folder a FIFO, a character device (``/dev/zero``'s numbers) and links at artifact paths.

After a full scan: the files outside OUT are exactly those before the scan (names and bytes,
across the whole test folder, the evidence's parent and the working directory), the outside
secret never reaches the store, the special entries are listed and never opened, the artifact
reached through a climbing name is still extracted, and every private copy an extractor made
(``ctx.materialize``) was made inside its own temporary folder, which is gone afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.hostile.devices import builder, record_tables, store_rows
from triage.extractors.base import ExtractionContext

CHROME = "Users/{user}/AppData/Local/Google/Chrome/User Data/Default/History"
ANYDESK_TRACE = "Users/eve/AppData/Roaming/AnyDesk/ad.trace"
LEASES = "tmp/dhcp.leases"
SECRET = "https://outside.example/secret-that-must-not-be-read"
INSIDE = "https://inside.example/reached-through-a-climbing-name"
WHEN = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def history(path: Path, url: str) -> bytes:
    browser = builder("browser")
    browser.write_chrome_history(path, [browser.Visit(url, "title", WHEN)])
    return path.read_bytes()


def tree_state(root: Path, skip: tuple[Path, ...]) -> dict[str, str]:
    """Every path under ``root`` (not under ``skip``) with its content hash or kind."""
    state = {}
    for path in sorted(root.rglob("*")):
        if any(path == other or other in path.parents for other in skip):
            continue
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            state[str(path)] = stat.filemode(info.st_mode)[0]
    return state


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging when the scan blocks (an opened FIFO would)."""

    def expired(signum, frame):
        raise TimeoutError(f"scan still running after {seconds} s: something blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def trap_tar(path: Path, outside: Path, root: Path) -> Path:
    """A tar whose names, links and special members all try to leave the archive."""
    inside = history(root / "inside-History", INSIDE)
    with tarfile.open(path, "w") as archive:

        def member(name: str, data: bytes = b"", **fields) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            for key, value in fields.items():
                setattr(info, key, value)
            archive.addfile(info, io.BytesIO(data) if data else None)

        member("../../../climbed-out.txt", b"written above the archive?\n")
        member(str(root / "absolute-member.txt"), b"written at an absolute path?\n")
        member("../../" + CHROME.format(user="bob"), inside)
        member(CHROME.format(user="eve"), type=tarfile.SYMTYPE, linkname=str(outside))
        member(LEASES, type=tarfile.LNKTYPE, linkname=str(root / "outside-leases"))
        member(ANYDESK_TRACE, type=tarfile.CHRTYPE, devmajor=1, devminor=5)
        member("dev/sda", type=tarfile.BLKTYPE, devmajor=8, devminor=0)
        member("tmp/fifo.leases", type=tarfile.FIFOTYPE)
        member("escape", type=tarfile.SYMTYPE, linkname="../../..")
        member("escape/through-the-link.txt", b"written through a link member?\n")
    return path


def trap_zip(path: Path, outside: Path, root: Path) -> Path:
    inside = history(root / "inside-History-zip", INSIDE)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../../climbed-out-zip.txt", b"written above the archive?\n")
        archive.writestr(str(root / "absolute-member-zip.txt"), b"absolute?\n")
        archive.writestr("..\\..\\" + CHROME.format(user="bob").replace("/", "\\"), inside)
        link = zipfile.ZipInfo(CHROME.format(user="eve"))
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, str(outside))
    return path


def trap_folder(folder: Path, outside: Path, root: Path) -> Path:
    history(folder / "Users/bob/AppData/Local/Google/Chrome/User Data/Default/History", INSIDE)
    eve = folder / CHROME.format(user="eve")
    eve.parent.mkdir(parents=True)
    eve.symlink_to(outside)
    (folder / "escape").symlink_to(root)
    trace = folder / ANYDESK_TRACE
    trace.parent.mkdir(parents=True)
    os.mknod(trace, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # reads as endless zeros
    (folder / "tmp").mkdir()
    os.mkfifo(folder / LEASES)  # opening it for reading blocks until a writer comes
    return folder


@pytest.fixture
def traps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The test folder: an outside database, evidence of three kinds, a private temp dir."""
    if os.geteuid() != 0:
        pytest.skip("creating a character device node needs root")
    outside = tmp_path / "outside" / "History"
    outside.parent.mkdir()
    history(outside, SECRET)
    (tmp_path / "outside-leases").write_text("1709329801 de:ad:be:ef:00:01 10.6.6.6 OUTSIDE *\n")
    evidence = tmp_path / "evidence" / "deep" / "er"
    evidence.mkdir(parents=True)
    made = {
        "tar": trap_tar(evidence / "trap.tar", outside, tmp_path),
        "zip": trap_zip(evidence / "trap.zip", outside, tmp_path),
        "folder": trap_folder(evidence / "trap-folder", outside, tmp_path),
    }
    private_tmp = tmp_path / "system-tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    cwd = evidence / "cwd" / "below"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)  # a name climbing from the working directory lands in tmp_path too
    return tmp_path, made, private_tmp


@pytest.mark.parametrize("kind", ["tar", "zip", "folder"])
def test_nothing_is_written_or_read_outside(traps, scan, monkeypatch, kind):
    root, made, private_tmp = traps
    copies: list[tuple[Path, Path]] = []
    real_materialize = ExtractionContext.materialize

    def watched(self, file, with_siblings=True):
        path = real_materialize(self, file, with_siblings)
        copies.append((Path(self.workdir), path))
        return path

    monkeypatch.setattr(ExtractionContext, "materialize", watched)
    outputs = root / "out1"  # the scan fixture's first output folder
    before = tree_state(root, skip=(private_tmp,))

    with deadline(60):
        out = scan(made[kind], extractors=None, profile="generic")

    assert out.output == outputs
    profiles = root / "profiles1"
    assert tree_state(root, skip=(private_tmp, outputs, profiles)) == before
    assert not (root.parent / "climbed-out.txt").exists()
    # Every private copy was made inside the extraction's temporary folder, now removed.
    assert copies, "the inside History must have been copied for SQLite"
    for workdir, copy in copies:
        assert Path(private_tmp) in workdir.parents and workdir in copy.parents
    assert list(private_tmp.iterdir()) == []

    tables = record_tables(out.output / "triage.sqlite")
    everything = repr(tables)
    assert SECRET not in everything and "10.6.6.6" not in everything
    visits = tables["browser_visits"]
    assert [(v["url"], v["source_path"]) for v in visits] == [
        (INSIDE, "/" + CHROME.format(user="bob"))
    ]
    files = {row["path"]: row for row in out.files()}
    eve = files["/" + CHROME.format(user="eve")]
    assert eve["kind"] == "link" and eve["sha256"] is None
    if kind != "zip":
        trace = files["/" + ANYDESK_TRACE]
        assert trace["kind"] == "other" and trace["sha256"] is None
        assert "remote_access_events" not in tables
    if kind == "tar":
        for special in ("/dev/sda", "/tmp/fifo.leases", "/" + LEASES):
            assert files[special]["sha256"] is None and files[special]["kind"] in ("other", "link")
        assert files["/escape"]["kind"] == "link"
    if kind == "folder":
        assert files["/" + LEASES]["kind"] == "other"
        assert not any(path.startswith("/escape/") for path in files)
    problems = store_rows(out.output / "triage.sqlite", "SELECT stage, message FROM problems")
    assert not any(p["stage"].startswith("extract:") for p in problems), problems
