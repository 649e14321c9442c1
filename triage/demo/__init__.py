"""The bundled demo case and ``triage demo``, which scans it.

``data/`` holds three synthetic devices of one fictional case (built by
``tests/data/demo/build_demo.py``): a Windows laptop E01, an Android phone extraction and an
OpenWrt router backup, with a ``case.yaml`` manifest. The demo runs them as a batch so the case
report shows what links them.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from triage.batch import run_batch
from triage.case import load_manifest
from triage.config import ScanConfig
from triage.errors import OutputError
from triage.hashing import default_jobs


def demo_manifest() -> Path:
    """Where the bundled demo manifest is (the package is installed as files)."""
    return Path(str(resources.files("triage.demo") / "data" / "case.yaml"))


def run_demo(output: Path) -> list[Path]:
    """Scan the demo case into ``output`` (a previous demo output there is replaced).

    Returns the case report followed by each device's report.
    """
    if output.exists() and any(output.iterdir()):
        if not (output / "batch.json").is_file():
            raise OutputError(
                f"{output}: exists and is not an earlier demo output; choose another folder with -o"
            )
        shutil.rmtree(output)
    case = load_manifest(demo_manifest())
    template = ScanConfig(
        evidence=demo_manifest(),
        output=output,
        name="template",
        jobs=default_jobs(),
        command_line="triage demo",
    )
    run_batch(case, output, template, parallel=1)
    return [
        output / "case.html",
        *(output / device.name / "report.html" for device in case.devices),
    ]
