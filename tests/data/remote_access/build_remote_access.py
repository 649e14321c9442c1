"""Build the remote-access fixtures and demo evidence (fictional data only, deterministic).

Run ``python tests/data/remote_access/build_remote_access.py`` to rewrite the committed fixture
folders beside this script. The demo builders (:func:`populate_windows_laptop`,
:func:`zone_identifier_text`, :func:`populate_android_phone`) are imported by the demo-evidence
builder and by the tests; they plant the values of the case's demo story
(``notes/story.md``).

Every line is written in the format of the tool's real logs; the formats, and which lines are
verbatim shapes from real logs and which are reconstructed, are listed in SOURCE.md.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# -- the demo story's values ----------------------------------------------------------------
LAPTOP_ANYDESK_ID = "555111222"
LAPTOP_ANYDESK_ALIAS = "support-desk"
VICTIM_A_ANYDESK_ID = "123456789"
VICTIM_A_ALIAS = "Margaret-PC"
VICTIM_B_TEAMVIEWER_ID = "1660360496"
VICTIM_B_NAME = "Harold Jenkins"
LAPTOP_USER = "agent1"
ANYDESK_DOWNLOAD_URL = "https://download.anydesk.com/AnyDesk.exe"
ANYDESK_REFERRER = "https://anydesk.com/en/downloads/windows"


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def _write(path: Path, text: str, *, when: str | None = None, encoding: str = "utf-8") -> Path:
    """Write a text file with CRLF kept as given; set its times when ``when`` (UTC ISO) is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    if when:
        os.utime(path, (_epoch(when), _epoch(when)))
    return path


def anydesk_line(
    time: str, process: str, pids: str, component: str, message: str, level: str = "info"
) -> str:
    """One Windows AnyDesk trace line: level, date time, process, pid tid [fiber], component."""
    return f"{level:>7} {time}  {process:>9}  {pids:>18}  {component:>36} - {message}\n"


def anydesk_banner(time: str, process: str, pids: str, version: str = "8.0.9") -> str:
    """The lines AnyDesk writes when a process starts."""
    return (
        " * * * * * * * * * * * * * * * * * *\n"
        + anydesk_line(time, process, pids, "main", "* AnyDesk Windows Startup *")
        + anydesk_line(time, process, pids, "main", f"* Version {version} (release/win_8.0.x)")
    )


def tv_line(time: str, pid: str, tid: str, flag: str, message: str) -> str:
    """One TeamViewer 15 log line."""
    return f"{time}  {pid:<10} {tid:<4} {flag:<4} {message}\n"


def tv_header(start: str, zone: str, own_id: str = "0") -> str:
    """The header a TeamViewer process writes when it starts."""
    return (
        f"Start:              {start} ({zone})\n"
        "Version:            15.50.5 (64-bit)\n"
        f"ID:                 {own_id}\n"
        "Loglevel:           Info\n"
        "OS:                 Win_10.0.19045_W (64-bit)\n"
        "AppPath:            C:\\Program Files\\TeamViewer\\TeamViewer_Service.exe\n"
        "UserAccount:        SYSTEM\n\n"
    )


