"""The volume layer: what sits between a partition's bytes and its file system.

A partition may be a plain file system, an encrypted volume to unlock with the examiner's keys
(BitLocker, LUKS, FileVault/CoreStorage), a container of several volumes (APFS), or carry older
copies of itself (Volume Shadow Copies). Each kind is one small module over its libyal binding;
:mod:`triage.evidence.volumes.stack` tries them on one partition and returns the volumes found,
each as plain bytes (a :class:`~triage.evidence.media.Media`) the file-system layer reads like
any partition, or as a locked or unreadable volume the report names with what would help.
"""
