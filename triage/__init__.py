"""triage: read-only digital-forensics triage of disk images, phone extractions and routers."""

__version__ = "0.1.0"
