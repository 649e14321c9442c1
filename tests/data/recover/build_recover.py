"""Build databases with known deleted rows, one folder per journaling mode, for recovery tests.

Run ``python tests/data/recover/build_recover.py OUT`` to write them to OUT; the tests import
:func:`build_all` and build them in a temporary folder (a few hundred KiB, under a second). The
schemas are the ones the extractors read, taken from the calls, browser and identity fixture
builders: Android calllog.db, iOS CallHistory.storedata, Chrome History, Firefox places.sqlite,
Android accounts_de.db and telephony.db (``siminfo``). This script puts together the recipes
(``call_recipes``, ``browser_recipes``, ``identity_recipes``), the modes (``modes``) and the demo
phone's deletions (``demo_phone``), siblings in this folder, and re-exports their names.

Modes (what a deleted row leaves behind, and where recovery must find it):

- ``wal_main``: WAL, ``secure_delete`` on, rows deleted after a checkpoint and the WAL not yet
  checkpointed again (a phone seized running): the wipe is in the WAL, the rows in the main
  file's old page.
- ``wal_frames``: WAL, ``secure_delete`` on, several checkpoints: the doomed rows were written in
  the first WAL generation, deleted and checkpointed in the second (the main file is wiped), and
  a third generation overwrote the WAL's first frames: only older frames keep them.
- ``journal``: ``journal_mode=PERSIST``, ``secure_delete`` on: the journal left beside the
  database keeps the original pages of the last transaction (the deletion).
- ``journal_hot``: a rollback journal left behind mid-transaction (the deletion spilled to the
  main file, never committed): SQLite rolls it back when the copy is opened, so the rows are
  live, and recovery must not report them a second time.
- ``freeblocks``: ``secure_delete`` off, single rows deleted: freeblocks inside table pages (the
  first 4 bytes of each cell overwritten) and the unallocated gap.
- ``freelist``: ``secure_delete`` off, a run of rows deleted that empties whole pages: they go
  to the freelist with their old content.
- ``vacuumed``: rows deleted, then VACUUM: nothing can be recovered.

Every number is fictional (US 555-01xx, UK 020 7946 0xxx); every URL is under example.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

MODES = ("wal_main", "wal_frames", "journal", "journal_hot", "freeblocks", "freelist", "vacuumed")


COMMON = "build_recover_common"  # common.py, which loads the other parts (common.sibling)
if COMMON not in sys.modules:
    _spec = importlib.util.spec_from_file_location(COMMON, Path(__file__).with_name("common.py"))
    sys.modules[COMMON] = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
    _spec.loader.exec_module(sys.modules[COMMON])  # type: ignore[union-attr]
_common = sys.modules[COMMON]
PARTS = [
    _common,
    *(_common.sibling(name) for name in ("call_recipes", "browser_recipes", "identity_recipes")),
    *(_common.sibling(name) for name in ("modes", "demo_phone")),
]
# the tests and the demo builder use this module's names (call_number, build, RECIPES...)
for _part in PARTS:
    globals().update(
        (name, value) for name, value in vars(_part).items() if not name.startswith("__")
    )
_calls, _browser, _identity = PARTS[1], PARTS[2], PARTS[3]
RECIPES = {
    name: {**_calls.CALL_RECIPES, **_browser.BROWSER_RECIPES, **_identity.IDENTITY_RECIPES}[name]
    for name in (
        *("android", "ios", "chrome", "whatsapp", "skype", "teams"),
        *("chromedl", "firefoxdl", "firefox", *_identity.IDENTITY_RECIPES),
    )
}
build = PARTS[4].build


def build_all(out: Path) -> dict[tuple[str, str], tuple[Path, list[int]]]:
    """Every recipe in every mode, each in its own evidence folder ``out/<recipe>-<mode>``."""
    built = {}
    for name, recipe in RECIPES.items():
        for mode in MODES:
            built[(name, mode)] = build(recipe, mode, out / f"{name}-{mode}")
    return built


if __name__ == "__main__":
    destination = Path(sys.argv[1] if len(sys.argv) > 1 else "recover-fixtures")
    for (name, mode), (path, doomed) in build_all(destination).items():
        print(f"{name:8} {mode:11} {len(doomed):3} deleted  {path}")
