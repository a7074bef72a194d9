"""Tests of logwarden.connect (a package, so that test modules may share names across folders)."""
