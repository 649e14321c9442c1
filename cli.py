"""Run triage from a checkout without installing it: ``python cli.py scan IMAGE -o OUT``."""

from triage.cli import main

main()
