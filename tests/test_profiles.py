"""Profiles: every shipped one loads, --profile auto picks the right one and says why, errors
name the file and the key, and a lab's own profiles work."""

from __future__ import annotations

import json
import shutil
import tarfile
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.errors import ProfileError
from triage.evidence import open_evidence
from triage.extractors import all_extractors
from triage.profile_loader import detect_profile, load_profile, load_profiles

DATA = Path(__file__).resolve().parent / "data"
SHIPPED = {"android", "generic", "ios", "linux", "macos", "router", "windows"}


def test_every_shipped_profile_loads_with_its_identity_extractor() -> None:
    """Each shipped profile loads, has a description and runs its platform's identity first."""
    profiles = load_profiles()
    assert set(profiles) == SHIPPED
    for profile in profiles.values():
        assert profile.description and profile.extractors, profile.name
        assert profile.origin == f"profiles/{profile.name}.yaml"
    assert profiles["windows"].extractors[0] == "windows.identity"
    assert profiles["android"].extractors[0] == "android.identity"
    assert profiles["ios"].extractors[0] == "ios.identity"
    assert profiles["router"].extractors and all(
        ident.startswith("router.") for ident in profiles["router"].extractors
    )
    assert profiles["generic"].extractors == tuple(all_extractors())
    assert profiles["generic"].detect == ()


def test_profiles_are_packaged() -> None:
    """The YAML files ship in the triage.profiles package (read with importlib.resources)."""
    names = {entry.name for entry in resources.files("triage.profiles").iterdir()}
    assert {f"{name}.yaml" for name in SHIPPED} <= names


def _pick(paths: list[str]):
    return detect_profile(iter(paths), load_profiles())


