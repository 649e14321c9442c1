"""What deleted-row recovery adds to a scan: the same evidence scanned with and without it.

    python bench/recover.py                  # corpus folders and the demo devices, 5 rounds
    python bench/recover.py --repeat 9 --json recover.json
    python bench/recover.py --stress         # also a 40 MiB Chrome History with deletions

Each round scans every case twice, ``--no-recover`` and with recovery, in alternating order
(a shared machine's speed drifts: only side-by-side figures mean anything), in this process
through ``scan_device`` with the default options but one job. The figures per case are medians over
the rounds: ``added`` (with / without - 1; wall times of a shared machine swing by tens of per
cent, so this one is noisy) and ``layer`` (time spent inside the recovery layer itself, measured
by wrapping it, over the rest of that scan: the stable figure, held against the
issue's budget of +20 %). The corpus cases need ../shared/corpus (or
$TRIAGE_CORPUS) and are skipped without it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from triage.config import ScanConfig  # noqa: E402
from triage.pipeline import scan_device  # noqa: E402
from triage.recover import identity, integration  # noqa: E402

LAYER = {"seconds": 0.0}  # time spent inside the recovery layer (this process only)


def _timed(original):
    """Wrap the layer's generator: count the time of its own steps, not its consumer's."""

    def run(*args, **kwargs):
        steps = original(*args, **kwargs)
        while True:
            start = time.perf_counter()
            try:
                item = next(steps)
            except StopIteration:
                LAYER["seconds"] += time.perf_counter() - start
                return
            LAYER["seconds"] += time.perf_counter() - start
            yield item

    return run


def _timed_call(original):
    """Wrap a function of the layer that returns its result whole (identity facts)."""

    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            LAYER["seconds"] += time.perf_counter() - start

    return run


# reading the pages (_rows), running rows through the extractor (_recovered), identity facts
integration._rows = _timed_call(integration._rows)
integration._recovered = _timed(integration._recovered)
identity._recovered = _timed_call(identity._recovered)

CORPUS = Path(os.environ.get("TRIAGE_CORPUS", REPO.parent / "shared" / "corpus"))
DEMO = REPO / "triage" / "demo" / "data"
BUDGET = 0.20


def cases(stress_dir: Path | None) -> dict[str, tuple[Path, dict]]:
    """Name -> (evidence, ScanConfig options)."""
    found: dict[str, tuple[Path, dict]] = {}
    for folder in ("calls", "browser", "mobile"):
        if (CORPUS / folder).is_dir():
            found[f"corpus/{folder}"] = (CORPUS / folder, {})
    found["demo/phone-03"] = (DEMO / "phone-03.tar.gz", {})
    found["demo/laptop-01"] = (DEMO / "laptop-01.E01", {"country": "US"})
    found["demo/router-01"] = (DEMO / "router-01.tar.gz", {})
    if stress_dir is not None:
        found["stress/chrome-40MiB"] = (stress_dir, {})
    return found


def build_stress(root: Path) -> Path:
    """A Chrome History of ~200,000 visits, a tenth of them deleted with secure_delete off."""
    sys.path.insert(0, str(REPO / "tests" / "data" / "recover"))
    import build_recover  # noqa: PLC0415

    path = root / "Users/u/AppData/Local/Google/Chrome/User Data/Default/History"
    path.parent.mkdir(parents=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA secure_delete = OFF")
    build_recover.RECIPES["chrome"].schema(connection)
    connection.execute("BEGIN")
    for index in range(1, 200_001):
        build_recover._insert(connection, build_recover.RECIPES["chrome"].rows(index))
    connection.execute("COMMIT")
    connection.execute("DELETE FROM visits WHERE id % 10 = 3")
    connection.execute("DELETE FROM urls WHERE id % 10 = 3")
    connection.close()
    return root


def scan_once(evidence: Path, options: dict, recover: bool, out: Path) -> tuple[float, int]:
    """Seconds of one scan, and how many records it recovered."""
    shutil.rmtree(out, ignore_errors=True)
    LAYER["seconds"] = 0.0
    config = ScanConfig(
        evidence=evidence, output=out, name="bench", jobs=1, recover=recover, **options
    )
    start = time.perf_counter()
    scan_device(config)
    elapsed = time.perf_counter() - start
    connection = sqlite3.connect(out / "triage.sqlite")
    recovered = 0
    for table in ("calls", "browser_visits", "browser_downloads", "browser_searches", "identity"):
        try:
            recovered += connection.execute(
                f"SELECT count(*) FROM {table} WHERE recovered = 1"
            ).fetchone()[0]
        except sqlite3.OperationalError:
            pass
    connection.close()
    return elapsed, recovered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stress", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", default="", help="cases whose name contains this text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        stress = build_stress(work / "stress") if args.stress else None
        results = {}
        print(
            f"{'case':22} {'off s':>8} {'on s':>8} {'added':>8} {'layer s':>8} {'layer %':>8} "
            f"{'recovered':>9}"
        )
        for name, (evidence, options) in cases(stress).items():
            if args.only not in name:
                continue
            ratios, off_times, on_times, layer, recovered = [], [], [], [], 0
            for round_ in range(args.repeat):
                order = (False, True) if round_ % 2 == 0 else (True, False)
                times = {}
                for recover in order:
                    times[recover], count = scan_once(evidence, options, recover, work / "out")
                    recovered = max(recovered, count)
                    if recover:
                        layer.append(LAYER["seconds"])
                off_times.append(times[False])
                on_times.append(times[True])
                ratios.append(times[True] / times[False] - 1)
            added = statistics.median(ratios)
            results[name] = {
                "off_s": statistics.median(off_times),
                "on_s": statistics.median(on_times),
                "added": added,
                "layer_s": statistics.median(layer),
                "layer_share": statistics.median(
                    part / (total - part) for part, total in zip(layer, on_times, strict=True)
                ),
                "recovered": recovered,
            }
            print(
                f"{name:22} {results[name]['off_s']:8.2f} {results[name]['on_s']:8.2f} "
                f"{added:+8.1%} {results[name]['layer_s']:8.3f} "
                f"{results[name]['layer_share']:8.1%} {recovered:9}"
            )
    over = [name for name, row in results.items() if row["layer_share"] > BUDGET]
    print(f"budget +{BUDGET:.0%}: " + ("met" if not over else f"over in {', '.join(over)}"))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
