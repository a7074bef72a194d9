"""Tests of logwarden.multilog (a package, so that test modules may share names across folders)."""
