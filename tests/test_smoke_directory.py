"""A folder of evidence scans end to end."""

import hashlib


def test_folder_scan_hashes_and_lists(tmp_path, scan):
    root = tmp_path / "phone"
    (root / "data" / "media").mkdir(parents=True)
    (root / "data" / "media" / "note.txt").write_bytes(b"hello triage\n")
    (root / "link").symlink_to("/etc")
    out = scan(root, extractors=[])
    files = {row["path"]: row for row in out.files()}
    assert files["/data/media/note.txt"]["sha256"] == hashlib.sha256(b"hello triage\n").hexdigest()
    assert files["/link"]["kind"] == "link"
    assert files["/link"]["note"] == "link target: /etc"
    assert out.result.status == "done"
