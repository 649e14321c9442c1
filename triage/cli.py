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
from triage.errors import ExitStatus, TriageError
from triage.hashing import ALGORITHMS, default_jobs, parse_algorithms, start_worker_server

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


def _setup_logging(debug: bool, verbose: bool) -> None:
    handler = RichHandler(
        console=Console(stderr=True), markup=False, show_path=debug, rich_tracebacks=False
    )
    logger = logging.getLogger("triage")
    logger.handlers = [h for h in logger.handlers if not isinstance(h, RichHandler)]
    logger.addHandler(handler)
    handler.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False


def _run(ctx: click.Context, action: Callable[[], int]) -> None:
    """Run a command body and map errors to exit statuses (tracebacks only with --debug)."""
    debug = ctx.find_root().params.get("debug", False)
    try:
        status = action()
    except TriageError as error:
        if debug:
            traceback.print_exc()
        click.echo(f"triage: error: {error}", err=True)
        ctx.exit(int(error.exit_status))
    except KeyboardInterrupt:
        click.echo("triage: interrupted", err=True)
        ctx.exit(int(ExitStatus.INTERRUPTED))
    ctx.exit(status)


def _parse_hashset(value: str) -> HashSetSpec:
    path, _, label = (
        value.rpartition(":")
        if value.rsplit(":", 1)[-1] in HASHSET_LABELS
        else (value, "", "known-bad")
    )
    return HashSetSpec(Path(path), label or "known-bad")


@click.group(context_settings=CONTEXT)
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
            "--country",
            metavar="CC",
            help="Default country for phone numbers "
            "without a country code (ISO code, e.g. US, IN).",
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
        country=options.get("country"),
        force=force,
        resume=resume,
        command_line=shlex.join(["triage", *sys.argv[1:]]),
    )


@main.command(context_settings=CONTEXT)
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
        return int(ExitStatus.DONE_WITH_PROBLEMS if result.errors else ExitStatus.DONE)

    _run(ctx, action)


def result_json(result: Any) -> dict[str, Any]:
    """A ScanResult as JSON-ready data."""
    return {
        "device": result.name,
        "output": str(result.output),
        "status": result.status,
        "files": result.files,
        "bytes_hashed": result.bytes_hashed,
        "errors": result.errors,
        "warnings": result.warnings,
        "verification": result.verification,
        "profile": result.profile,
        "records": result.records,
        "seconds": round(result.seconds, 3),
        "report": str(result.output / "report.html"),
    }


def print_summary(result: Any) -> None:
    """The end-of-run table on stderr."""
    console = Console(stderr=True)
    table = Table(title=f"triage: {result.name}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("status", result.status)
    table.add_row("files", str(result.files))
    table.add_row("hashed", f"{result.bytes_hashed:,} bytes")
    table.add_row("evidence hash", result.verification or "not computed")
    table.add_row("profile", result.profile or "-")
    for record_table, count in sorted(result.records.items()):
        table.add_row(record_table, str(count))
    table.add_row("problems", f"{result.errors} errors, {result.warnings} warnings")
    table.add_row("time", f"{result.seconds:.1f} s")
    table.add_row("report", str(result.output / "report.html"))
    console.print(table, markup=False, highlight=False)


@main.command(context_settings=CONTEXT)
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
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON on stdout.")
@scan_options
@click.pass_context
def batch(
    ctx: click.Context,
    case_path: Path,
    output: Path,
    parallel: int | None,
    scheduler: str | None,
    as_json: bool,
    **options: Any,
) -> None:
    """Scan every device of a case, then link them: case.html, case.json, links and contacts.

    A case is a folder (one device per item; E01 segments and split images grouped) or a YAML
    manifest listing devices. A rerun skips finished devices and resumes unfinished ones.

    \b
    Examples:
      triage batch seized/ -o out/
      triage batch case.yaml -o out/ --scheduler tcp://lab-scheduler:8786
    """

    def action() -> int:
        from triage.batch import run_batch  # noqa: PLC0415
        from triage.case import load_case  # noqa: PLC0415

        case = load_case(case_path)
        template = build_config(case_path, output, "template", options)
        console = Console(stderr=True)

        def done(outcome: Any) -> None:
            console.print(
                f"{outcome.name}: {outcome.status}"
                + (f" ({outcome.message})" if outcome.message else ""),
                markup=False,
                highlight=False,
            )

        summary = run_batch(
            case, output, template, parallel=parallel, scheduler=scheduler, on_done=done
        )
        outcomes = summary["outcomes"]
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "case": case.name,
                        "output": str(output),
                        "devices": [o.__dict__ for o in outcomes],
                        "links": {k: len(v) for k, v in summary["links"].items()},
                        "contacts": len(summary["contacts"]),
                        "episodes": len(summary["episodes"]),
                    },
                    indent=1,
                )
            )
        console.print(f"case report: {output / 'case.html'}", markup=False, highlight=False)
        failed = any(o.status in ("failed", "done with problems") for o in outcomes)
        return int(ExitStatus.DONE_WITH_PROBLEMS if failed else ExitStatus.DONE)

    _run(ctx, action)


@main.command(context_settings=CONTEXT)
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
        if (
            outcome["verification"].startswith("MISMATCH")
            or outcome.get("error")
            or outcome.get("damaged")
        ):
            return int(ExitStatus.DONE_WITH_PROBLEMS)
        return int(ExitStatus.DONE)

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
