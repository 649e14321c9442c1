"""linux.identity: who and what a Linux computer is, from its /etc text files.

Where it lives and what a row means: ``/etc/os-release`` (or ``/usr/lib/os-release``:
``NAME``, ``VERSION_ID``, ``PRETTY_NAME``, ``BUILD_ID``: os_product, os_version),
``/etc/hostname`` (computer_name), ``/etc/timezone`` (Debian's zone name: timezone),
``/etc/machine-id`` (the install's unique id) and ``/etc/passwd`` (one ``user_account`` per
login account: uid 0 and uids 1000-60000, with home, shell and GECOS name; service accounts
are left out). References: os-release(5), hostname(5), machine-id(5), passwd(5);
dissect.target ``plugins/os/unix/linux`` (os-release, hostname, users).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.identity.base import IdentityExtractor
from triage.extractors.identity.facts import Facts, details, labelled
from triage.records import IdentityFact

OS_RELEASE = ("**/etc/os-release", "**/usr/lib/os-release")
HOSTNAME = ("**/etc/hostname",)
TIMEZONE = ("**/etc/timezone",)
MACHINE_ID = ("**/etc/machine-id",)
PASSWD = ("**/etc/passwd",)
MAX_LINES = 100_000
FIRST_USER_UID, LAST_USER_UID = 1000, 60000


def parse_os_release(lines: Iterable[str], facts: Facts) -> None:
    """Add the distribution name, version and pretty name."""
    values: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if number > MAX_LINES:
            break
        key, sep, raw = line.strip().partition("=")
        if not sep or key.startswith("#"):
            continue
        try:
            parsed = shlex.split(raw)
        except ValueError:
            parsed = [raw.strip("\"'")]
        values.setdefault(key, parsed[0] if parsed else "")
    facts.add("os", "os_product", values.get("NAME"), detail=labelled("id", values.get("ID")))
    facts.add(
        "os",
        "os_version",
        values.get("VERSION_ID") or values.get("VERSION"),
        detail=details(values.get("PRETTY_NAME"), labelled("build", values.get("BUILD_ID"))),
    )


def parse_first_line(lines: Iterable[str], facts: Facts, category: str, key: str) -> None:
    """Add the first non-empty, non-comment line as one fact."""
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            facts.add(category, key, text)
            return


def parse_passwd(lines: Iterable[str], facts: Facts) -> None:
    """Add root and the people's accounts (uids 1000-60000)."""
    for number, line in enumerate(lines, 1):
        if number > MAX_LINES:
            facts.problem(f"more than {MAX_LINES} lines; the rest are skipped", "warning")
            break
        fields = line.split(":")
        if len(fields) < 7 or not fields[2].isdigit():
            continue
        name, uid, gecos, home, shell = fields[0], int(fields[2]), fields[4], fields[5], fields[6]
        if uid != 0 and not FIRST_USER_UID <= uid <= LAST_USER_UID:
            continue
        facts.add(
            "user",
            "user_account",
            name,
            detail=details(
                f"uid {uid}",
                labelled("name", gecos.split(",")[0]),
                labelled("home", home),
                labelled("shell", shell.strip()),
            ),
        )


class LinuxIdentity(IdentityExtractor):
    """Linux computer identity from os-release, hostname, timezone, machine-id and passwd."""

    name = "linux.identity"
    description = (
        "Linux identity: distribution and version (os-release), host name, time zone "
        "(/etc/timezone), machine-id, login accounts (/etc/passwd)"
    )
    patterns = (*OS_RELEASE, *HOSTNAME, *TIMEZONE, *MACHINE_ID, *PASSWD)

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[IdentityFact]:
        """Each file on its own, in path order."""
        for file in sorted(files, key=lambda item: str(item.path)):
            yield from self.read(ctx, file, partial(self._parse, ctx, file))

    def _parse(self, ctx: ExtractionContext, file: StoredFile, facts: Facts) -> None:
        lines = self.lines(ctx, file, facts)
        if self.matches(file, *OS_RELEASE):
            parse_os_release(lines, facts)
        elif self.matches(file, *HOSTNAME):
            parse_first_line(lines, facts, "os", "computer_name")
        elif self.matches(file, *TIMEZONE):
            parse_first_line(lines, facts, "os", "timezone")
        elif self.matches(file, *MACHINE_ID):
            parse_first_line(lines, facts, "device", "machine_id")
        elif self.matches(file, *PASSWD):
            parse_passwd(lines, facts)