# -- demo evidence -------------------------------------------------------------------------------
def populate_windows_laptop(root: Path) -> None:
    """The scam laptop's remote-access traces: AnyDesk to victim A, TeamViewer to victim B."""
    program_data = root / "ProgramData" / "AnyDesk"
    roaming = root / "Users" / LAPTOP_USER / "AppData" / "Roaming" / "AnyDesk"
    svc = "gsvc"
    svc_pids = "3120   3164   1"
    _write(
        program_data / "ad_svc.trace",
        anydesk_banner("2024-03-01 09:59:47.208", svc, svc_pids)
        + anydesk_line(
            "2024-03-01 09:59:49.615",
            svc,
            svc_pids,
            "anynet.connection_mgr",
            f"New user data. Client-ID: {LAPTOP_ANYDESK_ID}.",
        )
        + anydesk_line(
            "2024-03-01 10:07:30.041",
            svc,
            "3120   3164  31",
            "app.service",
            "Creating remote control session.",
        )
        + anydesk_line(
            "2024-03-01 10:07:30.042",
            svc,
            "3120   3164  31",
            "app.session",
            f'1: Connecting to "{VICTIM_A_ANYDESK_ID}"',
        )
        + anydesk_line(
            "2024-03-01 10:07:30.043",
            svc,
            "3120   3164  32",
            "anynet.any_socket",
            f"Connecting to {VICTIM_A_ANYDESK_ID}.",
        )
        + anydesk_line(
            "2024-03-01 10:07:30.212",
            svc,
            "3120   3164  32",
            "anynet.any_socket",
            f"Client-ID: {VICTIM_A_ANYDESK_ID} (FPR: 5c9e0b1d7a4f).",
        )
        + anydesk_line(
            "2024-03-01 10:07:30.519",
            svc,
            "3120   3164  31",
            "app.session",
            "1: Net connection established.",
        ),
        when="2024-03-01T10:41:10",
    )
    _write(
        program_data / "system.conf",
        f"ad.anynet.id={LAPTOP_ANYDESK_ID}\n"
        f"ad.anynet.alias={LAPTOP_ANYDESK_ALIAS}\n"
        "ad.anynet.network_id=main\n"
        "ad.license.name=free-1\n",
        when="2024-03-01T09:59:49",
    )
    _write(
        program_data / "connection_trace.txt",
        f"Outgoing    2024-03-01, 10:07    User      {VICTIM_A_ALIAS}    {VICTIM_A_ANYDESK_ID}\n",
        when="2024-03-01T10:07:30",
    )
    _write(
        program_data / "file_transfer_trace.txt",
        "FileManager\t\t2024-03-01, 10:15\tstart \tupload\t'invoice.pdf' (~0 B out of 84.2 KiB)\n"
        "FileManager\t\t2024-03-01, 10:15\tfinish\tupload\t'invoice.pdf' (~84.2 KiB out of "
        "84.2 KiB)\n",
        when="2024-03-01T10:15:44",
        encoding="utf-16-le",
    )
    front = "front"
    front_pids = "5412   5480"
    _write(
        roaming / "ad.trace",
        anydesk_banner("2024-03-01 10:06:58.331", front, front_pids)
        + anydesk_line(
            "2024-03-01 10:07:30.000",
            front,
            front_pids,
            "win_app.frontend",
            f"Sending a connection request for address {VICTIM_A_ANYDESK_ID}.",
        )
        + anydesk_line(
            "2024-03-01 10:07:30.004", front, front_pids, "win_app.frontend", "New Session"
        )
        + anydesk_line(
            "2024-03-01 10:07:30.005",
            front,
            "5412   5496",
            "app.frontend_session",
            "Requesting session.",
        )
        + anydesk_line(
            "2024-03-01 10:15:42.310",
            front,
            "5412   6020",
            "app.prepare_task",
            "Preparing files in 'C:\\Users\\agent1\\Documents'.",
        )
        + anydesk_line(
            "2024-03-01 10:15:42.318",
            front,
            "5412   6020",
            "app.local_file_transfer",
            "Preparation of 1 files completed (io_ok).",
        )
        + anydesk_line(
            "2024-03-01 10:15:42.902",
            front,
            "5412   5498",
            "app.local_file_transfer",
            "Upload started (0).",
        )
        + anydesk_line(
            "2024-03-01 10:15:44.117",
            front,
            "5412   5498",
            "app.local_file_transfer",
            "Upload finished.",
        )
        + anydesk_line(
            "2024-03-01 10:41:09.874",
            front,
            front_pids,
            "app.frontend_session",
            "The user has requested a connection quit.",
        )
        + anydesk_line(
            "2024-03-01 10:41:09.990",
            front,
            "5412   5496",
            "app.frontend_session",
            "Stopping session.",
        )
        + anydesk_line(
            "2024-03-01 10:41:10.000",
            front,
            "5412   5496",
            "app.frontend_session",
            "Session stopped.",
        ),
        when="2024-03-01T10:41:10",
    )
    _write(
        roaming / "user.conf",
        f"ad.roster.items={VICTIM_A_ANYDESK_ID},{VICTIM_A_ANYDESK_ID},{VICTIM_A_ALIAS},\n"
        "ad.roster.recent_out.view_type=2\n"
        "ad.ui.lang=en\n",
        when="2024-03-01T10:41:10",
    )

    teamviewer = root / "Program Files" / "TeamViewer"
    _write(
        teamviewer / "Connections.txt",
        f"{VICTIM_B_TEAMVIEWER_ID:<32}01-03-2024 11:19:20             01-03-2024 11:33:05"
        f"             {LAPTOP_USER:<32}RemoteControl                   "
        "{7d3c1a52-4f0e-4b8e-9a61-2f5d0c9e8b11}\n",
        when="2024-03-01T11:33:05",
    )
    _write(
        teamviewer / "TeamViewer15_Logfile.log",
        tv_line("2024/03/01 16:45:02.117", "2848", "2912", "0", "Logger started.")
        + tv_line("2024/03/01 16:45:02.301", "2848", "2912", "S0", "")
        + tv_header("2024/03/01 16:45:02.290", "UTC+5:30")
        + tv_line("2024/03/01 16:49:20.412", "2848", "3020", "S0", "Activating Router Carrier")
        + tv_line(
            "2024/03/01 16:49:21.536",
            "2848",
            "3016",
            "S0",
            f"CParticipantManagerBase participant {VICTIM_B_NAME} "
            f"(ID [{VICTIM_B_TEAMVIEWER_ID},482914337]) was added with the role 3",
        )
        + tv_line(
            "2024/03/01 16:49:24.910",
            "2848",
            "3020",
            "S0",
            f"Estimated RTT router to {VICTIM_B_TEAMVIEWER_ID}: 212 ms, reliability: High",
        )
        + tv_line(
            "2024/03/01 17:03:04.870",
            "2848",
            "3020",
            "S0",
            f"SessionStatistics[2] Session to {VICTIM_B_TEAMVIEWER_ID} ended. Estimated "
            "capacity=2118kBit/s, Latency=212ms",
        ),
        when="2024-03-01T11:33:05",
    )
    installer = root / "Users" / LAPTOP_USER / "Downloads" / "AnyDesk.exe"
    if not installer.exists():
        _write(installer, "MZ demo placeholder for AnyDesk.exe\n", when="2024-03-01T09:58:40")


