"""The ``triage`` command line: parse options, build a config, call the library, map errors.

Output discipline: progress bars (tqdm) and the end-of-run summary (rich) go to stderr; only
machine output (``--json``) goes to stdout. Library code never prints.
"""

from __future__ import annotations

import json
import logging
import shlex
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from triage import __version__
from triage.config import HashSetSpec, ScanConfig, device_name
from triage.errors import (
    EXIT_HELP,
    ExitStatus,
    TriageError,
    verification_status,
    worst,
)
from triage.evidence.volumes.keys import (
    KeyInputError,
    check_keys,
    read_key_file,
    redact_command_line,
)
from triage.hashing import ALGORITHMS, default_jobs, parse_algorithms, start_worker_server
from triage.logtime import rich_log_time
from triage.names import shown

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
HASHSET_LABELS = ("known-bad", "known-good")


class TqdmProgress:
    """Pipeline progress drawn with tqdm on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None

    def start(self, stage: str, total: int | None, unit: str) -> None:  # noqa: D102
        if not self.enabled:
            return
        from tqdm import tqdm  # noqa: PLC0415

        self._bar = tqdm(
            total=total,
            desc=f"{stage:8}",
            unit=unit,
            unit_scale=unit == "B",
            unit_divisor=1024 if unit == "B" else 1000,
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
        )

    def advance(self, amount: int) -> None:  # noqa: D102
        if self._bar is not None:
            self._bar.update(amount)

    def finish(self) -> None:  # noqa: D102
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def stderr_console() -> Console:
    """The console for stderr: a terminal wraps to its width; a file or pipe gets one line per
    message (never hard-wrapped at 80 columns, so logs stay greppable)."""
    if sys.stderr.isatty():
        return Console(stderr=True)
    return Console(stderr=True, soft_wrap=True, width=100_000)


class _ConsoleFilter(logging.Filter):
    """Keep records marked ``file_only`` (said again by the CLI's own error line) off stderr."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        return not getattr(record, "file_only", False)


def _setup_logging(debug: bool, verbose: bool) -> None:
    handler: logging.Handler
    if sys.stderr.isatty():
        handler = RichHandler(
            console=stderr_console(),
            markup=False,
            show_path=debug,
            rich_tracebacks=False,
            log_time_format=rich_log_time,
        )
    else:  # a file or pipe: one plain line per message
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("triage: %(levelname)s: %(message)s"))
    handler.addFilter(_ConsoleFilter())
    handler.set_name("triage-console")
    logger = logging.getLogger("triage")
    logger.handlers = [
        h
        for h in logger.handlers
        if not isinstance(h, RichHandler) and h.get_name() != "triage-console"
    ]
    logger.addHandler(handler)
    handler.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False


def _run(ctx: click.Context, action: Callable[[], int], resume_hint: str = "") -> None:
    """Run a command body and map errors to exit statuses (tracebacks only with --debug).

    ``resume_hint`` says, after Ctrl-C, how to continue (e.g. the same command with --resume).
    """
    debug = ctx.find_root().params.get("debug", False)
    try:
        status = action()
    except TriageError as error:
        if debug:
            traceback.print_exc()
        click.echo(f"triage: error: {error}", err=True)
        ctx.exit(int(error.exit_status))
    except KeyboardInterrupt:
        hint = f"; {resume_hint}" if resume_hint else ""
        click.echo(f"triage: interrupted{hint}", err=True)
        ctx.exit(int(ExitStatus.INTERRUPTED))
    ctx.exit(status)


def _keys(options: dict[str, Any]) -> tuple[str, ...]:
    """The keys of --key and --key-file, in that order (read once, kept in memory only)."""
    try:
        keys = check_keys(tuple(options.get("keys") or ()))
    except KeyInputError as error:  # the message names the key by position, never by value
        raise click.BadParameter(str(error), param_hint="--key") from None
    key_file = options.get("key_file")
    if key_file is not None:
        try:
            keys += read_key_file(key_file)
        except KeyInputError as error:
            raise click.BadParameter(str(error), param_hint="--key-file") from None
        except OSError as error:
            raise click.BadParameter(f"cannot read it: {error}", param_hint="--key-file") from error
    return keys


def _parse_hashset(value: str) -> HashSetSpec:
    path, _, label = (
        value.rpartition(":")
        if value.rsplit(":", 1)[-1] in HASHSET_LABELS
        else (value, "", "known-bad")
    )
    return HashSetSpec(Path(path), label or "known-bad")


