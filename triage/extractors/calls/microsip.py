"""MicroSIP softphone call history from ``microsip.ini`` (Windows).

Where it lives (MicroSIP source ``settings.cpp`` ``AccountSettings::Init``): installed copies
keep ``%APPDATA%\\MicroSIP\\microsip.ini``; a portable copy keeps ``<exe name>.ini`` beside the
exe. The file is UTF-16LE with a BOM (MicroSIP converts an ANSI file on start).

Format (MicroSIP 3.19 ``Calls.cpp`` ``CallEncode``/``CallDecode``/``CallSave``): section
``[Calls]``, key = a slot number, value ``number;name;type;time;duration;info`` where ``type`` is
``enum {MSIP_CALL_OUT, MSIP_CALL_IN, MSIP_CALL_MISS}`` (0 outgoing, 1 incoming, 2 missed),
``time`` is ``CTime::GetTime()`` (Unix seconds, UTC) taken when the call was placed or rang, and
``duration`` is seconds; a deleted call's value is rewritten as ``null``. The number is the SIP
user part when the callee is on the account's own domain, else ``user@domain``. The SIP account
is ``[Account<n>]`` (``AccountSave``: ``server``, ``proxy``, ``domain``, ``username``,
``authID``, ``displayName``, ``label``), the active one named by ``[Settings] accountId``.

The file is read as a stream, twice (account first, then calls), one line at a time with a cap
on line length, so a hostile multi-gigabyte ini cannot fill memory.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar

from triage.extractors.base import ExtractionContext, Extractor, StoredFile
from triage.extractors.calls.base import make_call, seconds, text
from triage.extractors.text_lines import CHUNK, MAX_LINE
from triage.extractors.values import integer, join_detail
from triage.records import CallRecord
from triage.timestamps import from_unix_seconds

TIME_NOTE = "MicroSIP: time is Unix seconds (CTime), UTC"
CALL_TYPES = {0: "outgoing", 1: "incoming", 2: "missed"}
SNIFF = 4096
KNOWN_SECTIONS = ("[calls]", "[settings]", "[account1]", "[account0]", "[shortcuts]")
MAX_PROBLEMS_PER_FILE = 100


@dataclass(frozen=True, slots=True)
class SipAccount:
    """The account a MicroSIP call went through."""

    username: str | None
    domain: str | None
    server: str | None
    display_name: str | None
    label: str | None

    def address(self) -> str | None:
        """``user@domain`` as the SIP account is written."""
        host = self.domain or self.server
        if self.username and host:
            return f"{self.username}@{host}"
        return self.username or host

    def describe(self) -> str | None:
        """Server, display name and label for the detail field."""
        return join_detail(
            f"SIP server {self.server}" if self.server else None,
            f"display name {self.display_name}" if self.display_name else None,
            f"account label {self.label}" if self.label else None,
        )


def encoding_of(head: bytes) -> str:
    """The ini's encoding from its first bytes: UTF-16 by BOM, else UTF-8 (ANSI in practice)."""
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if len(head) >= 4 and head[1:2] == b"\x00" and head[3:4] == b"\x00":
        return "utf-16-le"  # BOM lost (carved or truncated copy)
    return "utf-8"


