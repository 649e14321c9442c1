"""Extractors of the identity family; ``EXTRACTORS`` lists them for registration.

Each yields :class:`triage.records.IdentityFact` rows (category, key, value, time, detail) about
who and what a device is; :func:`triage.identity.device_identity` condenses them for the
report's first lines. They run first (priority 10): other families read ``sim_country``.
"""

from __future__ import annotations

from triage.extractors.identity.android import AndroidIdentity
from triage.extractors.identity.ios import IosIdentity
from triage.extractors.identity.linux import LinuxIdentity
from triage.extractors.identity.macos import MacosIdentity
from triage.extractors.identity.windows import WindowsIdentity

EXTRACTORS: tuple[type, ...] = (
    WindowsIdentity,
    AndroidIdentity,
    IosIdentity,
    MacosIdentity,
    LinuxIdentity,
)
