"""Keys in a case: ``keys``/``key_files`` in case.yaml (per device and case-wide) and
``triage batch --key/--key-file``, on the BitLocker and LUKS1 fixtures of
``tests/evidence/volume_fixtures.py`` (built at run time, each proved by libbde/libluksde first).

A key is a secret even when it is wrong: no output file of the case, no line on stderr and no
error message holds one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.evidence import built_volumes
from tests.evidence.volume_fixtures import LUKS_UUID, mbr_disk
from triage.batch import case_template, plan_config
from triage.case import load_case, load_manifest
from triage.cli import main
from triage.config import ScanConfig
from triage.errors import CaseError

SERVER_PASSPHRASE = "correct horse battery staple"
SPARE_PASSPHRASE = "tr0ub4dor&3 of the spare disk"  # given to no device: it stays locked
NOTES_SHA256 = hashlib.sha256(b"call list for monday\n").hexdigest()


@pytest.fixture(scope="module")
def disks(tmp_path_factory) -> dict[str, object]:
    """Three read-only disks: BitLocker (recovery password), LUKS1 opened by the case-wide
    key, LUKS1 whose passphrase nobody gives."""
    folder = tmp_path_factory.mktemp("disks")
    bitlocker, recovery, protector = built_volumes.bitlocker()
    server = built_volumes.luks1(SERVER_PASSPHRASE)
    spare = built_volumes.luks1(SPARE_PASSPHRASE, seed=23)
    found: dict[str, object] = {"recovery": recovery, "protector": protector}
    for name, volume, code in (
        ("laptop.raw", bitlocker, 0x07),
        ("server.raw", server, 0x83),
        ("spare.raw", spare, 0x83),
    ):
        path = folder / name
        path.write_bytes(mbr_disk(volume, type_code=code))
        path.chmod(0o444)
        found[name] = path
    return found


def _manifest(folder: Path, disks: dict[str, object], spare_keys: list[str] | None = None) -> Path:
    (folder / "keys").mkdir(exist_ok=True)
    (folder / "keys" / "case.txt").write_text(
        f"# case-wide keys\n{SERVER_PASSPHRASE}\n", encoding="utf-8"
    )
    spare = {"name": "spare", "evidence": str(disks["spare.raw"])}
    if spare_keys:
        spare["keys"] = spare_keys
    manifest = {
        "case": "KEYS-1",
        "key_files": ["keys/case.txt"],
        "devices": [
            {"name": "laptop", "evidence": str(disks["laptop.raw"]), "keys": [disks["recovery"]]},
            {"name": "server", "evidence": str(disks["server.raw"])},
            spare,
        ],
    }
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return path


def _secrets_in(out: Path, secrets: list[str]) -> list[tuple[str, str]]:
    """(file, secret) for every output file that holds a secret, as UTF-8 or UTF-16."""
    found = []
    for written in sorted(out.rglob("*")):
        if not written.is_file():
            continue
        data = written.read_bytes()
        for secret in secrets:
            if secret.encode() in data or secret.encode("utf-16-le") in data:
                found.append((str(written.relative_to(out)), secret))
    return found


def _batch(arguments: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["batch", *arguments, "--no-progress", "--parallel", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_case_keys_per_device_and_case_wide_open_their_volumes_and_are_never_written(
    disks, tmp_path, monkeypatch
):
    (tmp_path / "case").mkdir()
    manifest = _manifest(tmp_path / "case", disks)
    out = tmp_path / "out"
    arguments = [str(manifest), "-o", str(out), "-j", "1", "--no-image-hash"]
    monkeypatch.setattr("sys.argv", ["triage", "batch", *arguments])  # the recorded command line
    status, printed = _batch(arguments)
    assert status == 3, printed  # one device done with problems: its volume stayed locked
    devices = {d["name"]: d for d in json.loads((out / "batch.json").read_text())["devices"]}
    assert {name: d["status"] for name, d in devices.items()} == {
        "laptop": "done",
        "server": "done",
        "spare": "done with problems",
    }
    partitions = {
        name: json.loads((out / name / "report.json").read_text())["partitions"][0]
        for name in devices
    }
    assert (partitions["laptop"]["encryption"], partitions["laptop"]["lock_state"]) == (
        "AES-XTS 128",
        "unlocked",
    )
    assert partitions["laptop"]["layers"] == (
        f"BitLocker, unlocked, by recovery password (protector ID {disks['protector']})"
    )
    assert partitions["server"]["layers"] == "LUKS1, unlocked, by passphrase (a key slot)"
    assert partitions["server"]["note"] == f"LUKS1 volume ID {LUKS_UUID}"
    assert (partitions["spare"]["lock_state"], partitions["spare"]["walked"]) == ("locked", 0)
    problems = json.loads((out / "spare" / "report.json").read_text())["problems"]
    assert [p["message"] for p in problems] == [
        "partition 1 (Linux (0x83)): LUKS1, locked (1 key(s) given did not open it); "
        f"UUID {LUKS_UUID}; give --key with its passphrase"
    ]
    for name in ("laptop", "server"):  # read through the decryption: a known file, hashed
        store = sqlite3.connect(out / name / "triage.sqlite")
        (digest,) = store.execute(
            "SELECT sha256 FROM files WHERE path = '/Users/agent1/Documents/notes.txt'"
        ).fetchone()
        store.close()
        assert digest == NOTES_SHA256
    case = json.loads((out / "case.json").read_text())
    assert case["device_states"]["text"] == "3 devices: 3 scanned"
    secrets = [str(disks["recovery"]), SERVER_PASSPHRASE, SPARE_PASSPHRASE]
    assert _secrets_in(out, secrets) == []
    assert not [secret for secret in secrets if secret in printed]

    # The spare's passphrase found later, and one more key for the whole case: a rerun rescans
    # the device whose volume was locked, and opens it; the others, nothing locked, are kept.
    _manifest(tmp_path / "case", disks, spare_keys=[SPARE_PASSPHRASE])
    status, printed = _batch([*arguments, "--key", "one more case-wide key"])
    assert status == 0, printed
    runs = {
        d["name"]: d["this_run"] for d in json.loads((out / "batch.json").read_text())["devices"]
    }
    assert runs == {
        "laptop": "already done in an earlier run",
        "server": "already done in an earlier run",
        "spare": "rescanned: options changed (keys for its locked volume: 1 -> 3 given)",
    }
    spare = json.loads((out / "spare" / "report.json").read_text())
    assert spare["partitions"][0]["layers"] == "LUKS1, unlocked, by passphrase (a key slot)"
    assert spare["problems"] == []
    assert _secrets_in(out, secrets) == []
    assert not [secret for secret in secrets if secret in printed]


def test_batch_key_and_key_file_of_a_case_folder(disks, tmp_path, monkeypatch):
    seized = tmp_path / "seized"
    seized.mkdir()
    (seized / "laptop.raw").symlink_to(disks["laptop.raw"])
    (seized / "server.raw").symlink_to(disks["server.raw"])
    key_file = seized / "recovery.txt"  # beside the evidence: a key file, never a device
    key_file.write_text(f"{disks['recovery']}\n", encoding="utf-8")
    out = tmp_path / "out"
    arguments = [
        str(seized), "-o", str(out), "-j", "1", "--hash-only", "--no-image-hash",
        "--key", SERVER_PASSPHRASE, "--key-file", str(key_file),
    ]  # fmt: skip
    monkeypatch.setattr("sys.argv", ["triage", "batch", *arguments])  # the recorded command line
    status, printed = _batch(arguments)
    assert status == 0, printed
    case = json.loads((out / "case.json").read_text())
    assert [d["name"] for d in case["devices"]] == ["laptop", "server"]
    assert {"item": "recovery.txt", "why": "key file given with --key-file, not evidence"} in (
        case["skipped_items"]
    )
    opened = f"recovery password (protector ID {disks['protector']})"
    for name, layers in (
        ("laptop", f"BitLocker, unlocked, by {opened}"),
        ("server", "LUKS1, unlocked, by passphrase (a key slot)"),
    ):
        report = json.loads((out / name / "report.json").read_text())
        assert report["partitions"][0]["layers"] == layers
        assert f"--key REDACTED --key-file {key_file}" in report["runs"][-1]["command_line"]
    assert _secrets_in(out, [str(disks["recovery"]), SERVER_PASSPHRASE]) == []


# -- the manifest's keys -------------------------------------------------------------------------
def _write(folder: Path, text: str) -> Path:
    path = folder / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_order_device_then_case_then_command_line(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "ABCD.BEK").write_bytes(b"\x00" * 156)
    (tmp_path / "keys" / "all.txt").write_bytes(
        b"\xef\xbb\xbf# from the domain\ncase-file-key\n\n  ABCD.BEK  \n"
    )  # a BOM, a comment, a blank line, a .BEK named beside the key file
    (tmp_path / "keys" / "a.txt").write_bytes("device-file-key\r\n".encode("utf-16"))
    manifest = _write(
        tmp_path,
        "case: K\nkeys: case-key\nkey_files: [keys/all.txt]\ndevices:\n"
        "  - name: a\n    evidence: a.E01\n    keys: ['device-key', keys/ABCD.BEK]\n"
        "    key_files: [keys/a.txt]\n"
        "  - name: b\n    evidence: b.E01\n",
    )
    case = load_manifest(manifest)
    bek = str((tmp_path / "keys" / "ABCD.BEK").resolve())
    assert case.keys == ("case-key", "case-file-key", bek)
    assert case.devices[0].keys == ("device-key", bek, "device-file-key")
    assert case.devices[1].keys == ()
    assert "device-key" not in repr(case) and "case-key" not in repr(case)
    out = tmp_path / "out"
    template = case_template(
        case, ScanConfig(evidence=out, output=out, name="template", keys=("cli-key",))
    )
    config, _ = plan_config(case.devices[0], out, template)
    assert config.keys == (
        "device-key", bek, "device-file-key",
        "case-key", "case-file-key", bek, "cli-key",
    )  # fmt: skip
    assert plan_config(case.devices[1], out, template)[0].keys == template.keys


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("keys: [007]", "device 1: keys entry 1 is not text (YAML read it as a int)"),
        ("keys: [yes]", "device 1: keys entry 1 is not text (YAML read it as a bool)"),
        ('keys: ["s3cr\\x00t"]', "device 1: keys entry 1 holds a NUL character"),
        ("keys: ['  ']", "device 1: keys entry 1 is empty"),
        ("keys: {a: s3cret}", "device 1: 'keys' is a list"),
        ("keys: [s3cret.BEK]", "device 1: keys entry 1 names a .BEK key file that is not in"),
        ("key_files: [nowhere.txt]", "device 1: key_files: cannot read"),
        ('key_files: ["a\\x00b"]', "device 1: key_files entry 1 holds a NUL character"),
        ("key_files: [bad.txt]", "bad.txt: line 2 is not UTF-8 text"),
        ("key_files: [nul.txt]", "nul.txt: line 1 holds a NUL character"),
    ],
)
def test_manifest_key_errors_name_the_entry_never_the_key(tmp_path, entry, message):
    (tmp_path / "bad.txt").write_bytes(b"fine-key\ns3cret\xff\n")
    (tmp_path / "nul.txt").write_bytes("s3cret\n".encode("utf-16-le"))
    manifest = _write(tmp_path, f"case: K\ndevices:\n  - evidence: a.E01\n    {entry}\n")
    with pytest.raises(CaseError) as raised:
        load_manifest(manifest)
    assert message in str(raised.value)
    assert "s3cr" not in str(raised.value).replace("s3cret.BEK", "")  # the path is no key
    assert "fine-key" not in str(raised.value)


def test_case_folder_leaves_out_bek_files(tmp_path):
    for name in ("laptop.E01", "3C116B76-C67B-484E-B439-CE2ED68B561E.BEK"):
        (tmp_path / name).write_bytes(b"x")
    case = load_case(tmp_path)
    assert [d.name for d in case.devices] == ["laptop"]
    assert dict(case.skipped) == {
        "3C116B76-C67B-484E-B439-CE2ED68B561E.BEK": "BitLocker key file, not evidence"
    }


def test_rerun_options_vss_recorded_and_older_reports_read_as_vss_on():
    from triage.outcomes import changed_options, result_options  # noqa: PLC0415

    older = result_options({"profile": "auto", "algorithms": ["md5"]})  # no "vss": walked then
    same = result_options({"profile": "auto", "algorithms": ["md5"], "vss": True, "keys": 2})
    off = result_options({"profile": "auto", "algorithms": ["md5"], "vss": False})
    assert changed_options(older, same) == []  # keys are not a result option by themselves
    assert changed_options(older, off) == ["vss: True -> False"]


def test_a_bek_that_is_not_there_is_a_usage_error_not_a_password(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keys.txt").write_text("# laptop\nmissing/ABCD.BEK\n", encoding="utf-8")
    for given in (["--key", "ABCD.BEK"], ["--key-file", "keys.txt"]):
        result = CliRunner().invoke(
            main, ["scan", str(tmp_path), "-o", str(tmp_path / "out"), *given]
        )
        assert result.exit_code == 2
        assert "names a .BEK key file that is not in" in result.output
    assert "line 2 names a .BEK key file" in result.output
    assert not (tmp_path / "out").exists()


def test_bek_keys_reach_the_scan_as_absolute_paths(tmp_path, monkeypatch):
    from triage.cli import _keys  # noqa: PLC0415

    monkeypatch.chdir(tmp_path)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "ABCD.BEK").write_bytes(bytes(156))
    (tmp_path / "keys" / "list.txt").write_text("ABCD.BEK\nhunter2\n", encoding="utf-8")
    bek = str((tmp_path / "keys" / "ABCD.BEK").resolve())
    given = {"keys": ("keys/ABCD.BEK", "hunter2"), "key_file": Path("keys/list.txt")}
    assert _keys(given) == (bek, "hunter2", bek, "hunter2")  # keys_of drops the repeats
