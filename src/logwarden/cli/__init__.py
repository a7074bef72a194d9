"""The command line: ``logwarden TOOL ARGS``, or a tool under its classic name."""
