"""libmagic's CSV test, one of its built-in tests on text (is_csv.c as of file 5.44).

libmagic decides CSV before its soft magic, for any text it reads (UTF-8 and 8-bit alike), so
both text paths of the first tier (:mod:`triage.sniff`, :mod:`triage.sniff_latin`) ask it.
"""

from __future__ import annotations


def is_csv(body: bytes) -> bool:
    """libmagic's CSV test (is_csv.c as of file 5.44): every line up to the 10th has the same
    number (> 0) of commas outside quotes (a quoted field may span lines), and there are more
    than two lines (or ten)."""
    first = body.find(b"\n")
    if first < 0 or b"," not in body[:first]:
        return False  # the first line sets the number of commas, and it must have one
    if b'"' not in body:
        lines = body.split(b"\n", 10)
        counts = [line.count(b",") for line in lines[:-1]]
        return len(counts) > 2 and all(count == counts[0] for count in counts)
    fields = lines = at_line = 0
    index, end = 0, len(body)
    while index < end:
        byte = body[index]
        index += 1
        if byte == 0x22:  # a quote: skip to the one that closes it ("" escapes)
            quoted = True
            while index < end:
                if body[index] == 0x22:
                    quoted = not quoted
                elif not quoted:
                    break
                index += 1
        elif byte == 0x2C:
            at_line += 1
        elif byte == 0x0A:
            lines += 1
            if lines == 10:
                return fields != 0 and fields == at_line
            if fields == 0:
                if at_line == 0:
                    return False
                fields = at_line
            elif fields != at_line:
                return False
            at_line = 0
    return fields != 0 and lines > 2
