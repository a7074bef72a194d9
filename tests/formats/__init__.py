"""Tests of logwarden.formats (a package, so that test modules may share names across folders)."""
