"""``python -m logwarden TOOL ARGS``."""

from logwarden.cli.main import entry

entry()
