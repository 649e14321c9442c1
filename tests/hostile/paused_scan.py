"""Run the triage command line, pausing at one chosen point so a test can kill it right there.

Usage: ``python tests/hostile/paused_scan.py POINT MARKER triage-arguments...``

When the scan reaches POINT the file MARKER is created and the process sleeps until it is
killed (or interrupted with SIGINT, which raises KeyboardInterrupt in the sleep, exactly as it
would in the scan's own code at that point). Points:

* ``walk``: 25 entries into the walk, after some of them were committed to the store;
* ``hash``: when the first hashed bytes are reported, before their digests are stored;
* ``extract:<extractor id>``: after that extractor's first record was committed to the store;
* ``report``: while ``report.json`` is half written (its temporary file exists).

Nothing here changes what the scan does before the pause: the test compares the final result
of an interrupted-then-resumed scan with an uninterrupted one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def pause(marker: Path) -> None:
    marker.write_text("paused\n", encoding="utf-8")
    while True:
        time.sleep(0.05)


def install(point: str, marker: Path) -> None:
    from triage import report, store  # noqa: PLC0415

    if point == "walk":
        store.BATCH = 10
        real_add_walk_rows = store.DeviceStore.add_walk_rows

        def add_walk_rows(self, rows):
            def counted():
                for count, row in enumerate(rows, start=1):
                    yield row
                    if count == 25:
                        pause(marker)

            return real_add_walk_rows(self, counted())

        store.DeviceStore.add_walk_rows = add_walk_rows
    elif point == "hash":
        # The pipeline reports progress through the Progress protocol: the first bytes
        # hashed are reported before their digests are stored.
        from triage import cli  # noqa: PLC0415

        stage = {"now": None}
        real_start = cli.TqdmProgress.start

        def start(self, name, total, unit):
            stage["now"] = name
            real_start(self, name, total, unit)

        def advance(self, amount):
            if stage["now"] == "hash" and amount:
                pause(marker)

        cli.TqdmProgress.start = start
        cli.TqdmProgress.advance = advance
    elif point.startswith("extract:"):
        extractor = point.partition(":")[2]
        store.BATCH = 1
        real_flush = store.DeviceStore._flush_records

        def flush(self, table, rows):
            real_flush(self, table, rows)
            if rows and rows[0][0] == extractor:
                pause(marker)

        store.DeviceStore._flush_records = flush
    elif point == "report":
        from triage.report.output import atomic_text  # noqa: PLC0415

        def write_json(store_, summary, path):
            with atomic_text(path, newline="\n") as handle:
                handle.write('{\n "complete": true,\n "artifacts": {')
                handle.flush()
                pause(marker)

        report.write_json = write_json
    else:
        raise SystemExit(f"unknown pause point {point!r}")


def main() -> None:
    point, marker, *arguments = sys.argv[1:]
    install(point, Path(marker))
    from triage.cli import main as triage  # noqa: PLC0415

    triage(arguments, prog_name="triage")


if __name__ == "__main__":
    main()