LAYOUTS = {
    "windows image": (
        [
            "/Windows/System32/config/SYSTEM",
            "/Windows/System32/config/SOFTWARE",
            "/Windows/System32/config/SAM",
            "/Windows/explorer.exe",
            "/Users/agent1/NTUSER.DAT",
            "/Program Files/Git/etc/fstab",
        ],
        "windows",
    ),
    "collected C: tree": (
        ["C/Windows/System32/config/SYSTEM", "C/Users/agent1/NTUSER.DAT"],
        "windows",
    ),
    "android full file system": (
        [
            "/system/build.prop",
            "/vendor/build.prop",
            "/data/system/packages.xml",
            "/data/data/com.android.providers.contacts/databases/calllog.db",
        ],
        "android",
    ),
    "android logical": (
        ["/data/data/com.android.providers.telephony", "/data/system/packages.list"],
        "android",
    ),
    "iphone file system": (
        [
            "/System/Library/CoreServices/SystemVersion.plist",
            "/System/Library/CoreServices/SpringBoard.app",
            "/private/var/mobile/Library/CallHistoryDB/CallHistory.storedata",
            "/private/var/wireless/Library/Databases/CellularUsage.db",
        ],
        "ios",
    ),
    "mac": (
        [
            "/System/Library/CoreServices/SystemVersion.plist",
            "/System/Library/CoreServices/Finder.app",
            "/Users/bob/Library/Preferences",
            "/Applications/Safari.app",
        ],
        "macos",
    ),
    "linux": (["/etc/os-release", "/etc/passwd", "/home/bob/.bashrc"], "linux"),
    "openwrt backup": (
        ["etc/config/network", "etc/config/firewall", "etc/config/dhcp", "etc/passwd"],
        "router",
    ),
    "openwrt root file system": (
        [
            "/etc/os-release",
            "/etc/passwd",
            "/etc/openwrt_release",
            "/etc/config/network",
            "/etc/config/wireless",
        ],
        "router",
    ),
    "mikrotik export": (["router-01.rsc"], "router"),
    "windows with a WSL linux": (
        [
            "/Windows/System32/config/SYSTEM",
            "/Windows/System32/config/SOFTWARE",
            "/Users/a/NTUSER.DAT",
            *(
                f"/Users/a/AppData/Local/Packages/Ubuntu/LocalState/rootfs/{name}"
                for name in ("etc/os-release", "etc/passwd", "etc/fstab", "etc/hostname")
            ),
        ],
        "windows",
    ),
    "windows holding a phone dump": (
        [
            "/Windows/System32/config/SYSTEM",
            "/Users/a/NTUSER.DAT",
            *(
                f"/Users/a/Documents/dump/{name}"
                for name in (
                    "system/build.prop",
                    "vendor/build.prop",
                    "data/system/packages.xml",
                    "data/system/packages.list",
                )
            ),
        ],
        "windows",
    ),
    "nothing known": (["/notes.txt", "/DCIM/IMG_1.jpg"], "generic"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_auto_detection_picks_the_right_profile(layout: str) -> None:
    """Layouts of each platform, and mixed ones where the device's own root must win."""
    paths, expected = LAYOUTS[layout]
    choice = _pick(paths)
    assert choice.profile.name == expected, choice.reason
    if expected == "generic":
        assert choice.reason == "no profile's markers were found; running every extractor"
        assert choice.markers == ()
    else:
        assert choice.markers and all(marker in choice.profile.detect for marker in choice.markers)
        assert choice.reason.startswith(f"{len(choice.markers)} of ")


def test_reason_names_markers_root_and_runner_up() -> None:
    """The reason says which markers decided, where the root is, and what came second."""
    paths, _ = LAYOUTS["windows with a WSL linux"]
    choice = _pick(paths)
    assert choice.reason == (
        "3 of 7 windows markers at the evidence root: **/Windows/System32/config/SYSTEM, "
        "**/Windows/System32/config/SOFTWARE, **/Users/*/NTUSER.DAT; next best: 4 of 6 linux "
        "markers under Users/a/AppData/Local/Packages/Ubuntu/LocalState/rootfs/"
    )


def _walked(path: Path, password: str | None = None) -> list[str]:
    source = open_evidence(path, password)
    try:
        return [str(entry.path) for entry in source.walk(lambda problem: None)]
    finally:
        source.close()


def test_project_fixtures_of_each_platform() -> None:
    """The identity fixtures, walked as evidence, pick their platform."""
    identity = DATA / "identity"
    for folder, expected in (
        ("laptop", "windows"),
        ("phone", "android"),
        ("iphone", "ios"),
        ("iphone_backup", "ios"),
    ):
        choice = _pick(_walked(identity / folder))
        assert choice.profile.name == expected, (folder, choice.reason)
    backup = _pick(_walked(identity / "iphone_backup"))
    assert backup.markers[:3] == (
        "iTunes Backup/Manifest.db",
        "iTunes Backup/Manifest.plist",
        "iTunes Backup/Info.plist",
    )


def test_corpus_layouts(corpus: Path) -> None:
    """Real extractions: iLEAPP's iPhone trees are ios; the Cisco/Juniper configs are router."""
    for name in ("ileapp_celwireless_mvs_ios_2023", "ileapp_wifi_mvs_ios_2023"):
        choice = _pick(_walked(corpus / "mobile/ios" / name))
        assert choice.profile.name == "ios", choice.reason
    router = _pick(_walked(corpus / "router"))
    assert router.profile.name == "router", router.reason
    assert router.reason.startswith("4 of 16 router markers under cisco/: ")
    assert _pick(_walked(corpus / "mobile/ios")).profile.name == "ios"


def _openwrt_backup(tmp_path: Path) -> Path:
    tree = tmp_path / "backup"
    for name, text in (
        ("etc/config/network", "config interface 'lan'\n\toption proto 'static'\n"),
        ("etc/config/dhcp", "config dnsmasq\n"),
        ("etc/config/firewall", "config defaults\n"),
        ("etc/openwrt_release", "DISTRIB_RELEASE='23.05.2'\n"),
    ):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    archive = tmp_path / "backup-cc-gw-2024-03-01.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tree / "etc", arcname="etc")
    return archive


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [("iphone_backup", "ios"), ("laptop", "windows"), ("router tar.gz", "router")],
)
def test_scan_with_auto_profile_records_choice_and_reason(
    evidence: str, expected: str, tmp_path: Path, scan
) -> None:
    """End to end: the scan stores the profile it chose and why."""
    path = (
        _openwrt_backup(tmp_path) if evidence == "router tar.gz" else DATA / "identity" / evidence
    )
    out = scan(path, hash_files=False, hash_evidence=False)
    meta = {row["key"]: row["value"] for row in out.rows("SELECT * FROM meta")}
    assert meta["profile"] == expected
    assert "markers" in meta["profile_reason"] and meta["profile_reason"].startswith(
        tuple(str(n) for n in range(1, 20))
    )


def _profile(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: lab\nextractors: [windows.identity]\nmarkers: [x]\n",
            "unknown key 'markers'; allowed keys are description, detect, extractors, name",
        ),
        (
            "name: lab\nextractors: [windows.identiti]\n",
            "key 'extractors' names unknown extractor 'windows.identiti'; run 'triage "
            "extractors' to list them",
        ),
        ("extractors: [windows.identity]\n", "missing key 'name'"),
        ("name: lab\n", "missing key 'extractors'"),
        ("name: lab\nextractors: windows.identity\n", "key 'extractors' must be a list of strings"),
        ("name: lab\ndetect: [1, 2]\nextractors: []\n", "key 'detect' must be a list of strings"),
        ("name: lab\ndescription: [a]\nextractors: []\n", "key 'description' must be a string"),
        ("name: lab\ndetect: ['**/x[]']\nextractors: []\n", "key 'detect' has marker '**/x[]'"),
        ("name: [lab\n", "not valid YAML"),
        ("- just\n- a list\n", "a profile is a mapping with keys"),
    ],
)
def test_bad_lab_profiles_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    """Every mistake is a ProfileError that starts with the file's path."""
    path = _profile(tmp_path / "lab", "lab", text)
    with pytest.raises(ProfileError) as error:
        load_profiles(tmp_path / "lab")
    assert str(error.value).startswith(f"{path}: "), str(error.value)
    assert message in str(error.value)


