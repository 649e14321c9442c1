"""Extractors of the remote_access family; ``EXTRACTORS`` lists them for registration."""

from __future__ import annotations

EXTRACTORS: tuple[type, ...] = ()
