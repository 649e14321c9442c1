"""The data check's clauses (:mod:`triage.sniff_level0`) as Python functions (issue 19).

:func:`triage.sniff_data._holds` reads a clause tuple test by test; on the bench's random
heads that interpreting (a loop and an unpacking per test) cost more than the tests. Here each
clause becomes one compiled expression, ``not (fails or fails ...)``, its tests in the order
the interpreter takes them: the length, the fixed bytes (a ``startswith`` for whole bytes), the
numbers, the searches, the regexes, the indirect tests. The same semantics, spelt out once, when
a head first needs the clause (tests/test_sniff_data.py compares both on every clause).
"""

from __future__ import annotations

from collections.abc import Callable


def function(number: int, clause: tuple, helpers: dict) -> Callable[[bytes], bool]:
    """Clause ``number`` as a function, compiled in ``helpers`` (``_numeric``, ``_search``,
    ``_regex``, ``_pointer`` and ``may_match`` of :mod:`triage.sniff_data`, looked up when
    called). Compiled when first needed: a scan meets few of the ~1,400."""
    source = f"def _c{number}(head):\n    return not ({_fails(clause)})"
    namespace: dict = {}
    exec(compile(source, f"<triage.sniff_level0 clause {number}>", "exec"), helpers, namespace)  # noqa: S102
    return namespace[f"_c{number}"]


def any_of(numbers: tuple, clauses: tuple, helpers: dict) -> Callable[[bytes], bool]:
    """Whether any of the clauses ``numbers`` holds, as one function: for the clauses every
    head is checked against (no index key), a call each would cost more than most of them."""
    body = " or ".join(f"not ({_fails(clauses[number])})" for number in numbers) or "False"
    namespace: dict = {}
    source = f"def _any(head):\n    return {body}"
    exec(compile(source, "<triage.sniff_level0 loose clauses>", "exec"), helpers, namespace)  # noqa: S102
    return namespace["_any"]


def _fails(clause: tuple) -> str:
    need, fixed, numeric, searches, indirect, padded, regexes, pointers = clause
    tests = [f"len(head) < {need}"] if need else []
    for start, end, mask, value in fixed:
        width = end - start
        if mask == (1 << 8 * width) - 1:
            tests.append(f"not head.startswith({value.to_bytes(width, 'big')!r}, {start})")
        elif width == 1:  # (the length test before makes the byte there)
            tests.append(f"head[{start}] & {mask} != {value}")
        else:
            tests.append(f"int.from_bytes(head[{start}:{end}], 'big') & {mask} != {value}")
    for start, end, mask, value in padded:
        tests.append(
            f"int.from_bytes(head[{start}:{end}].ljust({end - start}, b'\\0'), 'big')"
            f" & {mask} != {value}"
        )
    tests += [_number_fails(test) for test in numeric]
    for start, end, literal, caseless, to_nul in searches:
        span = f"{start}" if end < 0 else f"{start}, {end}"
        if to_nul:
            tests.append(f"not _search(head, {start}, {end}, {literal!r}, {caseless}, True)")
        elif caseless:  # (a part of it without letters first: it is there in no case either)
            letterless = literal.strip(_LETTERS)
            if letterless:
                tests.append(f"head.find({letterless!r}, {span}) < 0")
            part = f"head[{start}:]" if end < 0 else f"head[{start}:{end}]"
            tests.append(f"{literal!r} not in {part}.lower()")
        else:
            tests.append(f"head.find({literal!r}, {span}) < 0")
    tests += [f"not _pointer(head, *{test!r})" for test in pointers]
    tests += [f"not _regex(head, *{test!r})" for test in regexes]
    tests += [f"not ({at} <= len(head) and may_match(head[{at}:]))" for at in indirect]
    return " or ".join(tests) or "False"


_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_RELATIONS = {"=": "{} != {}", "<": "{} >= {}", ">": "{} <= {}", "&": "{0} & {1} != {1}",
              "^": "{0} & {1} == {1}"}  # fmt: skip


def _number_fails(test: tuple) -> str:
    """An unsigned number ANDed with a mask, outside a named entry, not a "!" test (so the
    clause's length test has made its bytes): inline; any other through ``_numeric``."""
    at, width, little, signed, op, operand, relation, value, base = test
    if signed or op != 0 or base or relation not in _RELATIONS:
        return f"not _numeric(head, *{test!r})"
    number = f"int.from_bytes(head[{at}:{at + width}], {'little' if little else 'big'!r})"
    if operand >= 0:
        number = f"({number} & {operand})"
    return _RELATIONS[relation].format(number, value)