def test_wildcards_may_match_nothing_but_plain_ids_must_exist(tmp_path: Path) -> None:
    """A family not installed is fine as a glob, and the list keeps registration order."""
    _profile(
        tmp_path / "lab",
        "lab",
        'name: lab\nextractors: ["nosuchfamily.*", "ios.identity", "*.identity"]\n',
    )
    lab = load_profile("lab", tmp_path / "lab")
    assert lab.extractors == (
        "windows.identity",
        "android.identity",
        "ios.identity",
        "macos.identity",
        "linux.identity",
    )
    assert lab.origin == str(tmp_path / "lab" / "lab.yaml")


def test_unknown_profile_name_and_missing_folder(tmp_path: Path) -> None:
    """--profile with a wrong name lists the names; --profiles-dir must be a folder."""
    with pytest.raises(ProfileError, match="no profile named 'windwos'; choose from android, "):
        load_profile("windwos")
    with pytest.raises(ProfileError, match="--profiles-dir is not a folder"):
        load_profiles(tmp_path / "missing")


def test_lab_profile_is_detected_and_can_replace_a_shipped_one(tmp_path: Path, scan) -> None:
    """A lab profile with its own markers is chosen by auto; one named windows replaces ours."""
    lab = tmp_path / "lab"
    _profile(
        lab,
        "kiosk",
        "name: kiosk\ndescription: Call-centre kiosk image.\n"
        'detect: ["**/kiosk/kiosk.ini", "**/kiosk/agents.csv"]\n'
        "extractors: [windows.identity]\n",
    )
    _profile(lab, "windows", 'name: windows\ndescription: Lab Windows.\nextractors: ["*"]\n')
    profiles = load_profiles(lab)
    assert profiles["windows"].origin == str(lab / "windows.yaml")
    assert profiles["windows"].detect == ()
    evidence = tmp_path / "kiosk-01"
    shutil.copytree(DATA / "identity" / "laptop", evidence)
    (evidence / "kiosk").mkdir()
    (evidence / "kiosk" / "kiosk.ini").write_text("[kiosk]\n")
    (evidence / "kiosk" / "agents.csv").write_text("agent1\n")
    out = scan(evidence, profiles_dir=lab, hash_files=False, hash_evidence=False)
    meta = {row["key"]: row["value"] for row in out.rows("SELECT * FROM meta")}
    assert meta["profile"] == "kiosk"
    assert meta["profile_reason"] == (
        "2 of 2 kiosk markers at the evidence root: **/kiosk/kiosk.ini, **/kiosk/agents.csv"
    )
    assert out.result.records["identity"] == 28


