"""Extractors of the router family; ``EXTRACTORS`` lists them for registration."""

from __future__ import annotations

EXTRACTORS: tuple[type, ...] = ()
