"""The data check's clauses (:mod:`triage.sniff_level0`): their tests, and each as a function.

A clause is a conjunction of tests (``tests/data/sniff/build_magic_level0.py``); the tests
here state softmagic.c's (file 5.44) for a number (:func:`number_test`), a literal in a range
(:func:`search_test`), an indirect offset (:func:`pointer_test`) and a regex
(:func:`regex_test`), and :func:`holds` reads a clause test by test. On the bench's random
heads that interpreting (a loop and an unpacking per test) cost more than the tests, so each
clause also becomes one compiled expression, ``not (fails or fails ...)``, its tests in the
order :func:`holds` takes them: the length, the fixed bytes (a ``startswith`` for whole
bytes), the numbers (inline where unsigned), the searches (a caseless one through ``re``),
the indirect offsets, the regexes, the indirect tests. The same semantics, spelt out once,
when a head first needs the clause (tests/test_sniff_data.py compares both on every clause).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from triage.sniff_level0 import CLAUSES
from triage.sniff_match import REGEX_MAX


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
            tests.append(f"not search_test(head, {start}, {end}, {literal!r}, {caseless}, True)")
        elif caseless and literal[:1].isalpha():  # (its part without letters first)
            letterless = literal.strip(_LETTERS)
            if letterless:
                tests.append(f"head.find({letterless!r}, {span}) < 0")
            part = f"head[{start}:]" if end < 0 else f"head[{start}:{end}]"
            tests.append(f"{literal!r} not in {part}.lower()")
        elif caseless:  # (re finds a literal that starts with no letter faster than find)
            stop = "" if end < 0 else f", {end}"
            tests.append(f"_CASELESS[{literal!r}].search(head, {start}{stop}) is None")
        else:
            tests.append(f"head.find({literal!r}, {span}) < 0")
    tests += [_pointer_fails(test) for test in pointers]
    tests += [f"not regex_test(head, *{test!r})" for test in regexes]
    tests += [f"not ({at} <= len(head) and may_match(head[{at}:]))" for at in indirect]
    return " or ".join(tests) or "False"


_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_RELATIONS = {"=": "{} != {}", "<": "{} >= {}", ">": "{} <= {}", "&": "{0} & {1} != {1}",
              "^": "{0} & {1} == {1}"}  # fmt: skip


def _number_fails(test: tuple) -> str:
    """An unsigned number ANDed with a mask, outside a named entry: inline (a "!" test past
    the end matches; any other has its bytes by the clause's length test); any other through
    :func:`number_test`."""
    at, width, little, signed, op, operand, relation, value, base = test
    if signed or op != 0 or base or relation not in "!" + "".join(_RELATIONS):
        return f"not number_test(head, *{test!r})"
    number = f"int.from_bytes(head[{at}:{at + width}], {'little' if little else 'big'!r})"
    if operand >= 0:
        number = f"({number} & {operand})"
    if relation == "!":
        return f"(len(head) >= {at + width} and {number} == {value})"
    return _RELATIONS[relation].format(number, value)


def _pointer_fails(test: tuple) -> str:
    """An unsigned indirect offset plus or times a number: inline (an offset do_ops refuses
    is past the end anyway); any other through :func:`pointer_test`."""
    at, width, little, signed, op, operand, inverse, reads = test
    if signed or inverse or operand < 0 or op not in (3, 5):  # FILE_OPADD, FILE_OPMULTIPLY
        return f"not pointer_test(head, *{test!r})"
    number = f"int.from_bytes(head[{at}:{at + width}], {'little' if little else 'big'!r})"
    if op == 5 and operand:
        number += f" * {operand}"
    elif op == 3:
        reads += operand
    return f"len(head) < {at + width} or {number} + {reads} > len(head)"


def helpers(may_match: Callable[[bytes], bool]) -> dict:
    """What the compiled clauses call: the tests here, ``may_match`` (the whole check again,
    for an indirect test) and the caseless literals as regexes."""
    return {
        "number_test": number_test,
        "search_test": search_test,
        "regex_test": regex_test,
        "pointer_test": pointer_test,
        "may_match": may_match,
        # a caseless literal (given in lower case) as a regex: ASCII letters in either case,
        # as libmagic's /c compares them in the C locale and as re does for bytes
        "_CASELESS": {
            literal: re.compile(re.escape(literal), re.IGNORECASE)
            for clause in CLAUSES
            for _, _, literal, caseless, to_nul in clause[3]
            if caseless and not to_nul
        },
    }


def holds(head: bytes, clause: tuple, may_match: Callable[[bytes], bool]) -> bool:
    """A clause read test by test: the reference for its compiled function (``may_match``:
    the whole check again, for an indirect test)."""
    need, fixed, numeric, searches, indirect, padded, regexes, pointers = clause
    if len(head) < need:
        return False
    for start, end, mask, value in fixed:
        if int.from_bytes(head[start:end], "big") & mask != value:
            return False
    for start, end, mask, value in padded:  # (read in a named entry: zeros past the end)
        if int.from_bytes(head[start:end].ljust(end - start, b"\0"), "big") & mask != value:
            return False
    tested = ((number_test, numeric), (search_test, searches), (pointer_test, pointers),
              (regex_test, regexes))  # fmt: skip
    if not all(check(head, *test) for check, tests in tested for test in tests):
        return False
    # an indirect test: libmagic's whole database again on the buffer from there on
    return all(at <= len(head) and may_match(head[at:]) for at in indirect)


def search_test(
    head: bytes, start: int, end: int, literal: bytes, caseless: bool, to_nul: bool
) -> bool:
    """Whether ``literal`` is in head[start:end] (end -1: the rest), before any NUL there
    when ``to_nul`` (a regex sees a C string), in any case of its letters when ``caseless``
    (then given in lower case)."""
    end = len(head) if end < 0 else end
    if to_nul:
        nul = head.find(b"\x00", start, end)
        end = end if nul < 0 else nul
    if caseless:
        if head.find(literal.strip(_LETTERS), start, end) < 0:
            return False  # (a letterless part of it, in no case, is not there either)
        return literal in head[start:end].lower()
    return head.find(literal, start, end) >= 0


def pointer_test(
    head: bytes, at: int, width: int, little: bool, signed: bool, op: int, operand: int,
    inverse: bool, reads: int,
) -> bool:  # fmt: skip
    """softmagic.c's mget for an indirect offset ``(at.t op operand)``: the number at ``at``
    must be in the head, pass do_ops' range checks, and point where ``reads`` bytes are."""
    size = len(head)
    if at + width > size:
        return False
    number = int.from_bytes(head[at : at + width], "little" if little else "big", signed=signed)
    if number >= _UINT_MAX or number <= _INT_MIN:
        return False
    if operand:
        number = _OPERATIONS[op](number, operand)
    if inverse:
        number = ~number
    if number >= _UINT_MAX:
        return False
    number &= 0xFFFFFFFF  # (a uint32_t offset: a negative one is far past the end)
    return number <= size and reads <= size - number


def _c_divide(number: int, operand: int) -> int:
    quotient = abs(number) // abs(operand)
    return -quotient if (number < 0) != (operand < 0) else quotient


_UINT_MAX, _INT_MIN = (1 << 32) - 1, -(1 << 31)
_OPERATIONS = (  # do_ops, on intmax_t: C's division truncates toward zero
    int.__and__,
    int.__or__,
    int.__xor__,
    int.__add__,
    int.__sub__,
    int.__mul__,
    _c_divide,
    lambda number, operand: number - operand * _c_divide(number, operand),
)


def regex_test(
    head: bytes, at: int, span: int, exact: bool, pattern: bytes, caseless: bool, needs: tuple
) -> bool:
    """softmagic.c's regex test (mcopy, magiccheck) where the builder could spell it for
    ``re``: the bytes from ``at`` (``span`` of them, else the rest; at most FILE_REGEX_MAX; the
    last dropped where ``exact``), up to the first NUL; anywhere in the head when ``at`` < 0.
    ``needs``: bytes one of which a match contains (lower case when ``caseless``)."""
    if at < 0:
        region = head
    else:
        size = len(head)
        if at > size:
            return False
        count = min(size - at if not span or span > size - at else span, REGEX_MAX)
        stop = at + count - (1 if exact and count else 0)
        nul = head.find(b"\x00", at, stop)
        region = head[at : stop if nul < 0 else nul]
    if needs:
        folded = region.lower() if caseless else region
        if not any(need in folded for need in needs):
            return False
    return _COMPILED[pattern, caseless].search(region) is not None


def number_test(
    head: bytes, at: int, width: int, little: bool, signed: bool, op: int, operand: int,
    relation: str, value: int, base: int,
) -> bool:  # fmt: skip
    """softmagic.c's mget/mconvert/magiccheck for a number at a fixed offset (``base``: where
    the named entry it is in was used; libmagic checks the end without it, reads with it)."""
    if len(head) < at - base + width:
        return relation == "!"  # libmagic: a "!" test past the end matches
    raw = head[at : at + width].ljust(width, b"\0")
    number = int.from_bytes(raw, "little" if little else "big")
    if op == 7:  # FILE_OPMODULO
        number %= operand
    elif operand >= 0:  # FILE_OPAND with a mask
        number &= operand
    bits = 8 * width
    if signed and number >> (bits - 1):
        number -= 1 << bits
    number &= _U64
    if relation == "=":
        return number == value
    if relation == "!":
        return number != value
    if relation == "&":
        return number & value == value
    if relation == "^":
        return number & value != value
    if signed:
        number = number - (1 << 64) if number >> 63 else number
        value = value - (1 << 64) if value >> 63 else value
    return number < value if relation == "<" else number > value


_U64 = (1 << 64) - 1
_COMPILED = {
    (pattern, caseless): re.compile(pattern, re.MULTILINE | (re.IGNORECASE if caseless else 0))
    for clause in CLAUSES
    for *_, pattern, caseless, _ in clause[6]
}