def test_cli_lists_profiles_and_extractors(tmp_path: Path) -> None:
    """``triage profiles`` and ``triage extractors`` (text and --json), with a lab folder."""
    lab = tmp_path / "lab"
    _profile(lab, "kiosk", "name: kiosk\ndetect: ['**/kiosk.ini']\nextractors: [ios.identity]\n")
    runner = CliRunner()
    result = runner.invoke(main, ["profiles", "--profiles-dir", str(lab), "--json"])
    assert result.exit_code == 0, result.output
    listed = {entry["name"]: entry for entry in json.loads(result.output)}
    assert set(listed) == SHIPPED | {"kiosk"}
    assert listed["kiosk"] == {
        "name": "kiosk",
        "description": "",
        "origin": str(lab / "kiosk.yaml"),
        "detect": ["**/kiosk.ini"],
        "extractors": ["ios.identity"],
    }
    result = runner.invoke(main, ["profiles"])
    assert result.exit_code == 0
    assert "windows: Windows laptop or desktop" in result.output
    assert "  detect: (never picked by auto)" in result.output  # generic
    result = runner.invoke(main, ["extractors", "--json", "--profiles-dir", str(lab)])
    assert result.exit_code == 0, result.output
    extractors = {entry["id"]: entry for entry in json.loads(result.output)}
    assert extractors["ios.identity"]["priority"] == 10
    assert extractors["ios.identity"]["records"] == ["IdentityFact"]
    assert extractors["ios.identity"]["profiles"] == ["generic", "ios", "kiosk"]
    assert extractors["windows.identity"]["patterns"][0] == "**/Windows/System32/config/SYSTEM"
    result = runner.invoke(main, ["extractors"])
    assert result.exit_code == 0
    assert "windows.identity  [IdentityFact]  priority 10" in result.output


def test_cli_reports_a_broken_lab_profile_as_a_usage_error(tmp_path: Path) -> None:
    """Exit status 2 and one line naming the file and key."""
    path = _profile(tmp_path / "lab", "bad", "name: bad\nextractors: [nope]\n")
    result = CliRunner().invoke(main, ["profiles", "--profiles-dir", str(tmp_path / "lab")])
    assert result.exit_code == 2
    assert f"triage: error: {path}: key 'extractors' names unknown extractor 'nope'" in (
        result.output + (result.stderr if result.stderr_bytes is not None else "")
    )


def test_detection_reads_paths_as_a_stream() -> None:
    """Paths come as a generator (an image lists millions); none of these is a marker."""
    paths = (f"/data/{index % 97}/file{index}.bin" for index in range(100_000))
    choice = detect_profile(paths, load_profiles())
    assert choice.profile.name == "generic" and choice.markers == ()


CASE_FOLDER = [
    "/phone/system/build.prop",
    "/phone/vendor/build.prop",
    "/phone/data/system/packages.xml",
    "/phone/data/data/com.android.providers.contacts/databases/calllog.db",
    "/laptop/Windows/System32/config/SYSTEM",
    "/laptop/Windows/System32/config/SOFTWARE",
    "/laptop/Users/bob/NTUSER.DAT",
    "/laptop/Users/bob/AppData/Local/Google/Chrome/User Data/Default/History",
    "/edge-01.rsc",
    "/core-sw-confg",
]


