"""Fuzz every extractor's parser and the evidence layer for a bounded time; report executions
and crashes.

Usage (from the repository root)::

    python fuzz/run.py                     # every extractor and evidence target, 5 s each
    python fuzz/run.py --seconds 60 --only 'router.*' --crashes fuzz-crashes/
    python fuzz/run.py --seconds 120 --only 'evidence.*'   # archives, MBR/GPT, EWF, VM disks...

The evidence targets (``evidence.tar``, ``.gzip``, ``.zip``, ``.mbr``, ``.gpt``, ``.ewf``,
``.vm_disk``, ``.itunes``) damage real containers and open them as a scan does: see
:mod:`fuzz.evidence`.

For each extractor, real artifacts it reads (fixtures, generated devices, the shared corpus:
see :mod:`fuzz.seeds`) are mutated by Hypothesis strategies (:mod:`fuzz.mutators`: text
tokens, lines and encodings; SQLite values, rows and pages; plist values and types; bytes) and
fed to the extractor through a real extraction context (:mod:`fuzz.harness`). An exception that
escapes the extractor, or a run longer than 10 s on one file, is a finding; each distinct one
(exception type and innermost triage frame) is counted once and, with ``--crashes DIR``, its
smallest input and traceback are written there. Hypothesis is used as the input generator only
(no shrinking, no example database), in batches until the time given is spent.

The table printed at the end gives per extractor: seeds, executions, executions per second,
distinct crashes and hangs. Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import logging
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz.evidence import TARGETS as EVIDENCE_TARGETS  # noqa: E402
from fuzz.evidence import EvidenceHarness  # noqa: E402
from fuzz.harness import Finding, Harness  # noqa: E402
from fuzz.mutators import mutated  # noqa: E402
from fuzz.seeds import collect  # noqa: E402
from triage.extractors import all_extractors  # noqa: E402

BATCH = 500  # Hypothesis examples per call; calls repeat until the time is spent


@dataclass
class TargetResult:
    name: str
    seeds: int
    executions: int = 0
    seconds: float = 0.0
    findings: dict[str, Finding] = field(default_factory=dict)

    @property
    def crashes(self) -> int:
        return sum(1 for finding in self.findings.values() if finding.kind == "crash")

    @property
    def hangs(self) -> int:
        return sum(1 for finding in self.findings.values() if finding.kind == "hang")


def fuzz_target(name: str, seeds, seconds: float, seed: int | None) -> TargetResult:
    """Run one extractor on mutated seeds for ``seconds``."""
    result = TargetResult(name, len(seeds))
    if not seeds:
        return result
    harness = (
        EvidenceHarness(seeds)
        if name in EVIDENCE_TARGETS
        else Harness(all_extractors()[name](), seeds)
    )
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def record(finding: Finding | None) -> None:
        if finding is None:
            return
        known = result.findings.get(finding.key)
        if known is None:
            result.findings[finding.key] = finding
            return
        known.count += 1
        if len(finding.data) < len(known.data):
            known.data, known.path = finding.data, finding.path

    def batch(examples: int, number: int):
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(st.data())
        def one(data) -> None:
            chosen = data.draw(st.sampled_from(seeds), label="seed")
            strategy = getattr(harness, "strategy", None)
            payload = data.draw(
                strategy(chosen) if strategy else mutated(chosen.data), label="mutation"
            )
            record(harness.run(chosen, payload))

        return one if seed is None else hypothesis_seed(seed * 100_003 + number)(one)

    try:
        examples, number = 10, 0
        while time.monotonic() < deadline:
            before, begun = harness.executions, time.monotonic()
            batch(examples, number)()
            number += 1
            # Size the next batch to the time left: Hypothesis must finish every batch it starts.
            per_run = (time.monotonic() - begun) / max(harness.executions - before, 1)
            examples = int(max(1, min(BATCH, (deadline - time.monotonic()) / per_run)))
    finally:
        result.executions = harness.executions
        result.seconds = time.monotonic() - started
        harness.close()
    return result


def write_findings(results: list[TargetResult], folder: Path) -> None:
    """Each finding's smallest input and traceback, named by target and key."""
    folder.mkdir(parents=True, exist_ok=True)
    for result in results:
        for finding in result.findings.values():
            tag = hashlib.sha256(finding.key.encode()).hexdigest()[:10]
            stem = f"{result.name}-{finding.kind}-{tag}"
            (folder / f"{stem}.bin").write_bytes(finding.data)
            (folder / f"{stem}.txt").write_text(
                f"{finding.key}\npath: {finding.path}\nseen {finding.count} times\n\n"
                f"{finding.detail}",
                encoding="utf-8",
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per extractor")
    parser.add_argument("--only", action="append", help="extractor ids or globs (repeatable)")
    parser.add_argument("--crashes", type=Path, help="write each finding's input here")
    parser.add_argument("--seed", type=int, help="seed Hypothesis (repeatable runs)")
    parser.add_argument("--no-corpus", action="store_true", help="seed from project files only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    logging.disable(logging.CRITICAL)  # extractors log each problem; the table says enough
    warnings.simplefilter("ignore")
    wanted = args.only or ["*"]
    extractors_wanted = any(not pattern.startswith("evidence.") for pattern in wanted)
    seeds = collect(corpus=not args.no_corpus) if extractors_wanted else {}
    for target, build in EVIDENCE_TARGETS.items():
        if any(fnmatch.fnmatch(target, pattern) for pattern in wanted):
            seeds[target] = build()
    names = [
        name
        for name in sorted(seeds)
        if not args.only or any(fnmatch.fnmatch(name, pattern) for pattern in args.only)
    ]
    results = []
    for name in names:
        results.append(fuzz_target(name, seeds[name], args.seconds, args.seed))
        if not args.json:
            _print_row(results[-1])
    if args.crashes:
        write_findings(results, args.crashes)
    if args.json:
        print(json.dumps([_figures(result) for result in results], indent=1))  # noqa: T201
    else:
        total = sum(result.executions for result in results)
        found = sum(len(result.findings) for result in results)
        print(f"\n{len(results)} extractors, {total} executions, {found} findings")  # noqa: T201
        for result in results:
            for finding in result.findings.values():
                print(f"  {result.name}: {finding.kind} {finding.key} (x{finding.count})")  # noqa: T201
    return 1 if any(result.findings for result in results) else 0


def _figures(result: TargetResult) -> dict:
    return {
        "extractor": result.name,
        "seeds": result.seeds,
        "executions": result.executions,
        "seconds": round(result.seconds, 1),
        "crashes": result.crashes,
        "hangs": result.hangs,
        "findings": sorted(result.findings),
    }


def _print_row(result: TargetResult) -> None:
    rate = result.executions / result.seconds if result.seconds else 0.0
    print(  # noqa: T201 - a benchmark script's own output
        f"{result.name:32} seeds {result.seeds:3}  executions {result.executions:7}  "
        f"{rate:7.1f}/s  crashes {result.crashes}  hangs {result.hangs}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
