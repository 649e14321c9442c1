"""Where remote-access tools leave traces that no parser reads: folders, installers, packages.

Sources: KAPE targets (``Apps/AnyDesk``, ``TeamViewer``, ``UltraViewer``, ``Supremo``,
``LogMeIn``, ``ZohoAssist``, ``Ammyy``, ``Windows/QuickAssist``, ``RealVNC``, ``TightVNC``,
``Atera``, the ``RemoteAdmin`` compound target), dissect.target's remote-access plugins, and
the Android package names in the stores. Entries marked *unverified* in ARTIFACTS.md
(AeroAdmin paths) are kept: listing a folder that exists costs nothing, missing it would.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PresenceRule:
    """A glob whose matches show that a tool is installed or was used."""

    tool: str
    artifact: str
    glob: str


# Keyword in a file name or URL (lowercase, without spaces, dots, dashes or underscores) -> tool.
TOOL_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("anydesk", "AnyDesk"),
    ("teamviewer", "TeamViewer"),
    ("rustdesk", "RustDesk"),
    ("ultraviewer", "UltraViewer"),
    ("splashtop", "Splashtop"),
    ("screenconnect", "ScreenConnect"),
    ("connectwisecontrol", "ScreenConnect"),
    ("supremo", "Supremo"),
    ("logmein", "LogMeIn"),
    ("zohoassist", "Zoho Assist"),
    ("zohomeeting", "Zoho Assist"),
    ("aeroadmin", "AeroAdmin"),
    ("ammyy", "Ammyy Admin"),
    ("quickassist", "Quick Assist"),
    ("tightvnc", "TightVNC"),
    ("ultravnc", "UltraVNC"),
    ("realvnc", "RealVNC"),
    ("vncviewer", "VNC"),
    ("vncserver", "VNC"),
    ("ateraagent", "Atera"),
    ("radmin", "Radmin"),
    ("isllight", "ISL Online"),
    ("remoteutilities", "Remote Utilities"),
    ("dwagent", "DWAgent"),
    ("meshagent", "MeshCentral"),
    ("remotepc", "RemotePC"),
    ("airdroid", "AirDroid"),
    ("chromeremotedesktop", "Chrome Remote Desktop"),
)

ANDROID_PACKAGES: tuple[tuple[str, str], ...] = (
    ("com.anydesk.anydeskandroid", "AnyDesk"),
    ("com.anydesk.adcontrol.ad1", "AnyDesk"),
    ("com.teamviewer.quicksupport.market", "TeamViewer QuickSupport"),
    ("com.teamviewer.teamviewer.market.mobile", "TeamViewer"),
    ("com.teamviewer.host.market", "TeamViewer Host"),
    ("com.carriez.flutter_hbb", "RustDesk"),
    ("com.splashtop.remote.pad.v2", "Splashtop"),
    ("com.splashtop.sos", "Splashtop SOS"),
    ("com.zoho.assist", "Zoho Assist"),
    ("com.zoho.assist.agent", "Zoho Assist"),
    ("com.realvnc.viewer.android", "RealVNC"),
    ("com.google.chromeremotedesktop", "Chrome Remote Desktop"),
    ("com.microsoft.rdc.androidx", "Microsoft Remote Desktop"),
    ("com.sand.airdroid", "AirDroid"),
    ("com.sand.airdroidbiz", "AirDroid Business"),
)

_WINDOWS_RULES: tuple[PresenceRule, ...] = (
    PresenceRule("AnyDesk", "program folder", "**/Program Files*/AnyDesk*"),
    PresenceRule("AnyDesk", "service data folder", "**/ProgramData/AnyDesk"),
    PresenceRule("AnyDesk", "user data folder", "**/AppData/Roaming/AnyDesk"),
    PresenceRule("AnyDesk", "program", "**/AnyDesk*.exe"),
    PresenceRule("AnyDesk", "session recording", "**/Videos/AnyDesk/*.anydesk"),
    PresenceRule("AnyDesk", "chat log", "**/AnyDesk/chat/*.txt"),
    PresenceRule("AnyDesk", "peer thumbnail", "**/AnyDesk/thumbnails/*"),
    PresenceRule("TeamViewer", "program folder", "**/Program Files*/TeamViewer"),
    PresenceRule("TeamViewer", "user data folder", "**/AppData/Roaming/TeamViewer"),
    PresenceRule("TeamViewer", "program", "**/TeamViewer*.exe"),
    PresenceRule("TeamViewer", "recently used IDs", "**/TeamViewer/MRU/RemoteSupport/*"),
    PresenceRule("RustDesk", "program folder", "**/Program Files*/RustDesk"),
    PresenceRule("RustDesk", "user data folder", "**/AppData/Roaming/RustDesk"),
    PresenceRule("RustDesk", "program", "**/rustdesk*.exe"),
    PresenceRule("UltraViewer", "program folder", "**/Program Files*/UltraViewer"),
    PresenceRule("UltraViewer", "user data folder", "**/AppData/Roaming/UltraViewer"),
    PresenceRule("UltraViewer", "log, chat or connection list", "**/UltraViewer/*.log"),
    PresenceRule("UltraViewer", "log, chat or connection list", "**/UltraViewer/*.txt"),
    PresenceRule("UltraViewer", "program", "**/UltraViewer*.exe"),
    PresenceRule("Splashtop", "program folder", "**/Program Files*/Splashtop"),
    PresenceRule("Splashtop", "data folder", "**/ProgramData/Splashtop"),
    PresenceRule("Splashtop", "file-transfer log", "**/Splashtop/Temp/log/FTCLog.txt"),
    PresenceRule("ScreenConnect", "client folder", "**/Program Files*/ScreenConnect Client*"),
    PresenceRule("ScreenConnect", "client folder", "**/ProgramData/ScreenConnect Client*"),
    PresenceRule(
        "ScreenConnect", "server session database", "**/ScreenConnect/App_Data/Session.db"
    ),
    PresenceRule("ScreenConnect", "server users", "**/ScreenConnect/App_Data/User.xml"),
    PresenceRule("Supremo", "program folder", "**/Program Files*/Supremo*"),
    PresenceRule("Supremo", "data folder", "**/ProgramData/SupremoRemoteDesktop"),
    PresenceRule("Supremo", "log", "**/SupremoRemoteDesktop/Log/*.log"),
    PresenceRule("Supremo", "received file", "**/SupremoRemoteDesktop/Inbox/*"),
    PresenceRule("LogMeIn", "program folder", "**/Program Files*/LogMeIn*"),
    PresenceRule("LogMeIn", "data folder", "**/ProgramData/LogMeIn"),
    PresenceRule("LogMeIn", "log", "**/ProgramData/LogMeIn/Logs/*"),
    PresenceRule("LogMeIn", "log", "**/LogMeInLogs/*"),
    PresenceRule("LogMeIn", "log", "**/LogMeInLogs/*/*"),
    PresenceRule("Zoho Assist", "data folder", "**/ZohoMeeting"),
    PresenceRule("Zoho Assist", "log", "**/ZohoMeeting/log/*"),
    PresenceRule("Zoho Assist", "config", "**/ZohoMeeting/*.conf"),
    PresenceRule("Zoho Assist", "unattended-agent log", "**/UnAttended/ZohoMeeting/logs/*"),
    PresenceRule("AeroAdmin", "program", "**/AeroAdmin*.exe"),
    PresenceRule("AeroAdmin", "program folder", "**/Program Files*/AeroAdmin*"),
    PresenceRule("AeroAdmin", "data folder", "**/ProgramData/AeroAdmin*"),
    PresenceRule("Ammyy Admin", "data folder", "**/ProgramData/Ammyy"),
    PresenceRule("Ammyy Admin", "data file", "**/ProgramData/Ammyy/*"),
    PresenceRule("Ammyy Admin", "program", "**/Ammyy*.exe"),
    PresenceRule("Ammyy Admin", "program", "**/AA_v3*.exe"),
    PresenceRule("Quick Assist", "session folder", "**/AppData/Local/Temp/QuickAssist"),
    PresenceRule("Quick Assist", "session file", "**/AppData/Local/Temp/QuickAssist/*"),
    PresenceRule("Remote Help", "session folder", "**/AppData/Local/Temp/RemoteHelp"),
    PresenceRule("Remote Help", "session file", "**/AppData/Local/Temp/RemoteHelp/*"),
    PresenceRule(
        "Quick Assist", "app package", "**/WindowsApps/MicrosoftCorporationII.QuickAssist*"
    ),
    PresenceRule("TightVNC", "program folder", "**/Program Files*/TightVNC"),
    PresenceRule("TightVNC", "server log", "**/TightVNC/Server/Logs/*"),
    PresenceRule("UltraVNC", "program folder", "**/Program Files*/uvnc bvba"),
    PresenceRule("UltraVNC", "program folder", "**/Program Files*/UltraVNC"),
    PresenceRule("UltraVNC", "logon log", "**/mslogon.log"),
    PresenceRule("RealVNC", "program folder", "**/Program Files*/RealVNC"),
    PresenceRule("RealVNC", "server log", "**/vncserver.log"),
    PresenceRule("RealVNC", "viewer log", "**/vncviewer.log"),
    PresenceRule("RealVNC", "service data", "**/ProgramData/RealVNC-Service/*"),
    PresenceRule("Atera", "agent folder", "**/Program Files*/ATERA Networks"),
    PresenceRule("Atera", "agent file", "**/ATERA Networks/AteraAgent/*.ini"),
    PresenceRule("Atera", "agent file", "**/ATERA Networks/AteraAgent/*.txt"),
    PresenceRule("Atera", "agent file", "**/ATERA Networks/AteraAgent/*.db"),
    PresenceRule("Atera", "agent file", "**/ATERA Networks/AteraAgent/*.config"),
    PresenceRule("Atera", "agent file", "**/ATERA Networks/AteraAgent/*.cfg"),
    PresenceRule("Radmin", "server log", "**/rserver30/Radm_log.htm"),
    PresenceRule("Radmin", "program folder", "**/Program Files*/Radmin*"),
    PresenceRule("ISL Online", "client log", "**/ISLClient.out"),
    PresenceRule("Remote Utilities", "log", "**/rut_log_*.html"),
    PresenceRule("RMS", "log", "**/rms_log_*.html"),
    PresenceRule("MeshCentral", "agent settings", "**/MeshAgent.msh"),
    PresenceRule("DWAgent", "program folder", "**/Program Files*/DWAgent"),
)


def _installer_rules() -> tuple[PresenceRule, ...]:
    rules = []
    for keyword, tool in TOOL_KEYWORDS:
        for folder in ("Downloads", "Download"):
            rules.append(PresenceRule(tool, "downloaded installer", f"**/{folder}/*{keyword}*"))
    return tuple(rules)


def _android_rules() -> tuple[PresenceRule, ...]:
    rules = []
    for package, tool in ANDROID_PACKAGES:
        rules.extend(
            (
                PresenceRule(tool, "Android app data", f"**/data/data/{package}"),
                PresenceRule(tool, "Android app data", f"**/data/user/*/{package}"),
                PresenceRule(tool, "Android app preferences", f"**/{package}/shared_prefs/*.xml"),
                PresenceRule(tool, "Android app package", f"**/data/app/{package}-*"),
                PresenceRule(tool, "Android app package", f"**/data/app/*/{package}-*"),
                PresenceRule(tool, "Android APK", f"**/data/app/**/{package}*/base.apk"),
            )
        )
    return tuple(rules)


PRESENCE_RULES: tuple[PresenceRule, ...] = _installer_rules() + _WINDOWS_RULES + _android_rules()


def tool_for(text: str) -> str | None:
    """The tool a file name or URL names, if any."""
    squeezed = "".join(ch for ch in text.lower() if ch.isalnum())
    for keyword, tool in TOOL_KEYWORDS:
        if keyword in squeezed:
            return tool
    return None