def zone_identifier_text() -> str:
    """The Zone.Identifier stream of the laptop's ``Downloads\\AnyDesk.exe``."""
    return (
        "[ZoneTransfer]\r\n"
        "ZoneId=3\r\n"
        f"ReferrerUrl={ANYDESK_REFERRER}\r\n"
        f"HostUrl={ANYDESK_DOWNLOAD_URL}\r\n"
    )


def populate_android_phone(root: Path) -> None:
    """The scam phone's AnyDesk app folder (presence only: the app is installed)."""
    package = root / "data" / "data" / "com.anydesk.anydeskandroid"
    _write(
        package / "shared_prefs" / "com.anydesk.anydeskandroid_preferences.xml",
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n"
        "<map>\n"
        '    <boolean name="first_start_done" value="true" />\n'
        '    <string name="ui_language">en</string>\n'
        "</map>\n",
        when="2024-03-01T11:02:00",
    )


# -- format fixtures ----------------------------------------------------------------------------
def build_anydesk_windows(root: Path) -> None:
    """A victim PC: service and user traces of two incoming sessions, the two .txt logs."""
    program_data = root / "ProgramData" / "AnyDesk"
    roaming = root / "Users" / "victim" / "AppData" / "Roaming" / "AnyDesk"
    svc, pids = "gsvc", "4312   4420   1"
    lines = (
        anydesk_banner("2024-05-06 13:58:01.100", svc, pids)
        + anydesk_line(
            "2024-05-06 13:58:03.201",
            svc,
            pids,
            "anynet.relay_conn",
            "External address: 198.51.100.7:61022.",
        )
        + anydesk_line(
            "2024-05-06 13:58:03.205",
            svc,
            pids,
            "anynet.connection_mgr",
            "New user data. Client-ID: 987654321.",
        )
        + anydesk_line(
            "2024-05-06 14:02:10.950",
            svc,
            "4312   4420  11",
            "anynet.any_socket",
            "Accept request from 112233445 (via relay).",
        )
        + anydesk_line(
            "2024-05-06 14:02:11.102",
            svc,
            "4312   4420  28",
            "anynet.any_socket",
            "Client-ID: 112233445 (FPR: 8f14e45fceea).",
        )
        + anydesk_line(
            "2024-05-06 14:02:11.103",
            svc,
            "4312   4420  28",
            "anynet.any_socket",
            "Logged in from 203.0.113.45:50344 on relay 1a2b3c4d.",
        )
        + anydesk_line(
            "2024-05-06 14:02:19.880",
            svc,
            "4312   4420  27",
            "app.session",
            "3: Authenticated by password.",
            level="auth",
        )
        + anydesk_line(
            "2024-05-06 14:31:05.644",
            svc,
            "4312   4420  27",
            "app.session",
            "Session closed by remote side: user_request.",
        )
        + anydesk_line(
            "2024-05-07 09:12:44.300",
            svc,
            "4312   4420  11",
            "anynet.any_socket",
            "Accept request from 112233445 (via relay).",
        )
        + anydesk_line(
            "2024-05-07 09:12:44.471",
            svc,
            "4312   4420  41",
            "anynet.any_socket",
            "Client-ID: 112233445 (FPR: 8f14e45fceea).",
        )
        + anydesk_line(
            "2024-05-07 09:12:44.472",
            svc,
            "4312   4420  41",
            "anynet.any_socket",
            "Logged in from 203.0.113.46:49822 on relay 1a2b3c4d.",
        )
        + anydesk_line(
            "2024-05-07 09:12:44.590",
            svc,
            "4312   4420  40",
            "app.session",
            "3: Authenticated with permanent token.",
            level="auth",
        )
        + anydesk_line(
            "2024-05-07 09:20:02.011",
            svc,
            "4312   4420  40",
            "app.session",
            "Session closed by remote side: user_request.",
        )
    )
    _write(program_data / "ad_svc.trace", lines, when="2024-05-07T09:20:02")
    back = "back"
    _write(
        roaming / "ad.trace",
        anydesk_banner("2024-05-06 14:02:11.300", back, "6120   6188")
        + anydesk_line(
            "2024-05-06 14:02:11.402",
            back,
            "6120   6188",
            "app.backend_session",
            "Incoming session request: TECH-SUPPORT-7 (112233445)",
        )
        + anydesk_line(
            "2024-05-06 14:02:11.403",
            back,
            "6120   6188",
            "app.backend_session",
            "Remote OS: Windows, Connection flags: relay",
        )
        + anydesk_line(
            "2024-05-06 14:02:20.017",
            back,
            "6120   6190",
            "app.backend_session",
            "Session started (ok).",
        )
        + anydesk_line(
            "2024-05-06 14:05:31.250",
            back,
            "6120   6188",
            "app.ctrl_clip_comp",
            "Got a text offer (31 b).",
        )
        + anydesk_line(
            "2024-05-06 14:09:12.400",
            back,
            "6120   6231",
            "app.local_file_transfer",
            "Download started (0).",
        )
        + anydesk_line(
            "2024-05-06 14:09:15.802",
            back,
            "6120   6231",
            "app.local_file_transfer",
            "Download finished.",
        )
        + anydesk_line(
            "2024-05-06 14:31:05.652",
            back,
            "6120   6190",
            "app.backend_session",
            "Session stopped.",
        ),
        when="2024-05-06T14:31:05",
    )
    _write(
        program_data / "connection_trace.txt",
        "Incoming    2024-05-06, 14:02    Passwd    TECH-SUPPORT-7    112233445\n"
        "Incoming    2024-05-06, 16:40    REJECTED  cold-caller@ad    778899001\n"
        "Incoming    2024-05-07, 09:12    Token     112233445    112233445\n",
        when="2024-05-07T09:12:44",
    )
    _write(
        program_data / "file_transfer_trace.txt",
        "Clipboard\t\t2024-05-06, 14:09\tstart \tdownload\t'support_tool.exe' (~0 B out of "
        "4.20 MiB)\n"
        "Clipboard\t\t2024-05-06, 14:09\tfinish\tdownload\t'support_tool.exe' (~4.20 MiB out "
        "of 4.20 MiB)\n",
        when="2024-05-06T14:09:15",
        encoding="utf-16-le",
    )
    _write(
        program_data / "system.conf",
        "ad.anynet.id=987654321\nad.anynet.alias=victim-pc@ad\nad.anynet.pwd_hash=3f1c9a\n",
        when="2024-05-06T13:58:03",
    )
    _write(
        roaming / "user.conf",
        "ad.roster.items=112233445,112233445,TECH-SUPPORT-7,;445566778,445566778,,\n"
        "ad.account.recent_logged_in_user=victim@example.org\n",
        when="2024-05-06T14:31:05",
    )