def text_lines(
    stream: BinaryIO, encoding: str, max_line: int = MAX_LINE, chunk_size: int = CHUNK
) -> Iterator[str | None]:
    """Decoded lines without their ends; ``None`` stands for a line longer than ``max_line``."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    overlong = False
    while True:
        chunk = stream.read(chunk_size)
        pending += decoder.decode(chunk, final=not chunk)
        held = ""
        if chunk and pending.endswith("\r"):
            pending, held = pending[:-1], "\r"  # a CRLF may be split between two chunks
        *complete, pending = pending.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for line in complete:
            if overlong or len(line) > max_line:
                overlong = False
                yield None
            else:
                yield line
        if len(pending) > max_line:
            overlong, pending = True, ""
        pending += held
        if not chunk:
            break
    if overlong:
        yield None
    elif pending:
        yield pending


def ini_entries(
    stream: BinaryIO, encoding: str, sections: set[str]
) -> Iterator[tuple[int, str, str | None, str | None]]:
    """``(line number, section, key, value)`` for lines of the wanted (lower-cased) sections;
    ``key`` None with value None marks an overlong line, key None with a value a line that is
    not ``key=value``."""
    section = ""
    for number, line in enumerate(text_lines(stream, encoding), start=1):
        if line is None:
            if section in sections:
                yield number, section, None, None
            continue
        stripped = line.strip().lstrip("\ufeff")
        if not stripped or stripped.startswith(";"):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip().lower()
            continue
        if section not in sections:
            continue
        key, sep, value = stripped.partition("=")
        if not sep:
            yield number, section, None, stripped
            continue
        yield number, section, key.strip(), value


class MicroSipCalls(Extractor):
    """MicroSIP call history ([Calls] of microsip.ini) with its SIP account."""

    name: ClassVar[str] = "microsip.calls"
    description: ClassVar[str] = "MicroSIP softphone call history (microsip.ini [Calls])"
    record_types: ClassVar[tuple[type, ...]] = (CallRecord,)
    patterns: ClassVar[tuple[str, ...]] = ("**/microsip.ini", "**/MicroSIP/*.ini")

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Non-empty ini files with a MicroSIP section in their first bytes."""
        if not super().accepts(file, ctx) or not file.size:
            return False
        try:
            head = ctx.read_bytes(file, SNIFF)
        except OSError:
            return True  # reported when read
        sample = head.decode(encoding_of(head), "replace").lower()
        return any(section in sample for section in KNOWN_SECTIONS)

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[CallRecord]:
        """Calls of each ini; an unreadable file or bad line is a problem, reading goes on."""
        for file in files:
            count = 0
            try:
                encoding = encoding_of(ctx.read_bytes(file, 4))
                account = self._account(file, ctx, encoding)
                for record in self._calls(file, ctx, encoding, account):
                    count += 1
                    yield record
            except (OSError, UnicodeError, MemoryError) as error:
                ctx.problem(
                    f"reading stopped after {count} calls: {type(error).__name__}: {error}", file
                )

    def _account(self, file: StoredFile, ctx: ExtractionContext, encoding: str) -> SipAccount:
        """The active account section (``[Settings] accountId``, default 1)."""
        values: dict[str, dict[str, str]] = {}
        with ctx.open(file) as stream:
            for _number, section, key, value in ini_entries(
                stream, encoding, {"settings"} | {f"account{index}" for index in range(10)}
            ):
                if key is not None and value is not None:
                    values.setdefault(section, {}).setdefault(key.lower(), value.strip())
        active = integer(values.get("settings", {}).get("accountid"))
        section = values.get(f"account{active}") if active else None
        if section is None:
            section = next(
                (values[name] for name in sorted(values) if name.startswith("account")), {}
            )
        return SipAccount(
            username=text(section.get("username"), 256) or None,
            domain=text(section.get("domain"), 256) or None,
            server=text(section.get("server"), 256) or None,
            display_name=text(section.get("displayname"), 256) or None,
            label=text(section.get("label"), 256) or None,
        )

    def _calls(
        self, file: StoredFile, ctx: ExtractionContext, encoding: str, account: SipAccount
    ) -> Iterator[CallRecord]:
        problems = 0

        def problem(message: str) -> None:
            nonlocal problems
            problems += 1
            if problems <= MAX_PROBLEMS_PER_FILE:
                ctx.problem(message, file)
            elif problems == MAX_PROBLEMS_PER_FILE + 1:
                ctx.problem("more bad [Calls] lines; not reported one by one", file)

        with ctx.open(file) as stream:
            for number, _section, key, value in ini_entries(stream, encoding, {"calls"}):
                if key is None:
                    if value is None:
                        problem(f"line {number}: longer than {MAX_LINE} characters, skipped")
                    else:
                        problem(f"line {number}: not key=value, skipped")
                    continue
                if value.strip().lower() in ("null", ""):
                    continue  # a call the user deleted (CallSave writes "null")
                record = self._call(file, ctx, key, value, account)
                if record is None:
                    problem(f"line {number}: call {key!r} has no number;name;type;time fields")
                    continue
                yield record

    def _call(
        self, file: StoredFile, ctx: ExtractionContext, key: str, value: str, account: SipAccount
    ) -> CallRecord | None:
        fields = value.split(";")
        if len(fields) < 4:
            return None
        number, name, type_text, time_text = fields[0], fields[1], fields[2], fields[3]
        duration = seconds(fields[4]) if len(fields) > 4 and fields[4].strip() else None
        info = ";".join(fields[5:]).strip() if len(fields) > 5 else ""
        type_code = integer(type_text.strip())
        direction = CALL_TYPES.get(type_code, "unknown")
        answered = {"incoming": True, "missed": False}.get(direction)
        if direction == "outgoing" and duration:
            answered = True
        started = from_unix_seconds(integer(time_text.strip()))
        return make_call(
            ctx,
            file,
            app="MicroSIP",
            number=number.strip(),
            direction=direction,
            started=started,
            started_raw=time_text.strip() or None,
            duration=duration,
            answered=answered,
            account=account.address(),
            contact_name=name.strip() or None,
            call_type="SIP",
            detail=join_detail(
                f"type {type_text.strip()!r}" if direction == "unknown" else None,
                f"time {time_text.strip()!r} unreadable" if started is None else None,
                f"info {info}" if info else None,
                account.describe(),
            ),
            time_note=TIME_NOTE,
            row_id=key,
        )