def test_several_devices_in_one_folder_run_the_union_of_their_profiles() -> None:
    """An Android tree, a Windows tree and router exports at the top: all three run, and the
    reason names each profile with its markers and root."""
    choice = _pick(CASE_FOLDER)
    assert choice.profile.name == "router + android + windows"
    assert [part.name for part in choice.parts] == ["router", "android", "windows"]
    assert choice.reason == (
        "profiles: router + android + windows, by markers "
        "2 of 16 router markers at the evidence root: **/*.rsc, **/*-confg; "
        "4 of 9 android markers under phone/: **/system/build.prop, **/vendor/build.prop, "
        "**/data/system/packages.xml, **/data/data/com.android.providers.contacts; "
        "3 of 7 windows markers under laptop/: **/Windows/System32/config/SYSTEM, "
        "**/Windows/System32/config/SOFTWARE, **/Users/*/NTUSER.DAT"
    )
    extractors = set(choice.profile.extractors)
    assert {"android.call_log", "chromium.history", "windows.identity", "android.identity"} <= (
        extractors
    )
    assert {"router.mikrotik", "router.cisco"} <= extractors
    # registration order, no duplicates
    order = list(load_profiles()["generic"].extractors)
    assert list(choice.profile.extractors) == sorted(extractors, key=order.index)


def test_one_router_file_beside_two_devices_still_counts() -> None:
    """A single export at the top is a device of its own when it lies outside the others."""
    choice = _pick([path for path in CASE_FOLDER if path != "/core-sw-confg"])
    assert [part.name for part in choice.parts] == ["android", "windows", "router"]


def test_nested_trees_and_shared_roots_stay_one_profile() -> None:
    """A tree inside a device's own root is that device's data; two profiles at one root are
    one device (the single-profile layouts above keep their choice)."""
    for layout in (
        "windows with a WSL linux",
        "windows holding a phone dump",
        "iphone file system",
    ):
        choice = _pick(LAYOUTS[layout][0])
        assert choice.parts == () and " + " not in choice.profile.name
    assert _pick(LAYOUTS["openwrt root file system"][0]).profile.name == "router"


def test_scan_of_a_case_folder_runs_every_device_s_extractors(tmp_path: Path, scan) -> None:
    """End to end: call log, browser history, Windows identity and router facts all extracted."""
    case = tmp_path / "case"
    shutil.copytree(DATA / "identity" / "phone", case / "phone")
    shutil.copytree(
        DATA / "calls" / "android" / "data", case / "phone" / "data", dirs_exist_ok=True
    )
    shutil.copytree(DATA / "identity" / "laptop", case / "laptop")
    history = case / "laptop/Users/agent1/AppData/Local/Google/Chrome/User Data/Default/History"
    history.parent.mkdir(parents=True)
    shutil.copy(DATA / "browser" / "chrome_History", history)
    shutil.copy(DATA / "router" / "mikrotik" / "cc-branch-export.rsc", case / "cc-branch.rsc")
    shutil.copy(DATA / "router" / "dnsmasq" / "dnsmasq.leases", case / "dnsmasq.leases")
    out = scan(case, hash_files=False, hash_evidence=False)
    meta = {row["key"]: row["value"] for row in out.rows("SELECT * FROM meta")}
    assert meta["profile"] == "router + android + windows"
    assert meta["profile_reason"].startswith("profiles: router + android + windows, by markers ")
    counts = out.result.records
    assert counts["calls"] > 0 and counts["browser_visits"] > 0 and counts["router_facts"] > 0
    sources = {row["source_path"] for row in out.records("calls")}
    assert "/phone/data/data/com.android.providers.contacts/databases/calllog.db" in sources
    identity = {(row["key"], row["value"]) for row in out.records("identity")}
    assert any(key == "computer_name" for key, _ in identity)