def build_teamviewer(root: Path) -> None:
    """Incoming and outgoing lists, a log that rotated mid-session, an old year-less log."""
    folder = root / "Program Files" / "TeamViewer"
    _write(
        folder / "Connections_incoming.txt",
        "1098765432\tSupport Desk\t05-03-2024 09:00:10\t05-03-2024 09:12:45\tbob\tRemoteControl"
        "\t{0f6a2c1e-5b7d-4c2a-9e0f-1a2b3c4d5e6f}\n"
        "1098765432\tSupport Desk\t06-03-2024 17:30:00\t06-03-2024 17:31:02\tbob\tFileTransfer"
        "\t{1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d}\n",
        when="2024-03-06T17:31:02",
    )
    _write(
        folder / "Connections.txt",
        "1234567890                      07-03-2024 10:00:00             07-03-2024 10:20:30"
        "             bob                             RemoteControl                   "
        "{2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f}\n",
        when="2024-03-07T10:20:30",
    )
    _write(
        folder / "TeamViewer15_Logfile_OLD.log",
        tv_header("2024/03/05 00:55:00.010", "UTC+1:00", "1555000111")
        + tv_line(
            "2024/03/05 10:00:09.500",
            "2216",
            "2492",
            "S0",
            "CommandHandlerRouting[2]::CreatePassiveSession(): incoming session via "
            "de-fra-anx-r003.router.teamviewer.com, protocol Tcp",
        )
        + tv_line(
            "2024/03/05 10:00:09.640",
            "2216",
            "2492",
            "S0",
            "Negotiating session encryption: client hello received from 1098765432, RSA key "
            "length = 4096",
        )
        + tv_line(
            "2024/03/05 10:00:10.902",
            "2216",
            "2492",
            "S0",
            "AuthenticationBlocker::Allocate: allocate ok for DyngateID 1098765432, attempt "
            "number 1",
        )
        + tv_line(
            "2024/03/05 10:00:21.313",
            "2216",
            "2492",
            "S0",
            "AuthenticationBlocker::Reset: attempts reset for DyngateID 1098765432",
        )
        + tv_line(
            "2024/03/05 10:00:21.500",
            "2216",
            "2488",
            "S0",
            "CParticipantManagerBase participant Support Desk (ID [1098765432,300111222]) was "
            "added with the role 6",
        ),
        when="2024-03-05T09:05:00",
    )
    _write(
        folder / "TeamViewer15_Logfile.log",
        tv_line("2024/03/05 10:05:00.001", "2216", "2492", "S0", "Logger started.")
        + tv_line(
            "2024/03/05 10:12:45.120",
            "2216",
            "2492",
            "S0",
            "SessionStatistics[2] Session to 1098765432 ended. Estimated capacity=4100kBit/s, "
            "Latency=40ms",
        ),
        when="2024-03-05T09:12:45",
    )
    old = root / "Users" / "bob" / "AppData" / "Roaming" / "TeamViewer"
    _write(
        old / "TeamViewer8_Logfile.log",
        "Start:              2012/12/31 23:50:01 (UTC)\n"
        "ID:                 408123456\n\n"
        + tv_line(
            "12/31 23:59:30.250",
            "1804",
            "1808",
            "S0",
            "CommandHandlerRouting[2]::CreatePassiveSession(): incoming session via "
            "router3.teamviewer.com, protocol Tcp",
        )
        + tv_line(
            "12/31 23:59:30.410",
            "1804",
            "1808",
            "S0",
            "Negotiating session encryption: client hello received from 200300400, RSA key "
            "length = 2048",
        )
        + tv_line(
            "01/01 00:04:12.007",
            "1804",
            "1808",
            "S0",
            "SessionStatistics[2] Session to 200300400 ended. Estimated capacity=900kBit/s, "
            "Latency=80ms",
        ),
        when="2013-01-01T00:04:12",
    )


