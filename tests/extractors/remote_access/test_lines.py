"""Streaming line reader: encodings, overlong lines, bounded memory on enormous files."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

from triage.extractors.remote_access.lines import decode_line, read_lines, sniff_encoding


class FakeContext:
    """Just what read_lines uses of an ExtractionContext: open() and problem()."""

    def __init__(self, data: bytes | Path) -> None:
        self.data = data
        self.problems: list[str] = []

    def open(self, file):
        if isinstance(self.data, Path):
            return open(self.data, "rb")  # noqa: SIM115
        return io.BytesIO(self.data)

    def problem(self, message, file=None, severity="error"):
        self.problems.append(f"{severity}: {message}")


def lines(data: bytes | Path, **options) -> tuple[list[tuple[int, str]], list[str]]:
    ctx = FakeContext(data)
    return list(read_lines(ctx, None, **options)), ctx.problems


def test_encodings() -> None:
    text = "Clipboard\t\t2025-01-01, 13:37\tstart \tdownload\t'malware.exe'\r\nsecond"
    assert sniff_encoding(text.encode("utf-16-le")) == "utf-16-le"
    assert sniff_encoding(text.encode("utf-16")) == "utf-16"
    assert sniff_encoding(text.encode("utf-16-be")) == "utf-16-be"
    assert sniff_encoding(b"\x00" * 40 + b"   info 2025-09-22 ...") is None  # NUL run, not UTF-16
    expected = [
        (1, "Clipboard\t\t2025-01-01, 13:37\tstart \tdownload\t'malware.exe'"),
        (2, "second"),
    ]
    for encoding in ("utf-16-le", "utf-16", "utf-16-be", "utf-8", "utf-8-sig"):
        assert lines(text.encode(encoding)) == (expected, [])


def test_mixed_encodings_and_nuls() -> None:
    data = "Jörg\n".encode() + b"J\xf6rg\n" + b"\x00\x00\x00   info x\r\n" + b"\x81\xff"
    assert lines(data) == ([(1, "Jörg"), (2, "Jörg"), (3, "   info x"), (4, "\ufffdÿ")], [])
    assert decode_line(b"caf\xc3") == "cafÃ"


def test_overlong_lines_are_skipped() -> None:
    data = b"first\n" + b"x" * 50 + b"\nthird\n" + b"y" * 120 + b"\nfifth"
    result, problems = lines(data, max_line=40)
    assert result == [(1, "first"), (3, "third"), (5, "fifth")]
    assert problems == [
        "error: line 2 is longer than 40 bytes; skipped",
        "error: line 4 is longer than 40 bytes; skipped",
    ]
    wide, problems = lines(("a" * 30 + "\nok\n").encode("utf-16"), max_line=20)
    assert wide == [(2, "ok")] and problems == ["error: line 1 is longer than 20 bytes; skipped"]


def test_enormous_file_is_streamed(tmp_path: Path) -> None:
    """A 12 MB trace is read with well under a megabyte of memory."""
    line = (
        b"   info 2025-09-22 00:53:51.221    backend   wrk0   6086   6096                   "
        b"app.backend_session - Remote caps: sound_src, sound_sink, keyboard_sink\n"
    )
    path = tmp_path / "ad.trace"
    with open(path, "wb") as out:
        block = line * 1000
        for _ in range(12 * 1024 * 1024 // len(block)):
            out.write(block)
    ctx = FakeContext(path)
    tracemalloc.start()
    count = sum(1 for _ in read_lines(ctx, None))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == path.stat().st_size // len(line)
    assert peak < 1024 * 1024
