"""windows.identity: who and what a Windows computer is, from its registry hives.

Where it lives: ``Windows/System32/config/{SYSTEM,SOFTWARE,SAM}``, each user's
``Users/<name>/NTUSER.DAT`` (``Documents and Settings`` on XP) and
``Windows/AppCompat/Programs/Amcache.hve``. What a row means: one fact (computer name, OS
product/version/build, install date, registered owner, time zone, a user account with its SID
and last logon, a network interface with its last IP, a MAC address, an installed program...)
with the hive it came from. The parsers are in ``windows_system``, ``windows_software``,
``windows_sam`` and ``windows_user``; hives are read with regipy from a private copy.

A hive whose sequence numbers differ was not cleanly closed: its newest changes may still be in
the ``.LOG1``/``.LOG2`` transaction logs beside it, which are replayed on a private copy
(``hive_logs``); an identity fact ``hive_replayed`` says so, and a warning when they cannot be.
Reference: msuhanov/regf "Windows registry file format specification".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import PurePosixPath

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.identity.base import IdentityExtractor
from triage.extractors.identity.facts import Facts
from triage.extractors.identity.hive_logs import replay_logs
from triage.extractors.identity.registry import (
    MAX_HIVE_BYTES,
    Hive,
    embedded_name,
    hive_header_ok,
)
from triage.extractors.identity.windows_sam import parse_sam
from triage.extractors.identity.windows_software import parse_software
from triage.extractors.identity.windows_system import parse_system
from triage.extractors.identity.windows_user import parse_amcache, parse_ntuser
from triage.records import IdentityFact

SYSTEM = "**/Windows/System32/config/SYSTEM"
SOFTWARE = "**/Windows/System32/config/SOFTWARE"
SAM = "**/Windows/System32/config/SAM"
NTUSER = ("**/Users/*/NTUSER.DAT", "**/Documents and Settings/*/NTUSER.DAT")
AMCACHE = "**/Windows/AppCompat/Programs/Amcache.hve"


class WindowsIdentity(IdentityExtractor):
    """Windows computer identity from the SYSTEM, SOFTWARE, SAM, NTUSER.DAT and Amcache hives."""

    name = "windows.identity"
    description = (
        "Windows identity from registry hives (SYSTEM, SOFTWARE, SAM, NTUSER.DAT, Amcache): "
        "computer name, OS, install date, owner, time zone, users with SIDs and last logons, "
        "network interfaces, IPs, MACs, network profiles, installed programs"
    )
    patterns = (SYSTEM, SOFTWARE, SAM, *NTUSER, AMCACHE)

    def claims_content(self, head: bytes) -> bool:
        """A lone registry hive, whatever its name (``plaso_regf_SAM``)."""
        return hive_header_ok(head)

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[IdentityFact]:
        """One pass per hive, in a stable order (SYSTEM first: it names the computer)."""
        for file in sorted(files, key=lambda item: (self._rank(item), str(item.path))):
            parse = self._parser(file) or self._parser_by_content(file, ctx)
            if parse is not None:
                yield from self.read(ctx, file, partial(self._hive, ctx, file, parse))

    def _rank(self, file: StoredFile) -> int:
        """The index of the first pattern the file matches (SYSTEM, SOFTWARE, SAM, ...)."""
        return next(
            (index for index, glob in enumerate(self.patterns) if self.matches(file, glob)),
            len(self.patterns),
        )

    def _parser(self, file: StoredFile) -> Callable[[Hive, Facts], None] | None:
        if self.matches(file, SYSTEM):
            return parse_system
        if self.matches(file, SOFTWARE):
            return parse_software
        if self.matches(file, SAM):
            return parse_sam
        if self.matches(file, *NTUSER):
            return lambda hive, facts: parse_ntuser(hive, facts, file.path)
        if self.matches(file, AMCACHE):
            return parse_amcache
        return None

    def _parser_by_content(
        self, file: StoredFile, ctx: ExtractionContext
    ) -> Callable[[Hive, Facts], None] | None:
        """For a hive outside its usual place (one-file evidence): which hive it is from the
        path Windows wrote in its base block (``\\??\\C:\\Users\\bob\\ntuser.dat``)."""
        try:
            head = ctx.read_bytes(file, 0x70)
        except OSError:
            return None
        stored = embedded_name(head)
        if not stored:
            return None
        as_path = PurePosixPath("/", *stored.replace("\\", "/").split("/"))
        kind = as_path.name.casefold()
        if kind == "ntuser.dat":
            return lambda hive, facts: parse_ntuser(hive, facts, as_path)
        return {
            "system": parse_system,
            "software": parse_software,
            "sam": parse_sam,
            "amcache.hve": parse_amcache,
        }.get(kind)

    @staticmethod
    def _hive(
        ctx: ExtractionContext,
        file: StoredFile,
        parse: Callable[[Hive, Facts], None],
        facts: Facts,
    ) -> None:
        if file.size > MAX_HIVE_BYTES:
            facts.problem(f"{file.size} bytes is too large for a registry hive; not read")
            return
        if not hive_header_ok(ctx.read_bytes(file, 4)):
            facts.problem("not a registry hive (no 'regf' signature)")
            return
        copy = ctx.materialize(file, with_siblings=False)
        replay = replay_logs(ctx, file, Hive(copy), copy)
        if replay.warning:
            facts.problem(replay.warning, "warning")
        if replay.fact:
            facts.add("os", "hive_replayed", replay.fact, detail=replay.detail)
        parse(replay.hive, facts)
