"""One device, end to end: evidence -> walk -> hashes -> extractors -> reports, via the store.

Each stage is recorded in the store's ``stages`` table when it finishes, so ``--resume`` after an
interruption continues from the first unfinished stage (an unfinished walk is redone from
scratch; hashing continues with the files not yet hashed; an unfinished extractor is cleared and
re-run). Reports are written last, each atomically, and ``report.json`` says whether the run was
complete: a killed scan never leaves a report that looks finished.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from triage import __version__
from triage.config import ScanConfig
from triage.errors import OutputError
from triage.evidence import EvidenceLocator, EvidenceSource, Problem, locate, reopen
from triage.extractors import all_extractors
from triage.extractors.base import ExtractionContext, Extractor, StoredFile, compile_patterns
from triage.hashing import (
    MEDIA_FILE_ID,
    SMALL_FILE,
    FileDigest,
    HashedBatch,
    HashJob,
    HashPool,
    JobTuple,
    batches,
    hash_batches,
    hash_files,
    verify_stored_hashes,
)
from triage.logtime import IsoFormatter
from triage.names import shown, storable
from triage.profile_loader import (
    GENERIC,
    ProfileChoice,
    detect_profile,
    load_profile,
    load_profiles,
)
from triage.recover.era import file_system_span
from triage.store import EVIDENCE_BYTES, DeviceStore, evidence_bytes, made_from, walk_rows_of

log = logging.getLogger(__name__)
T = TypeVar("T")

WALK_CHUNK = 2000  # walked entries stored per transaction; hashing ahead is fed between them
BATCH_FILES_AHEAD = 256  # files per batch of room when hashing during the walk
EWF = ("E01", "Ex01")
# Unhashed files as hash jobs (JobTuple order); callers add conditions and the order.
FILE_JOB_SELECT = (
    "SELECT id, partition, inode, attr_id, member, size, coalesce(name, '') FROM files "
    "WHERE hashed = 0 AND kind IN ('file', 'ads')"
)
# Entries whose walk note says their data cannot or must not be read, and deleted names whose
# inode was cleared (no data to read): _mark_unhashable gives them a reason instead of digests.
UNHASHABLE_NOTE = "(note LIKE '%not hashed%' OR note LIKE '%not read%')"
NO_METADATA = "(kind = 'file' AND inode IS NULL AND partition IS NOT NULL)"
UNHASHABLE = f"(coalesce({UNHASHABLE_NOTE}, 0) OR {NO_METADATA})"

STORE_NAME = "triage.sqlite"
LOG_NAME = "triage.log"
# Files a scan writes; --force removes these (and only these) from an existing output folder.
OUTPUT_NAMES = (
    STORE_NAME,
    f"{STORE_NAME}-wal",
    f"{STORE_NAME}-shm",
    LOG_NAME,
    "report.json",
    "report.html",
    "files.csv",
    "hashes.txt",
    "timeline.csv",
    "timeline.jsonl",
    "bodyfile.txt",
    "files.dfxml",
)
MAX_SCHEMA_PROBE = 256 << 20  # SQLite files larger than this are not opened to read their schema


class Progress(Protocol):
    """What the pipeline reports while it runs; the CLI draws it, tests ignore it."""

    def start(self, stage: str, total: int | None, unit: str) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """Progress that shows nothing."""

    def start(self, stage: str, total: int | None, unit: str) -> None:  # noqa: D102
        pass

    def advance(self, amount: int) -> None:  # noqa: D102
        pass

    def finish(self) -> None:  # noqa: D102
        pass


@dataclass(frozen=True)
class ScanResult:
    """What a finished scan tells its caller."""

    output: Path
    name: str
    status: str  # done, done with problems
    files: int
    bytes_hashed: int
    errors: int
    warnings: int
    verification: str | None
    profile: str | None
    records: dict[str, int]
    seconds: float


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def prepare_output(config: ScanConfig) -> None:
    """Create the output folder fresh; refuse an existing one unless --force or --resume."""
    out = config.output
    evidence = config.evidence.resolve()
    if evidence.is_dir() and (out.resolve() == evidence or evidence in out.resolve().parents):
        raise OutputError(
            f"{out}: the output folder is inside the evidence folder; triage never "
            "writes to evidence, choose another -o"
        )
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not config.resume and _failed_earlier(out):
        log.info("%s: replacing the outputs of an earlier scan that failed", out)
        _remove_outputs(out)
    if out.is_dir() and any(out.iterdir()):
        if config.resume:
            if not (out / STORE_NAME).is_file():
                raise OutputError(
                    f"{out}: nothing to resume (no {STORE_NAME}); scan without --resume"
                )
            _refuse_other_device(config)
            # The store is about to change: reports of an earlier run no longer describe it,
            # and must not be left looking finished if this run is interrupted too.
            store_files = (STORE_NAME, f"{STORE_NAME}-wal", f"{STORE_NAME}-shm", LOG_NAME)
            _remove_outputs(out, keep=store_files)
            return
        if not config.force:
            raise OutputError(
                f"{out}: output folder exists and is not empty; use --force to "
                "replace its triage outputs, --resume to continue, or another -o"
            )
        _remove_outputs(out)
    out.mkdir(parents=True, exist_ok=True)


def _failed_earlier(out: Path) -> bool:
    """Whether ``out`` holds only what a failed scan left (its store says so, no report):
    such a folder never blocks the rerun."""
    from triage.outcomes import FAILED, last_run_status  # noqa: PLC0415

    names = {item.name for item in out.iterdir()}
    return (
        "report.json" not in names and names <= set(OUTPUT_NAMES) and last_run_status(out) == FAILED
    )


def _refuse_other_device(config: ScanConfig) -> None:
    """--resume continues the scan of the same evidence as the same device, never mixes two."""
    out = config.output
    try:
        device, shown_path, path_hex = made_from(out / STORE_NAME)
    except sqlite3.DatabaseError as error:
        raise OutputError(
            f"{out}: {STORE_NAME} cannot be read ({error}); scan again with --force"
        ) from error
    evidence = config.evidence
    same = (
        path_hex == evidence_bytes(evidence)
        if path_hex
        else shown_path is None or shown_path == shown(str(evidence.absolute()))
    )
    if not same or (device is not None and device != storable(config.name)):
        raise OutputError(
            f"{out}: holds the scan of {shown_path or 'other evidence'} (device {device}), not of "
            f"{shown(str(evidence))} (device {shown(config.name)}); --resume only continues the "
            "same evidence: use another -o, or --force to replace that scan"
        )


def _remove_outputs(out: Path, keep: tuple[str, ...] = ()) -> None:
    """Remove what a scan writes (all but ``keep``), half-written files of a killed run too."""
    for name in OUTPUT_NAMES:
        if name not in keep:
            (out / name).unlink(missing_ok=True)
    for stale in out.glob("*.csv"):
        stale.unlink()
    for partial in out.glob(".*.part"):  # report.output.atomic_text: .<name>.<random>.part
        name = partial.name[1:].rsplit(".", 2)[0]
        if name in OUTPUT_NAMES or name.endswith(".csv"):
            partial.unlink()


class _StoreLogHandler(logging.FileHandler):
    """triage.log: the audit trail of the run, in the output folder."""

    def __init__(self, path: Path) -> None:
        # A path or name that is not UTF-8 (bytes as surrogates) is logged escaped, not lost.
        super().__init__(path, mode="a", encoding="utf-8", errors="backslashreplace")
        self.setFormatter(IsoFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def scan_device(config: ScanConfig, progress: Progress | None = None) -> ScanResult:
    """Scan one device into ``config.output``; problems are recorded, the run goes on."""
    progress = progress or NoProgress()
    started = time.monotonic()
    # fails fast on missing/unknown evidence
    locator = locate(config.evidence, config.password, config.keys, config.vss)
    prepare_output(config)
    handler = _StoreLogHandler(config.output / LOG_NAME)
    root_logger = logging.getLogger("triage")
    root_logger.addHandler(handler)
    previous_level = root_logger.level
    if root_logger.level == logging.NOTSET or root_logger.level > logging.INFO:
        root_logger.setLevel(logging.INFO)
    store = DeviceStore(config.output / STORE_NAME)
    run_id = store.start_run(__version__, config.command_line, _options(config), now())
    store.set_meta(EVIDENCE_BYTES, evidence_bytes(config.evidence))
    log.info(
        "triage %s scanning %s (%s) into %s",
        __version__,
        config.evidence,
        locator.kind,
        config.output,
    )
    status, reason = "failed", ""
    try:
        scan = _Scan(config, locator, store, progress)
        scan.run()
        errors = store.problem_count("error")
        status = "done with problems" if errors else "done"
        store.finish_run(run_id, status, now())
        from triage.report import write_reports  # noqa: PLC0415 - reports import the store

        write_reports(store, config.output, complete=True, jobs=config.jobs)
        return ScanResult(
            output=config.output,
            name=config.name,
            status=status,
            files=int(store.scalar("SELECT count(*) FROM files")),
            bytes_hashed=int(
                store.scalar(
                    "SELECT coalesce(sum(size), 0) FROM files "
                    "WHERE md5 IS NOT NULL OR sha256 IS NOT NULL "
                    "OR sha1 IS NOT NULL"
                )
            ),
            errors=errors,
            warnings=store.problem_count("warning"),
            verification=store.evidence().get("verification"),
            profile=store.meta("profile"),
            records={table: store.count(table) for table in store.record_tables()},
            seconds=time.monotonic() - started,
        )
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except Exception as error:
        reason = f": {error}"
        raise
    finally:
        if status in ("failed", "interrupted"):
            store.finish_run(run_id, status, now())
            # in triage.log; the CLI says it once on stderr itself
            log.error("scan %s%s", status, reason, extra={"file_only": True})
        store.close()
        root_logger.removeHandler(handler)
        root_logger.setLevel(previous_level)
        handler.close()


def scan_options(config: ScanConfig) -> dict[str, object]:
    """The options recorded with each run (batch compares them to decide on a rescan)."""
    return _options(config)


def _options(config: ScanConfig) -> dict[str, object]:
    return {
        "jobs": config.jobs,
        "algorithms": list(config.algorithms),
        "hash_files": config.hash_files,
        "hash_evidence": config.hash_evidence,
        "type_files": config.type_files,
        "extract": config.extract,
        "profile": config.profile,
        "hashsets": [f"{spec.path}:{spec.label}" for spec in config.hashsets],
        "country": config.country,
        "hide_known_good": config.hide_known_good,
        "resume": config.resume,
        "vss": config.vss,
        "keys": len(config.keys),  # how many volume keys were given, never which
    }


@dataclass
class _HashAhead:
    """What was hashed during the walk, for :meth:`_Scan.hash` to carry on from."""

    media: HashJob | None = None  # the evidence job, until it is submitted
    files: bool = False  # whether files are hashed during the walk
    media_submitted: bool = False
    after_id: int = 0  # files up to this id were submitted
    hashed: int = 0  # files whose results were stored during the walk
    submitted: int = 0  # files handed to the workers during the walk
    rows: list[tuple] = field(default_factory=list)  # results not stored yet


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class _Scan:
    """The stages of one scan, sharing the open source and the store."""

    def __init__(
        self, config: ScanConfig, locator: EvidenceLocator, store: DeviceStore, progress: Progress
    ) -> None:
        self.config = config
        self.locator = locator
        self.store = store
        self.progress = progress
        self.source: EvidenceSource | None = None
        # Workers started with the walk and handed to the hash stage; what they did meanwhile.
        self._hash_pool: HashPool | None = None
        self._ahead = _HashAhead()
        self._time_span: list[datetime] | None = None  # see _file_time_span

    def problem(self, problem: Problem) -> None:
        """Record a problem from any stage and log it."""
        self.store.add_problem(problem)
        level = logging.WARNING if problem.severity == "warning" else logging.ERROR
        log.log(
            level,
            "%s: %s%s",
            problem.stage,
            problem.message,
            f" ({shown(problem.path)})" if problem.path else "",
        )

    def stage(self, name: str) -> bool:
        """True when the stage must run (not finished before); records its start."""
        if self.config.resume and self.store.stage_done(name):
            log.info("stage %s finished in an earlier run; skipped", name)
            return False
        self.store.begin_stage(name, now())
        return True

    def run(self) -> None:
        """Every stage in order."""
        self.store.set_meta("device", self.config.name)
        if self.config.case:
            self.store.set_meta("case", self.config.case)
        if self.stage("evidence"):
            self.store.clear_problems("evidence")
            self.source = reopen(self.locator, self.problem)
            self.store.set_evidence(self.config.name, self.source.info())
            self.store.set_partitions(self.source.partitions())
            self.store.end_stage("evidence", now())
        else:
            self.source = reopen(self.locator)
        # The hashing workers reopen the evidence: with the volume keys proved here, they do
        # not unlock every encrypted volume again (memory only: see volumes.base.VolumeKey).
        if getattr(self.source, "volume_keys", ()):
            self.locator = replace(self.locator, volume_keys=self.source.volume_keys)
        try:
            if self.stage("walk"):
                self.walk()
            if self.stage("hash"):
                self.hash()
            if self.config.hashsets and self.stage("hashsets"):
                self.match_hashsets()
            if self.config.extract:
                self.extract()
        finally:
            self.source.close()

    # -- walk ----------------------------------------------------------------------------------
    def walk(self) -> None:
        """Stream every entry into the store, hashing ahead on the cores the walk leaves free.

        The hashing workers start meanwhile (:class:`HashPool`, handed to :meth:`hash`). Once
        they are up, the evidence job and the files already stored are hashed while the walk
        goes on (:meth:`_hash_ahead`): the walk keeps one core busy, and on a disk of small
        files it takes longer than hashing them, so the other core would otherwise wait.
        """
        self.store.clear_files()
        self.store.clear_problems("walk")
        self.store.clear_problems("hash")  # from files hashed ahead by an interrupted walk
        config = self.config
        if (
            config.hashes_in_workers
            and not self._sequential
            and not (config.resume and self.store.stage_done("hash"))
        ):
            self._hash_pool = HashPool(
                self.locator, config.algorithms, config.type_files, config.jobs
            )
        self.progress.start("walk", None, "files")

        walk_rows = getattr(self.source, "walk_rows", None)
        rows = (
            walk_rows(self.problem)
            if walk_rows is not None
            else walk_rows_of(self.source.walk(self.problem))
        )

        def counted():
            for row in rows:
                self.progress.advance(1)
                yield row

        pool = self._hash_pool
        if pool is not None:
            self._ahead = _HashAhead(
                media=self._evidence_job() if config.hash_evidence else None,
                # E01 files are hashed in image order, after the walk (see _file_jobs).
                files=config.hash_files and self.store.evidence().get("format") not in EWF,
            )
        count = 0
        try:
            for chunk in _chunks(counted(), WALK_CHUNK):
                count += self.store.add_walk_rows(chunk)
                if pool is not None:
                    self._hash_ahead(pool)
        except BaseException:
            self._close_hash_pool()
            raise
        self.progress.finish()
        log.info("walk: %d entries", count)
        self.store.end_stage("walk", now(), {"entries": count})

    def _hash_ahead(self, pool: HashPool) -> None:
        """During the walk: store finished batches, and give free workers stored files.

        Files go in id order from where the last call stopped, no more than the pool has room
        for, so nothing waits in memory; whatever is left is for :meth:`hash`.
        """
        ahead = self._ahead
        for batch in pool.finished():
            self._store_batch(batch, ahead.rows)
        self.store.update_digests(ahead.rows)
        ahead.hashed += len(ahead.rows)
        ahead.rows = []
        room = pool.room()
        if room <= 0:
            return
        if ahead.media is not None:
            pool.submit(next(batches([ahead.media])))
            ahead.media, ahead.media_submitted = None, True
            room -= 1
        if not ahead.files or room <= 0:
            return
        jobs = [
            tuple(row)
            for row in self.store.query(
                f"{FILE_JOB_SELECT} AND id > ? AND NOT {UNHASHABLE} ORDER BY id LIMIT ?",
                (ahead.after_id, room * BATCH_FILES_AHEAD),
            )
        ]
        if jobs:
            ahead.after_id = jobs[-1][0]
            ahead.submitted += len(jobs)
            for batch in batches(jobs):
                pool.submit(batch)

    # -- hash ----------------------------------------------------------------------------------
    def hash(self) -> None:
        """Hash the evidence stream and every file; type every file with libmagic.

        The evidence job goes first: it is the largest, and in the pool it runs beside the
        files. A compressed tar is one deflate stream, so its files are read in archive order
        by one reader (``ordered``) while the evidence job still runs in a worker.
        """
        config = self.config
        ahead, self._ahead = self._ahead, _HashAhead()
        evidence_job = self._evidence_job() if config.hash_evidence else None
        self._mark_unhashable()
        file_bytes = (
            int(
                self.store.scalar(
                    "SELECT coalesce(sum(size), 0) FROM files WHERE hashed = 0 AND "
                    "kind IN ('file', 'ads')"
                )
            )
            if config.hash_files
            else 0
        )
        self.progress.start("hash", file_bytes + (evidence_job.size if evidence_job else 0), "B")

        def all_jobs() -> Iterator[HashJob]:
            if evidence_job is not None and not ahead.media_submitted:
                yield evidence_job
            if config.hash_files:
                yield from self._file_jobs(ahead.after_id)

        pending: list[tuple] = []
        hashed = ahead.hashed
        pool = self._hash_pool
        try:
            # Results come per batch as rows ready for the store: nothing per file here but
            # the check for a read error.
            for batch in hash_batches(
                self.locator,
                all_jobs(),
                config.algorithms,
                jobs=config.jobs,
                type_files=config.type_files,
                ordered=self._sequential,
                pool=pool,
            ):
                self.progress.advance(batch.bytes_read)
                self._store_batch(batch, pending)
                hashed += len(batch.rows)
                if len(pending) >= 1000:  # small writes: the workers are fed meanwhile
                    self.store.update_digests(pending)
                    pending = []
        finally:
            self._close_hash_pool()
        self.store.update_digests(pending)
        self.progress.finish()
        log.info("hash: %d files (%d of them started during the walk)", hashed, ahead.submitted)
        self.store.end_stage("hash", now(), {"files": hashed, "during_walk": ahead.submitted})

    def _store_batch(self, batch: HashedBatch, pending: list[tuple]) -> None:
        """Queue a batch's rows for the store; record its read errors and the evidence hash."""
        if batch.media is not None:
            self._store_evidence_hash(batch.media)
        pending.extend(batch.rows)
        for row in batch.rows:
            if row[6] is not None:
                self._hash_problem(row[7], row[6])

    def _close_hash_pool(self) -> None:
        pool, self._hash_pool = self._hash_pool, None
        if pool is not None:
            pool.close()

    @property
    def _sequential(self) -> bool:
        """Whether the source is read in one order only (a compressed tar)."""
        return bool(getattr(self.source, "sequential", False))

    def _evidence_job(self) -> HashJob | None:
        evidence = self.store.evidence()
        if evidence.get("kind") in ("directory", "itunes_backup"):
            self.store.set_evidence_hash({}, 0, "not applicable (folder evidence)", None)
            return None
        return HashJob(MEDIA_FILE_ID, None, int(evidence.get("size") or 0), "")

    def _mark_unhashable(self) -> None:
        """Entries that cannot or must not be read get a reason instead of digests."""
        self.store.execute(
            "UPDATE files SET hashed = 1, hash_error = 'not hashed: ' || note "
            f"WHERE hashed = 0 AND kind IN ('file', 'ads') AND {UNHASHABLE_NOTE}"
        )
        self.store.execute(
            "UPDATE files SET hashed = 1, hash_error = 'not hashed: deleted name without "
            f"metadata' WHERE hashed = 0 AND {NO_METADATA}"
        )

    def _file_jobs(self, after_id: int = 0) -> Iterator[JobTuple]:
        """Unhashed files in the order that suits the source, as job tuples.

        E01 chunks are compressed: read in image order (inode order approximates it on every
        file system TSK reads) so each chunk is inflated once; largest-first thrashes the
        chunk cache and made two processes slower than one. A compressed tar is read in
        archive order. Otherwise files of SMALL_FILE bytes or more go largest first (they
        balance the cores), then the small ones in walk order: their results then reach the
        store in id order, and updating rows in order costs a third of updating them at random
        (bench/hashing.py). Files up to ``after_id`` were hashed during the walk.
        """
        evidence = self.store.evidence()
        if evidence.get("format") in EWF:
            order = "partition, inode, attr_id"
        elif self._sequential:
            order = "id"
        else:
            order = f"CASE WHEN size >= {SMALL_FILE} THEN -size ELSE 0 END, id"
        rows = self.store.query(f"{FILE_JOB_SELECT} AND id > ? ORDER BY {order}", (after_id,))
        for row in rows:
            yield tuple(row)

    def _store_evidence_hash(self, digest: FileDigest) -> None:
        """Record the evidence hash; a MISMATCH is an error problem, so it heads the report."""
        evidence = self.store.evidence()
        digests = {"md5": digest.md5, "sha1": digest.sha1, "sha256": digest.sha256}
        digests = {key: value for key, value in digests.items() if value}
        stored = evidence.get("stored_hashes") or {}
        stored_problem = (evidence.get("metadata") or {}).get("stored_hash_problem")
        note = "; ".join(text for text in (digest.note, stored_problem) if text) or None
        verification = verify_stored_hashes(stored, digests, note)
        if digest.error:
            verification = "not verified: the evidence could not be read to the end"
            self.problem(
                Problem("hash", f"evidence hash failed: {digest.error}", evidence.get("path"))
            )
        elif verification.startswith("MISMATCH"):
            self.problem(Problem("hash", f"evidence {verification}", evidence.get("path")))
        elif note:
            self.problem(Problem("hash", f"evidence {note}", evidence.get("path")))
        self.store.set_evidence_hash(digests, digest.bytes_read, verification, digest.error)
        log.info("evidence hash: %s; %s", digests, verification)

    def _hash_problem(self, file_id: int, error: str) -> None:
        row = self.store.file(file_id)
        deleted = row is not None and not row["allocated"]
        self.problem(
            Problem(
                "hash",
                error,
                row["path"] if row else None,
                row["partition"] if row else None,
                row["inode"] if row else None,
                "warning" if deleted else "error",
            )
        )

    # -- hash sets -----------------------------------------------------------------------------
    def match_hashsets(self) -> None:
        """Look every hashed file up in the hash sets given."""
        from triage.hashsets import match_store  # noqa: PLC0415

        self.store.clear_records("hashsets")
        count = match_store(
            self.store, self.config.hashsets, self.config.name, self.config.output, self.problem
        )
        self.store.end_stage("hashsets", now(), {"hits": count})

    # -- extract -------------------------------------------------------------------------------
    def choose_profile(self) -> ProfileChoice:
        """The profile named on the command line, or the one the evidence's markers pick."""
        if self.config.profile != "auto":
            profile = load_profile(self.config.profile, self.config.profiles_dir)
            return ProfileChoice(profile, "chosen with --profile", ())
        profiles = load_profiles(self.config.profiles_dir)
        paths = (row["path"] for row in self.store.query("SELECT path FROM files"))
        return detect_profile(paths, profiles)

    def extract(self) -> None:
        """Run the profile's extractors on the files they match, each isolated."""
        choice = self.choose_profile()
        lone = None
        if self.locator.kind == "file":  # one-file evidence: matched by name and content
            choice, lone = self._lone_file(choice)
        self.store.set_meta("profile", choice.profile.name)
        self.store.set_meta("profile_reason", choice.reason)
        log.info("profile %s: %s", choice.profile.name, choice.reason)
        registry = all_extractors()
        extractors = sorted(
            (registry[ident]() for ident in choice.profile.extractors),
            key=lambda extractor: extractor.priority,
        )
        todo = [
            e
            for e in extractors
            if not (self.config.resume and self.store.stage_done(f"extract:{e.name}"))
        ]
        if not todo:
            return
        for extractor in todo:
            self.store.clear_problems(f"match:{extractor.name}")
        matches = lone if lone is not None else self._match(todo)
        self.progress.start("extract", len(todo), "extractors")
        with tempfile.TemporaryDirectory(prefix="triage-") as workdir:
            for extractor in todo:
                self._run_extractor(extractor, matches.get(extractor.name, []), Path(workdir))
                self.progress.advance(1)
        self.progress.finish()

    def _lone_file(self, choice: ProfileChoice) -> tuple[ProfileChoice, dict[str, list]]:
        """The profile and matches of a one-file device (see :mod:`triage.one_file`)."""
        from triage.one_file import lone_file_matches, lone_file_profile  # noqa: PLC0415

        registry = all_extractors()
        rows = self.store.query("SELECT * FROM files WHERE kind = 'file' ORDER BY id LIMIT 1")
        files = [StoredFile.from_row(row) for row in rows]
        if not files:
            return choice, {}
        auto = self.config.profile == "auto"
        profiles = load_profiles(self.config.profiles_dir) if auto else {}
        # auto: every extractor may read it; the profile follows from those that do
        candidates = profiles[GENERIC].extractors if auto else choice.profile.extractors
        with tempfile.TemporaryDirectory(prefix="triage-lone-") as workdir:
            ctx = self._context("match", Path(workdir))
            extractors = [registry[ident]() for ident in candidates]
            found = lone_file_matches(extractors, files[0], ctx)
        for match in found:
            log.info("%s reads the evidence file %s", match.extractor.name, match.how)
        if auto:
            file_type = (self.store.evidence().get("metadata") or {}).get("type", "unknown")
            choice = lone_file_profile(choice, found, profiles, file_type)
        return choice, {match.extractor.name: [files[0]] for match in found}

    def _match(self, extractors: list[Extractor]) -> dict[str, list[StoredFile]]:
        """Files per extractor: by path pattern, then SQLite databases by their schema."""
        matches: dict[str, list[StoredFile]] = {e.name: [] for e in extractors}
        regexes = [(e, compile_patterns(e.patterns)) for e in extractors]
        matched_ids: set[int] = set()
        rows = self.store.query(
            "SELECT * FROM files WHERE kind IN ('file', 'ads', 'dir') ORDER BY id"
        )
        for row in rows:
            relative = row["path"].lstrip("/")
            for extractor, regex in regexes:
                if regex.match(relative):
                    matches[extractor.name].append(StoredFile.from_row(row))
                    matched_ids.add(row["id"])
        by_schema = [e for e in extractors if e.sqlite_tables]
        if by_schema:
            self._match_by_schema(by_schema, matched_ids, matches)
        return matches

    def _match_by_schema(
        self,
        extractors: list[Extractor],
        matched_ids: set[int],
        matches: dict[str, list[StoredFile]],
    ) -> None:
        import sqlite3  # noqa: PLC0415

        rows = self.store.query(
            "SELECT * FROM files WHERE kind = 'file' AND size > 0 AND size <= ? AND "
            "(mime IN ('application/vnd.sqlite3', 'application/x-sqlite3') OR "
            "(mime IS NULL AND magic IS NULL))",
            (MAX_SCHEMA_PROBE,),
        )
        with tempfile.TemporaryDirectory(prefix="triage-schema-") as workdir:
            ctx = self._context("schema", Path(workdir))
            for row in rows:
                if row["id"] in matched_ids:
                    continue
                file = StoredFile.from_row(row)
                try:
                    if ctx.read_bytes(file, 16) != b"SQLite format 3\x00":
                        continue
                    with ctx.sqlite(file) as connection:
                        tables = {
                            name
                            for (name,) in connection.execute(
                                "SELECT name FROM sqlite_master WHERE type = 'table'"
                            )
                        }
                except (OSError, sqlite3.DatabaseError):
                    continue
                for extractor in extractors:
                    if extractor.sqlite_tables <= tables:
                        matches[extractor.name].append(file)
                        log.info("%s: %s recognised by its schema", extractor.name, file.path)
                        self.problem(
                            Problem(
                                f"match:{extractor.name}",
                                "database recognised by its schema at an unusual path",
                                str(file.path),
                                file.partition,
                                file.inode,
                                "warning",
                            )
                        )

    def _ensure_hashed(self, files: list[StoredFile]) -> None:
        """Files that extractors read must have a SHA-256 for provenance, even with --no-hash."""
        missing = [
            file
            for file in files
            if file.sha256 is None
            and file.kind in ("file", "ads")
            and not self.store.scalar("SELECT hashed FROM files WHERE id = ?", (file.id,))
        ]
        if not missing:
            return
        jobs = (HashJob(file.id, file.ref, file.size, file.path.name) for file in missing)
        rows = [
            (
                d.md5,
                d.sha1,
                d.sha256,
                d.mime,
                d.description,
                int(d.ext_mismatch),
                d.error,
                d.file_id,
            )
            for d in hash_files(self.locator, jobs, ("sha256",), jobs=1, type_files=True)
        ]
        self.store.update_digests(rows)

    def _context(self, name: str, workdir: Path) -> ExtractionContext:
        return ExtractionContext(
            evidence_name=self.config.name,
            source=self.source,
            store=self.store,
            workdir=workdir,
            extractor=name,
            default_region=self._default_region(),
            recover=self.config.recover,
            file_time_span=self._file_time_span,
        )

    def _file_time_span(self) -> list[datetime]:
        """The file system's span of times, read once for every extractor's recovery."""
        if self._time_span is None:
            self._time_span = file_system_span(self.store)
        return self._time_span

    def _default_region(self) -> str | None:
        from triage.region import default_region  # noqa: PLC0415

        region, source = default_region(self.config.country, self.store)
        if region:  # which region numbers without their country code were read in, and why
            self.store.set_meta("phone_region", region)
            self.store.set_meta("phone_region_source", source)
        return region

    def _run_extractor(self, extractor: Extractor, files: list[StoredFile], workdir: Path) -> None:
        stage = f"extract:{extractor.name}"
        self.store.begin_stage(stage, now())
        self.store.clear_records(extractor.name)
        self.store.clear_problems(stage)
        started = time.monotonic()
        accepted: list[StoredFile] = []
        ctx = self._context(extractor.name, workdir)
        status, error, count = "ok", None, 0
        try:
            accepted = [file for file in files if extractor.accepts(file, ctx)]
            # Files an extractor reads carry their SHA-256 in every record, even with --no-hash;
            # only the accepted ones are hashed, not every pattern match.
            self._ensure_hashed(accepted)
            accepted = [StoredFile.from_row(self.store.file(file.id)) for file in accepted]
            if accepted:
                count = self.store.add_records(extractor.name, extractor.extract(accepted, ctx))
        except Exception as crash:  # noqa: BLE001 - one crashed extractor must not stop the scan
            status, error = "crashed", f"{type(crash).__name__}: {crash}"
            count = self.store.count_records(extractor.name)
            self.problem(Problem(stage, f"extractor crashed after {count} records: {error}"))
            log.debug("%s", traceback.format_exc())
            log.error("%s crashed:\n%s", extractor.name, traceback.format_exc())
        self.store.record_extractor_run(
            extractor.name, len(accepted), count, status, time.monotonic() - started, error
        )
        self.store.end_stage(stage, now(), {"files": len(accepted), "records": count})