def build_rustdesk(root: Path) -> None:
    """A service log with one incoming connection, the user's config with own ID and peers."""
    log = (
        root
        / "Windows"
        / "ServiceProfiles"
        / "LocalService"
        / "AppData"
        / "Roaming"
        / "RustDesk"
        / "log"
        / "server"
        / "RustDesk_rCURRENT.log"
    )
    _write(
        log,
        "[2025-01-01 13:04:08.350802 +00:00] DEBUG [src\\server\\connection.rs:983] #1362 "
        "Connection opened from 192.0.2.44:6074.\n"
        "[2025-01-01 13:04:09.001100 +00:00] INFO [src\\server\\connection.rs:1510] #1362 "
        "Connection authorized\n"
        "[2025-01-01 14:34:10.120000 +01:00] INFO [src\\server\\connection.rs:2811] #1362 "
        "Connection closed: Closed manually by the peer\n",
        when="2025-01-01T13:34:10",
    )
    config = root / "Users" / "alice" / "AppData" / "Roaming" / "RustDesk" / "config"
    _write(
        config / "RustDesk.toml", "id = '123498765'\npassword = ''\n", when="2025-01-01T12:00:00"
    )
    _write(
        config / "RustDesk_local.toml",
        "remote_id = '445566778'\nsize = [0, 0, 0, 0]\n",
        when="2025-01-01T15:00:00",
    )
    _write(
        config / "peers" / "445566778.toml",
        "password = []\n\n[info]\nusername = 'grandma'\nhostname = 'GRANDMA-LAPTOP'\n"
        "platform = 'Windows'\n",
        when="2025-01-01T15:00:00",
    )


