"""Which of its fixed bytes a clause is looked up by (``build_magic_level0.py``).

A head is checked with one struct field and one dict lookup per indexed place (offset and
width), so the places are chosen to be few: each clause's possible keys (1, 2 or 4 of its
fixed bytes) are scored by their fixed bits, and places many clauses can use are taken first,
each clause keeping a key at least GOOD_KEY selective (or its best, if it has none that
good). Clauses with no key at all are ``loose`` (checked on every head).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

MAX_KEY = 4  # bytes of a clause's index key
MAX_FREE_BITS = 6  # a key with bits that may be anything is indexed under each of their values
GOOD_KEY = 15.0  # the score of two bytes not zero: a key that selective is selective enough


def keys_of(clause: tuple) -> list[tuple[float, tuple]]:
    """The clause's possible index keys, with their scores: each run of 1, 2 or 4 of its
    fixed bytes (a struct field) with at most MAX_FREE_BITS bits that may be anything, scored
    by its fixed bits, where a byte that must be zero counts for little (binary data is full
    of zeros)."""
    found = []
    for start, end, bits, value in clause[1]:
        size = end - start
        for offset in range(size):
            for take in (1, 2, 4)[: (1, 2, 2, 3)[min(MAX_KEY, size - offset) - 1]]:
                shift = 8 * (size - offset - take)
                window = (bits >> shift) & ((1 << 8 * take) - 1)
                wanted = (value >> shift) & window
                score = (
                    sum(
                        bin((window >> 8 * i) & 0xFF).count("1")
                        * (1 if (wanted >> 8 * i) & 0xFF else 0.25)
                        for i in range(take)
                    )
                    - 0.1 * take
                )
                free = 8 * take - bin(window).count("1")
                if score >= 1 and free <= MAX_FREE_BITS:
                    found.append((score, (start + offset, start + offset + take, window, wanted)))
    return found


def choose_keys(clauses: list[tuple]) -> dict[int, tuple]:
    """An index key for each clause that has one, from as few places as will do: each head
    is looked up once per place, so a place many clauses can use is taken first (greedy),
    each clause keeping a key at least GOOD_KEY selective (or its best, if less)."""
    usable: dict[tuple[int, int], dict[int, tuple]] = defaultdict(dict)
    for number, clause in enumerate(clauses):
        options = keys_of(clause)
        if not options:
            continue
        enough = min(max(score for score, _ in options), GOOD_KEY)
        for score, key in options:
            place = usable[key[:2]]
            if score >= enough and (number not in place or place[number][0] < score):
                place[number] = (score, key)
    chosen: dict[int, tuple] = {}
    while usable:
        place = max(usable, key=lambda p: (len(usable[p]), -p[0], p[1]))
        taken = usable.pop(place)
        for number, (_, key) in taken.items():
            chosen[number] = key
        for other in list(usable):
            for number in taken:
                usable[other].pop(number, None)
            if not usable[other]:
                del usable[other]
    return chosen


def index(clauses: list[tuple], mgc: Path) -> dict:
    groups: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(list))
    loose = []
    keys = choose_keys(clauses)
    for number in range(len(clauses)):
        key = keys.get(number)
        if key is None:
            loose.append(number)
            continue
        start, end, bits, value = key
        size = end - start
        free = [bit for bit in range(8 * size) if not bits >> bit & 1]
        for variant in range(1 << len(free)):
            filled = value
            for place, bit in enumerate(free):
                if variant >> place & 1:
                    filled |= 1 << bit
            groups[(start, end)][filled.to_bytes(size, "big")].append(number)
    return {
        "sha256": hashlib.sha256(mgc.read_bytes()).hexdigest(),
        "size": mgc.stat().st_size,
        "clauses": clauses,
        "groups": groups,
        "loose": loose,
    }
