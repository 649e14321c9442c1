"""Extractors of the calls family; ``EXTRACTORS`` lists them for registration.

Every extractor yields :class:`~triage.records.CallRecord` (one shape for phone, softphone and
app calls, numbers normalised by :mod:`.numbers`), except ``softphone.presence``, which lists
the files of calling apps whose history is not parsed. :mod:`.summary` summarises the store's
``calls`` table.
"""

from __future__ import annotations

from triage.extractors.calls.android_call_log import AndroidCallLog
from triage.extractors.calls.google_voice import GoogleVoiceCalls
from triage.extractors.calls.ios_call_history import IosCallHistory
from triage.extractors.calls.microsip import MicroSipCalls
from triage.extractors.calls.skype import SkypeCalls
from triage.extractors.calls.softphone_presence import SoftphonePresence
from triage.extractors.calls.teams import TeamsCalls
from triage.extractors.calls.viber import ViberCalls
from triage.extractors.calls.whatsapp import WhatsAppCalls

EXTRACTORS: tuple[type, ...] = (
    AndroidCallLog,
    IosCallHistory,
    MicroSipCalls,
    SkypeCalls,
    ViberCalls,
    WhatsAppCalls,
    GoogleVoiceCalls,
    TeamsCalls,
    SoftphonePresence,
)