@click.group(context_settings=CONTEXT, epilog=EXIT_HELP)
@click.version_option(__version__, "-V", "--version", prog_name="triage")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.option("-v", "--verbose", is_flag=True, help="Log each stage to stderr.")
def main(debug: bool, verbose: bool) -> None:
    """Read-only triage of seized devices: disk images, phone extractions, routers.

    \b
    Example:
      triage scan laptop-01.E01 -o out/laptop-01
      triage demo
    """
    _setup_logging(debug, verbose)


def scan_options(function: Callable) -> Callable:
    """Options shared by ``scan`` and ``batch``."""
    options = [
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(1, 256),
            default=None,
            help="Worker processes for hashing (default: all cores).",
        ),
        click.option(
            "--hash",
            "hash_names",
            default=",".join(ALGORITHMS),
            show_default=True,
            metavar="ALGS",
            help="Digests to compute, e.g. --hash md5,sha256.",
        ),
        click.option(
            "--no-hash",
            is_flag=True,
            help="Do not hash files (extracted sources are still hashed for provenance).",
        ),
        click.option("--no-image-hash", is_flag=True, help="Do not hash the evidence itself."),
        click.option(
            "--hash-only", is_flag=True, help="Walk and hash only: no file types, no extractors."
        ),
        click.option(
            "--profile",
            default="auto",
            show_default=True,
            help="Extractor profile; 'auto' picks one from the evidence.",
        ),
        click.option(
            "--profiles-dir",
            type=click.Path(path_type=Path, file_okay=False),
            help="Folder of a lab's own profile YAML files.",
        ),
        click.option(
            "--hashset",
            "hashsets",
            multiple=True,
            metavar="FILE[:LABEL]",
            help="Hash set to match (hashdeep, md5sum, NSRL...); LABEL is known-bad "
            "(default) or known-good. Repeatable.",
        ),
        click.option(
            "--hide-known-good",
            is_flag=True,
            help="Leave known-good files out of the report's file views.",
        ),
        click.option("--password", help="Password of an encrypted iTunes backup."),
        click.option(
            "--key",
            "keys",
            multiple=True,
            metavar="KEY",
            help="Key of an encrypted volume: BitLocker recovery password, password, or a .BEK "
            "file; LUKS passphrase; APFS/FileVault password. Repeatable; tried on every locked "
            "volume.",
        ),
        click.option(
            "--key-file",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="File of keys, one per line, each tried on every locked volume.",
        ),
        click.option("--no-vss", is_flag=True, help="Do not walk Volume Shadow Copies."),
        click.option(
            "--country",
            metavar="CC",
            help="Default country for phone numbers without a country code (ISO code, e.g. "
            "US, IN); without it, the device's SIM country, locale or time zone.",
        ),
        click.option(
            "--no-recover",
            is_flag=True,
            help="Do not recover deleted rows of SQLite databases (calls, history).",
        ),
        click.option("--no-progress", is_flag=True, help="No progress bars."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def build_config(
    evidence: Path,
    output: Path,
    name: str | None,
    options: dict[str, Any],
    force: bool = False,
    resume: bool = False,
) -> ScanConfig:
    """A ScanConfig from CLI options (shared by scan and batch)."""
    try:
        algorithms = parse_algorithms(options["hash_names"])
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--hash") from error
    hash_only = options.get("hash_only", False)
    return ScanConfig(
        evidence=evidence,
        output=output,
        name=name or device_name(evidence),
        jobs=options.get("jobs") or default_jobs(),
        algorithms=algorithms,
        hash_files=not options.get("no_hash", False),
        hash_evidence=not options.get("no_image_hash", False),
        type_files=not hash_only,
        extract=not hash_only,
        profile=options.get("profile", "auto"),
        profiles_dir=options.get("profiles_dir"),
        hashsets=tuple(_parse_hashset(value) for value in options.get("hashsets", ())),
        hide_known_good=options.get("hide_known_good", False),
        password=options.get("password"),
        keys=_keys(options),
        vss=not options.get("no_vss", False),
        country=options.get("country"),
        recover=not options.get("no_recover", False),
        force=force,
        resume=resume,
        command_line=shlex.join(["triage", *redact_command_line(sys.argv[1:])]),
    )


@main.command(context_settings=CONTEXT, epilog=EXIT_HELP)
@click.argument("evidence", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Output folder for this device, e.g. out/laptop-01.",
)
@click.option("--name", help="Device name in reports (default: from the evidence file name).")
@click.option("--force", is_flag=True, help="Replace triage outputs in an existing folder.")
@click.option("--resume", is_flag=True, help="Continue an interrupted scan in -o.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@scan_options
@click.pass_context
def scan(
    ctx: click.Context,
    evidence: Path,
    output: Path,
    name: str | None,
    force: bool,
    resume: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Scan one device: walk, hash, type, extract, report.

    EVIDENCE is a disk image (raw, split raw, E01, VMDK, VHD/VHDX, QCOW2), a folder (extracted
    file system or iTunes backup) or a tar / tar.gz / zip extraction.

    \b
    Examples:
      triage scan laptop-01.E01 -o out/laptop-01
      triage scan phone-03/ -o out/phone-03 --country US
      triage scan phone-04.tar -o out/phone-04 --hashset bad.txt:known-bad
    """

    def action() -> int:
        config = build_config(evidence, output, name, options, force, resume)
        if config.hashes_in_workers:
            start_worker_server()  # starts while the pipeline's modules load
        from triage.pipeline import scan_device  # noqa: PLC0415

        progress = TqdmProgress(not options["no_progress"] and sys.stderr.isatty())
        result = scan_device(config, progress)
        if as_json:
            click.echo(json.dumps(result_json(result), indent=1))
        print_summary(result)
        return int(scan_status(result.errors, result.verification))

    _run(ctx, action, "run the same command with --resume to continue")


def scan_status(errors: int, verification: str | None) -> ExitStatus:
    """A scan's exit status: altered evidence first, then problems (no stored hash is fine)."""
    statuses = [ExitStatus.DONE_WITH_PROBLEMS if errors else ExitStatus.DONE]
    if verification_status(verification) == ExitStatus.EVIDENCE_ALTERED:
        statuses.append(ExitStatus.EVIDENCE_ALTERED)
    return worst(statuses)


def result_json(result: Any) -> dict[str, Any]:
    """A ScanResult as JSON-ready data."""
    return {
        "device": shown(result.name),
        "output": shown(str(result.output)),
        "status": result.status,
        "files": result.files,
        "bytes_hashed": result.bytes_hashed,
        "errors": result.errors,
        "warnings": result.warnings,
        "verification": result.verification,
        "profile": result.profile,
        "records": result.records,
        "seconds": round(result.seconds, 3),
        "report": shown(str(result.output / "report.html")),
    }


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``, ``12,345 files``."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def summary_counts(report_path: Path, result: Any) -> list[tuple[str, str]]:
    """The summary's count rows from report.json (the report's own numbers and words)."""
    try:
        counts = json.loads(report_path.read_text(encoding="utf-8")).get("counts") or {}
    except (OSError, ValueError):
        counts = {}
    if not counts:  # no report to read: the scan's own numbers
        return [("entries", f"{result.files:,}"), ("hashed", f"{result.bytes_hashed:,} bytes")]
    files, entries = counts.get("files") or 0, counts.get("entries") or 0
    rows = [
        ("files", f"{files:,} (of {plural(entries, 'entry').replace('entrys', 'entries')})"),
        ("deleted", f"{counts.get('deleted') or 0:,}"),
        ("file content", f"{counts.get('bytes') or 0:,} bytes"),
        ("hashed", f"{plural(counts.get('hashed') or 0, 'file')}"),
    ]
    return rows


def print_summary(result: Any) -> None:
    """The end-of-run table on stderr, in the report's words and counts."""
    rows = [("status", result.status)]
    rows += summary_counts(result.output / "report.json", result)
    rows += [
        ("evidence hash", result.verification or "not computed"),
        ("profile", result.profile or "-"),
    ]
    rows += [(table, f"{count:,}") for table, count in sorted(result.records.items())]
    problems = f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}"
    rows += [
        ("problems", problems),
        ("time", f"{result.seconds:.1f} s"),
        ("report", str(result.output / "report.html")),
    ]
    if not sys.stderr.isatty():  # a file or pipe: plain "label: value" lines, greppable
        click.echo(f"triage: {result.name}", err=True)
        for label, value in rows:
            click.echo(f"{label}: {value}", err=True)
        return
    table = Table(title=f"triage: {result.name}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    stderr_console().print(table, markup=False, highlight=False)


@main.command(context_settings=CONTEXT, epilog=EXIT_HELP)
@click.argument("case_path", metavar="CASE_DIR_OR_MANIFEST", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Case output folder; each device goes to OUT/<device>/.",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 256),
    default=None,
    help="Devices scanned at once (default: one per core, at most the devices).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler, e.g. tcp://10.0.0.5:8786: scan the devices on a cluster "
    "(evidence and -o on shared storage).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Rescan every device, even those finished earlier with the same options.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON on stdout.")
@scan_options
@click.pass_context
def batch(
    ctx: click.Context,
    case_path: Path,
    output: Path,
    parallel: int | None,
    scheduler: str | None,
    force: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Scan every device of a case, then link them: case.html, case.json, links and contacts.

    A case is a folder (one device per item; E01 segments and split images grouped) or a YAML
    manifest listing devices. A rerun keeps devices finished with the same options, rescans
    those whose options changed (--force: all), resumes interrupted ones and scans failed ones
    afresh. OUT must be empty, new or an earlier case output.

    \b
    Examples:
      triage batch seized/ -o out/
      triage batch case.yaml -o out/ --scheduler tcp://lab-scheduler:8786
    """

    def action() -> int:
        from triage.batch import run_batch  # noqa: PLC0415
        from triage.case import load_case  # noqa: PLC0415

        key_file = options.get("key_file")
        case = load_case(case_path, (key_file,) if key_file else ())
        template = build_config(case_path, output, "template", options)
        console = stderr_console()
        progress = {"done": 0, "total": 0}

        def say(text: str) -> None:
            console.print(text, markup=False, highlight=False)

        def planned(kept: list[Any], todo: int) -> None:
            progress["total"] = todo
            total = len(kept) + todo
            if kept:
                names = ", ".join(outcome.name for outcome in kept)
                say(f"{len(kept)} of {total} devices already done in an earlier run: {names}")
            say(f"scanning {plural(todo, 'device')}")

        def done(outcome: Any) -> None:
            progress["done"] += 1
            reason = f": {outcome.message}" if outcome.message else ""
            say(
                f"[{progress['done']}/{progress['total']}] {outcome.name}: {outcome.status}"
                f"{reason} ({outcome.seconds:.1f} s; {outcome.this_run})"
            )

        summary = run_batch(
            case,
            output,
            template,
            parallel=parallel,
            scheduler=scheduler,
            on_done=done,
            force=force,
            on_plan=planned,
        )
        outcomes = summary["outcomes"]
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "case": shown(case.name),
                        "output": shown(str(output)),
                        "devices": [o.__dict__ for o in outcomes],
                        "links": {k: len(v) for k, v in summary["links"].items()},
                        "contacts": len(summary["contacts"]),
                        "episodes": len(summary["episodes"]),
                    },
                    indent=1,
                )
            )
        say(f"case: {summary['device_states']['text']}")
        say(f"case report: {output / 'case.html'}")
        return int(batch_status(outcomes))

    _run(ctx, action, "run the same batch command again to continue")


def batch_status(outcomes: list[Any]) -> ExitStatus:
    """A batch's exit status: the most serious of its devices' outcomes."""
    statuses = []
    for outcome in outcomes:
        if outcome.status == "failed":
            statuses.append(ExitStatus.DEVICE_FAILED)
        else:
            statuses.append(scan_status(outcome.errors, outcome.verification))
    return worst(statuses)


@main.command(context_settings=CONTEXT, epilog=EXIT_HELP)
@click.argument("evidence", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.pass_context
def verify(ctx: click.Context, evidence: Path, as_json: bool) -> None:
    """Hash the evidence and compare it with the hashes stored at acquisition (E01).

    \b
    Example:
      triage verify laptop-01.E01
    """

    def action() -> int:
        from triage.verify import verify_evidence  # noqa: PLC0415

        outcome = verify_evidence(evidence)
        if as_json:
            click.echo(json.dumps(outcome, indent=1))
        else:
            for key in ("evidence", "format", "size", "md5", "sha1", "sha256"):
                click.echo(f"{key:13} {outcome.get(key)}", err=True)
            for key, value in outcome["stored_hashes"].items():
                click.echo(f"stored {key:6} {value}", err=True)
            click.echo(f"verification  {outcome['verification']}", err=True)
        verdict = verification_status(outcome["verification"])
        if verdict != ExitStatus.EVIDENCE_ALTERED and (
            outcome.get("error") or outcome.get("damaged")
        ):
            return int(ExitStatus.DONE_WITH_PROBLEMS)  # not read to the end, or damaged media
        return int(verdict)

    _run(ctx, action)


@main.command(context_settings=CONTEXT)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("triage-demo"),
    show_default=True,
    help="Where the demo outputs go (replaced if present).",
)
@click.option("--no-progress", is_flag=True, help="No progress bars.")
@click.pass_context
def demo(ctx: click.Context, output: Path, no_progress: bool) -> None:
    """Scan the bundled demo evidence and print where the HTML report is.

    \b
    Example:
      triage demo -o /tmp/triage-demo
    """

    def action() -> int:
        if default_jobs() > 1:
            start_worker_server()  # starts while the demo's modules load
        from triage.demo import run_demo  # noqa: PLC0415

        reports = run_demo(output)  # a batch: no bars to show, --no-progress or not
        for report in reports:
            click.echo(str(report))
        return int(ExitStatus.DONE)

    _run(ctx, action)


@main.command(context_settings=CONTEXT)
@click.option(
    "--profiles-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also list a lab's own profiles from this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the profiles as JSON on stdout.")
@click.pass_context
def profiles(ctx: click.Context, profiles_dir: Path | None, as_json: bool) -> None:
    """List the profiles: where each comes from, its detect markers and the extractors it runs.

    \b
    Examples:
      triage profiles
      triage profiles --profiles-dir lab-profiles/ --json
    """

    def action() -> int:
        from triage.profile_loader import load_profiles  # noqa: PLC0415

        loaded = load_profiles(profiles_dir).values()
        if as_json:
            click.echo(
                json.dumps(
                    [
                        {
                            "name": profile.name,
                            "description": profile.description,
                            "origin": profile.origin,
                            "detect": list(profile.detect),
                            "extractors": list(profile.extractors),
                        }
                        for profile in loaded
                    ],
                    indent=1,
                )
            )
            return int(ExitStatus.DONE)
        for profile in loaded:
            click.echo(f"{profile.name}: {profile.description}")
            click.echo(f"  from: {profile.origin}")
            click.echo(f"  detect: {', '.join(profile.detect) or '(never picked by auto)'}")
            click.echo(f"  extractors: {', '.join(profile.extractors) or '(none)'}")
        return int(ExitStatus.DONE)

    _run(ctx, action)


@main.command(context_settings=CONTEXT)
@click.option(
    "--profiles-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also say which of a lab's own profiles run each extractor.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the extractors as JSON on stdout.")
@click.pass_context
def extractors(ctx: click.Context, profiles_dir: Path | None, as_json: bool) -> None:
    """List every extractor: id, records, run order, where it looks and which profiles run it.

    \b
    Examples:
      triage extractors
      triage extractors --json
    """

    def action() -> int:
        from triage.extractors import all_extractors  # noqa: PLC0415
        from triage.profile_loader import load_profiles  # noqa: PLC0415

        loaded = load_profiles(profiles_dir).values()
        entries = [
            {
                "id": ident,
                "records": [kind.__name__ for kind in cls.record_types],
                "priority": cls.priority,
                "description": cls.description,
                "patterns": list(cls.patterns),
                "sqlite_tables": sorted(cls.sqlite_tables),
                "profiles": [p.name for p in loaded if ident in p.extractors],
            }
            for ident, cls in all_extractors().items()
        ]
        if as_json:
            click.echo(json.dumps(entries, indent=1))
            return int(ExitStatus.DONE)
        for entry in entries:
            patterns = entry["patterns"]
            more = f" (+{len(patterns) - 6} more)" if len(patterns) > 6 else ""
            records = ", ".join(entry["records"])
            click.echo(f"{entry['id']}  [{records}]  priority {entry['priority']}")
            click.echo(f"  {entry['description']}")
            click.echo(f"  looks at: {', '.join(patterns[:6])}{more}")
            if entry["sqlite_tables"]:
                tables = ", ".join(entry["sqlite_tables"])
                click.echo(f"  or any SQLite database with the tables: {tables}")
            click.echo(f"  profiles: {', '.join(entry['profiles']) or '(none)'}")
        return int(ExitStatus.DONE)

    _run(ctx, action)


if __name__ == "__main__":  # pragma: no cover
    main()
