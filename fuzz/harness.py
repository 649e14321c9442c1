"""Run one extractor on one file's bytes, the way the pipeline does, and catch what escapes.

The file is served from memory by :class:`MemorySource`; the extractor gets a real
:class:`~triage.extractors.base.ExtractionContext` over a real device store (so ``ctx.sqlite``,
``ctx.find``, ``ctx.problem`` behave as in a scan), its ``accepts`` and ``extract`` run, and its
records go through ``DeviceStore.add_records`` as a scan would store them. Anything raised out
of that is a crash: the house rule is that an extractor records a problem and goes on, and a
crash loses every record the extractor would still have read. A run that takes longer than
:data:`HANG_SECONDS` is a hang.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import signal
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from triage.evidence import EvidenceInfo, EvidenceLocator, FileRef, PartitionInfo
from triage.evidence.base import EvidenceFile
from triage.extractors.base import ExtractionContext, Extractor, StoredFile
from triage.store import DeviceStore

HANG_SECONDS = 10


class Hang(BaseException):  # noqa: N818 - not an error an extractor may catch and go on from
    """An extractor ran longer than HANG_SECONDS on one small file."""


@dataclass(frozen=True)
class Seed:
    """A real file an extractor reads: where it lives on a device, and its bytes."""

    path: PurePosixPath  # the path on the device, matching the extractor's patterns
    data: bytes
    origin: str  # where the seed came from (fixture, builder, corpus)


@dataclass
class Finding:
    """One distinct crash or hang: where it happened, how, and the smallest input seen."""

    kind: str  # crash, hang
    key: str  # exception type and the innermost triage frame
    detail: str  # the traceback
    data: bytes
    path: PurePosixPath
    count: int = 1


class MemorySource:
    """An evidence source whose files are byte strings; nothing touches the disk."""

    kind = "directory"
    sequential = False

    def __init__(self) -> None:
        self.locator = EvidenceLocator("directory", Path("/fuzz"))
        self.contents: dict[str, bytes] = {}

    def info(self) -> EvidenceInfo:  # noqa: D102
        return EvidenceInfo(kind="directory", format="folder", path="/fuzz", size=None)

    def partitions(self) -> list[PartitionInfo]:  # noqa: D102
        return []

    def walk(self, problems):  # noqa: D102
        return iter(())

    def open_file(self, ref: FileRef) -> BinaryIO:  # noqa: D102
        try:
            return io.BytesIO(self.contents[ref.member or ""])
        except KeyError as error:
            raise OSError(f"no such file {ref.member!r}") from error

    def open_media(self) -> None:  # noqa: D102
        return None

    def close(self) -> None:  # noqa: D102
        pass


@dataclass
class Harness:
    """One extractor, a store holding its seeds' paths, and a scratch folder."""

    extractor: Extractor
    seeds: list[Seed]
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="triage-fuzz-")))

    def __post_init__(self) -> None:
        self.source = MemorySource()
        self.store = DeviceStore(self.root / "store.sqlite")
        self.store.add_files(
            EvidenceFile(
                path=seed.path,
                kind="file",
                size=len(seed.data),
                allocated=True,
                ref=FileRef(member=str(seed.path)),
            )
            for seed in self.seeds
        )
        self.files = {
            row["path"]: StoredFile.from_row(row)
            for row in self.store.execute("SELECT * FROM files ORDER BY id")
        }
        for seed in self.seeds:
            self.source.contents[str(seed.path)] = seed.data
        self.executions = 0

    def run(self, seed: Seed, data: bytes) -> Finding | None:
        """Feed ``data`` as ``seed``'s file; a Finding when something escaped."""
        self.executions += 1
        member = str(seed.path)
        original = self.source.contents[member]
        self.source.contents[member] = data
        stored = self.files[member]
        file = StoredFile(
            stored.id, stored.path, "file", len(data), True, None, None,
            hashlib.sha256(data).hexdigest(), None, stored.ref, "2024-03-01T09:00:00Z",
        )  # fmt: skip
        workdir = self.root / "work"
        workdir.mkdir(exist_ok=True)
        ctx = ExtractionContext(
            evidence_name="fuzz",
            source=self.source,
            store=self.store,
            workdir=workdir,
            extractor=self.extractor.name,
            default_region="US",
        )

        def extract() -> None:
            if self.extractor.accepts(file, ctx):
                self.store.add_records(self.extractor.name, self.extractor.extract([file], ctx))

        try:
            return guarded(extract, f"hang in {self.extractor.name}", data, seed.path)
        finally:
            self.source.contents[member] = original
            if any(workdir.iterdir()):  # private copies made by ctx.sqlite / materialize
                shutil.rmtree(workdir, ignore_errors=True)
            if self.executions % 200 == 0:
                self.store.clear_records(self.extractor.name)
                self.store.execute("DELETE FROM problems")

    def close(self) -> None:
        """Drop the store and the scratch folder."""
        self.store.close()
        shutil.rmtree(self.root, ignore_errors=True)


def guarded(action: Callable[[], object], hang: str, data: bytes, path: Path) -> Finding | None:
    """Run ``action`` under a HANG_SECONDS alarm: None when it returns, else the Finding (a hang,
    or the crash keyed by :func:`_key`) with ``data`` and the seed's ``path``."""
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(HANG_SECONDS)
    try:
        action()
        return None
    except Hang:
        return Finding("hang", hang, _trace(), data, path)
    except Exception as error:  # noqa: BLE001 - what escapes is what we are looking for
        return Finding("crash", _key(error), _trace(), data, path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _hang(signum, frame):
    raise Hang


def _trace() -> str:
    return traceback.format_exc(limit=-12)


def _key(error: BaseException) -> str:
    """Exception type and the innermost frame inside triage: one key per distinct bug."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "/triage/" in frame.filename]
    where = ours[-1] if ours else frames[-1]
    location = f"{Path(where.filename).name}:{where.lineno} in {where.name}"
    return f"{type(error).__name__} at {location}"
