"""When libmagic 5.44's soft magic may give a binary head a MIME type: the data check's tables.

Built by ``tests/data/sniff/build_magic_level0.py`` from the compiled magic.mgc whose SHA-256 is
:data:`MGC_SHA256` (see there for what a clause is; its ``render()`` spells the tables as Python)
into ``sniff_level0.pickle``, loaded here: as Python source the tables took ~0.25 s and ~50 MB
to compile wherever no byte code is cached (every forkserver and test process here), and the
workers waited for that; unpickled they take ~4 ms. The pickle is ours, built by that script and
shipped in the package, never read from evidence.
"""

from __future__ import annotations

import pickle
from importlib import resources

_TABLES: dict = pickle.loads(resources.files("triage").joinpath("sniff_level0.pickle").read_bytes())

MGC_SHA256: str = _TABLES["MGC_SHA256"]
MGC_SIZE: int = _TABLES["MGC_SIZE"]
# (need, ((start, end, mask, value), ...), numeric tests, searches, indirect offsets,
#  byte constraints read with zeros past the end, regexes, indirect offsets' reads)
CLAUSES: tuple = _TABLES["CLAUSES"]
GROUPS: tuple = _TABLES["GROUPS"]  # (start, end, {head[start:end]: clause numbers})
LOOSE: tuple = _TABLES["LOOSE"]  # clauses with no fixed bytes to index them by
TOPS: tuple = _TABLES["TOPS"]  # the first of libmagic's level-0 tests each clause is from
# (order, need, fixed): level-0 tests with a description that surely match a head of at least
# need bytes with those fixed bytes; indexed like the clauses
SHADOWS: tuple = _TABLES["SHADOWS"]
SHADOW_GROUPS: tuple = _TABLES["SHADOW_GROUPS"]
SHADOW_LOOSE: tuple = _TABLES["SHADOW_LOOSE"]