def build_splashtop(root: Path) -> None:
    """SPLog.txt across a year end: a client connects in December, transfers, disconnects."""
    _write(
        root
        / "Program Files (x86)"
        / "Splashtop"
        / "Splashtop Remote"
        / "Server"
        / "log"
        / "SPLog.txt",
        "<1>Dec31 23:58:01.100  SM_03280[Network] [LAN-S][Server] client connected from "
        "10.199.5.134 (2), 288\n"
        '<1>Dec31 23:59:40.766  SM_03280[FTCnnel] OnUploadFileCPRequest 1, 1 =>{"fileID":'
        '"353841253","fileName":"NOTE.txt","fileSize":"34","remotesessionFTC":1,'
        '"request":"uploadFile"}\n'
        "<1>Jan01 00:03:12.500  SM_03280[Network] [LAN-S][Server] client disconnected, 288\n",
    )


def build_screenconnect(root: Path) -> None:
    """A ScreenConnect client's user.config pointing at the controlling relay."""
    _write(
        root / "ProgramData" / "ScreenConnect Client (0a1b2c3d4e5f6789)" / "user.config",
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<configuration>\n"
        "  <userSettings>\n"
        "    <ScreenConnect.UserInterfaceSettings>\n"
        '      <setting name="LastRelayUri" serializeAs="String">\n'
        "        <value>relay://instance-7xk2-relay.screenconnect.example:443/</value>\n"
        "      </setting>\n"
        '      <setting name="ClientLaunchParameters" serializeAs="String">\n'
        "        <value>?e=Access&amp;y=Guest&amp;h=instance-7xk2-relay.screenconnect.example"
        "&amp;p=443&amp;s=6f0b3f4e-8a1c-4d2b-9e3f-7a6b5c4d3e2f&amp;k=BgIAAACkAABSU0Ex</value>\n"
        "      </setting>\n"
        "    </ScreenConnect.UserInterfaceSettings>\n"
        "  </userSettings>\n"
        "</configuration>\n",
        when="2024-04-02T08:00:00",
    )


def build_presence(root: Path) -> None:
    """Tools no parser reads: UltraViewer, Supremo, an installer, Android packages."""
    _write(root / "Program Files (x86)" / "UltraViewer" / "UltraViewer_Desktop.exe", "MZ fake\n")
    _write(
        root / "Users" / "bob" / "AppData" / "Roaming" / "UltraViewer" / "ConnectionLog.Log",
        "fictional connection log\n",
    )
    _write(
        root / "ProgramData" / "SupremoRemoteDesktop" / "Log" / "Supremo.00.Incoming.log",
        "fictional Supremo log\n",
    )
    _write(root / "Users" / "bob" / "Downloads" / "rustdesk-1.2.3-x86_64.exe", "MZ fake\n")
    _write(root / "Users" / "bob" / "Downloads" / "holiday.jpg", "not a tool\n")
    _write(
        root
        / "data"
        / "data"
        / "com.teamviewer.quicksupport.market"
        / "shared_prefs"
        / "prefs.xml",
        "<map />\n",
    )
    _write(
        root / "data" / "app" / "~~Qx1==" / "com.carriez.flutter_hbb-Zt2==" / "base.apk",
        "PK fake apk\n",
    )


def main() -> None:
    """Rewrite the committed fixture folders."""
    build_anydesk_windows(HERE / "anydesk_windows")
    build_teamviewer(HERE / "teamviewer")
    build_rustdesk(HERE / "rustdesk")
    build_splashtop(HERE / "splashtop")
    build_screenconnect(HERE / "screenconnect")
    build_presence(HERE / "presence")


if __name__ == "__main__":
    main()
