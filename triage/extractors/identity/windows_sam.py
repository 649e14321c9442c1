"""Local user accounts from a Windows SAM hive: names, RIDs, SIDs, last logons, logon counts.

Layout (``SAM\\Domains\\Account``):

- ``Account`` value ``V``: its last 24 bytes are the machine SID ``S-1-5-21-a-b-c`` (revision 1,
  4 sub-authorities); a local user's SID is the machine SID plus the RID;
- ``Users\\Names\\<user name>``: the default value's *type* is the user's RID; the key's
  last-written time is about when the account was created;
- ``Users\\<RID as 8 hex digits>`` value ``F`` (fixed, 80 bytes): last logon FILETIME at 0x08,
  password last set at 0x18, account expires at 0x20, last failed logon at 0x28, RID at 0x30,
  account control flags at 0x38 (0x0001 disabled), failed logon count at 0x40, logon count at
  0x42; value ``V``: a table of (offset, length, unused) triples from 0x0C, offsets relative
  to 0xCC, giving the user name (0x0C), full name (0x18) and comment (0x24), UTF-16LE.

References: regipy plugins ``samparse`` and ``local_sid``; plaso ``sam_users`` plugin and its
test (Administrator, RID 500); Harlan Carvey, "Windows Registry Forensics", ch. 4 (SAM hive).
"""

from __future__ import annotations

import struct

from triage.extractors.identity.facts import Facts
from triage.extractors.identity.registry import Hive, RegKey
from triage.timestamps import format_utc, from_filetime

ACCOUNT = "\\SAM\\Domains\\Account"
NEVER = 0x7FFFFFFFFFFFFFFF
DISABLED = 0x0001
V_HEADER = 0xCC


def machine_sid(v_value: bytes | None) -> str | None:
    """The ``S-1-5-21-a-b-c`` machine SID at the end of the Account ``V`` value."""
    if not v_value or len(v_value) < 24:
        return None
    tail = v_value[-24:]
    revision, count = tail[0], tail[1]
    authority = int.from_bytes(tail[2:8], "big")
    if revision != 1 or count != 4:
        return None
    subs = struct.unpack("<4I", tail[8:24])
    if subs[0] != 21:
        return None
    return "S-1-{}-{}".format(authority, "-".join(str(sub) for sub in subs))


def _v_string(data: bytes, entry: int) -> str | None:
    if len(data) < entry + 8:
        return None
    offset, length = struct.unpack("<II", data[entry : entry + 8])
    start = V_HEADER + offset
    if length == 0 or length > 4096 or start + length > len(data):
        return None
    return data[start : start + length].decode("utf-16-le", "replace") or None


def parse_f(data: bytes | None) -> dict[str, int]:
    """The fields of a user's ``F`` value (empty when too short)."""
    if not data or len(data) < 0x44:
        return {}
    return {
        "last_logon": struct.unpack_from("<Q", data, 0x08)[0],
        "password_set": struct.unpack_from("<Q", data, 0x18)[0],
        "expires": struct.unpack_from("<Q", data, 0x20)[0],
        "last_failed": struct.unpack_from("<Q", data, 0x28)[0],
        "rid": struct.unpack_from("<I", data, 0x30)[0],
        "flags": struct.unpack_from("<H", data, 0x38)[0],
        "failed_count": struct.unpack_from("<H", data, 0x40)[0],
        "logon_count": struct.unpack_from("<H", data, 0x42)[0],
    }


def _names(users: RegKey) -> dict[int, RegKey]:
    """RID -> ``Names\\<user>`` key (the RID is the default value's type)."""
    found: dict[int, RegKey] = {}
    names = users.subkey("Names")
    for key in names.subkeys() if names else []:
        default = key.values().get("")
        if default is not None and default.type is not None:
            found.setdefault(default.type, key)
    return found


def _time_text(filetime: int) -> str | None:
    if filetime in (0, NEVER):
        return None
    when = from_filetime(filetime)
    return format_utc(when) if when else None


def parse_sam(hive: Hive, facts: Facts) -> None:
    """Add the SAM's machine SID and one ``user_account`` fact per local account."""
    account = hive.key(ACCOUNT)
    if account is None:
        facts.problem("no SAM\\Domains\\Account key in this SAM hive")
        return
    sid = machine_sid(account.data("V"))
    facts.add("os", "machine_sid", sid, detail="local machine SID (SAM Account V value)")
    users = account.subkey("Users")
    if users is None:
        return
    names = _names(users)
    for key in users.subkeys():
        try:
            rid = int(key.name, 16)
        except ValueError:
            continue  # "Names"
        fields = parse_f(key.data("F"))
        v_value = key.data("V") or b""
        name_key = names.get(rid)
        name = (name_key.name if name_key else None) or _v_string(v_value, 0x0C)
        if not name:
            facts.problem(f"SAM user RID {rid} has no name", "warning")
            continue
        last_logon = fields.get("last_logon", 0)
        when = from_filetime(last_logon) if last_logon not in (0, NEVER) else None
        parts = [f"{sid}-{rid}" if sid else None, f"RID {rid}"]
        full_name = _v_string(v_value, 0x18)
        comment = _v_string(v_value, 0x24)
        parts += [
            f"full name {full_name}" if full_name else None,
            f"comment {comment}" if comment else None,
        ]
        if fields:
            parts.append(f"logons {fields['logon_count']}")
            if fields["flags"] & DISABLED:
                parts.append("disabled")
            for label, field in (
                ("password set", "password_set"),
                ("last failed logon", "last_failed"),
                ("expires", "expires"),
            ):
                text = _time_text(fields[field])
                if text:
                    parts.append(f"{label} {text}")
        if name_key is not None and name_key.last_written:
            parts.append(f"created about {format_utc(name_key.last_written)} (Names key written)")
        facts.add(
            "user",
            "user_account",
            name,
            time=when,
            time_raw=last_logon if when else None,
            time_note="last logon (SAM F value, FILETIME)" if when else None,
            detail="; ".join(part for part in parts if part),
        )
