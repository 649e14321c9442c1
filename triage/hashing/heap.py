"""The last module the workers' forkserver imports: it hands back to the OS the heap that the
imports before it used and freed.

Compiling the first typing tier's generated tables from source (where no byte code is cached:
``PYTHONDONTWRITEBYTECODE``, a read-only install) takes ~60 MB of parse trees that Python frees
but glibc keeps mapped; every worker forked from the server would carry that in its resident
set (measured: an import of :mod:`triage.sniff` leaves 80 MB resident, 30 MB after
``malloc_trim``). ``multiprocessing`` preloads modules by name only, so the release runs on
import; anywhere without glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import gc


def release_heap() -> bool:
    """Collect garbage and return free heap pages to the OS; whether glibc did so."""
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim  # (the C library the interpreter runs on)
    except (OSError, AttributeError):
        return False
    return bool(trim(0))


release_heap()
